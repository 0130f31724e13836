// The validator loop. In window c it closes window w = c−1: after the announcement
// deadline it fetches and checks the payloads announced for w, chooses at most G,
// and — if it is the lead validator, or the lead stayed silent — publishes the
// manifest of w with the thetaHash of θ_{w+1}. It then reports the held-out loss.
import type { NodeContext } from './context.js';
import { readyToSpeak as readyToSpeakCore } from './protocol/replica-core.js';
import { sleepUntil } from './window-driver.js';
import { selectForManifest } from './selection.js';
import { decodePayload, aggregateAndStepAsync, PayloadError, payloadDigest, type DecodedPayload } from '../train/compress/index.js';
import { copyAsync, sharedFloat32, thetaHashAsync } from '../train/compress/offload.js';
import { manifestDigest, type ManifestMsg } from './replica.js';
import type { HeardAnnouncement } from './announcements.js';
import { manifestWaitUntil, slotOpensAt } from './protocol/speakers.js';

export interface CheckedPayload {
  uid: number;
  digest: string;
  bytes: Uint8Array;
  /** Decoded once, against every expectation of the window (checkAnnouncements). */
  payload?: DecodedPayload;
}

export interface WindowVerdicts {
  accepted: CheckedPayload[];
  rejected: Array<{ uid: number; reason: string }>;
}

export function payloadExpectations(ctx: NodeContext, window: number, uid: number) {
  const c = ctx.spec.compression;
  return {
    runHash: ctx.runHash, window, uid, baseThetaHash: Buffer.from(ctx.replica.thetaHash, 'hex'),
    options: { chunk: c.chunk, k: c.k, demo: c.demo },
  };
}

/** Fetches and validates every announcement of a window against θ_w (the replica's head). */
export async function checkAnnouncements(ctx: NodeContext, window: number, heard: HeardAnnouncement[]): Promise<WindowVerdicts> {
  const accepted: CheckedPayload[] = [];
  const rejected: Array<{ uid: number; reason: string }> = [];
  const head = ctx.replica.thetaHash;
  await Promise.all(
    heard.map(async (a) => {
      if (a.baseThetaHash !== head) {
        rejected.push({ uid: a.uid, reason: 'out_of_sync' });
        return;
      }
      if (a.inline && payloadDigest(a.inline) !== a.digest) {
        rejected.push({ uid: a.uid, reason: 'invalid: inline_digest_mismatch' });
        return;
      }
      let bytes: Uint8Array;
      try {
        // fetchBlob answers from the local store, or fetches, verifies and stores.
        bytes = a.inline ?? (await ctx.p2p.fetchBlob(a.digest, { from: [a.fromPeer], timeoutMs: ctx.spec.timing.manifestTimeoutMs, window, kind: 'payload' }));
      } catch (e) {
        rejected.push({ uid: a.uid, reason: `fetch_failed: ${(e as Error).message}` });
        return;
      }
      let payload: DecodedPayload;
      try {
        // Pin everything the header states: run, window, uid, the base θ (a stale
        // replay is caught here) and the run's compression options (a payload made
        // with other options would not aggregate with the rest).
        payload = decodePayload(bytes, ctx.engine.layout, payloadExpectations(ctx, window, a.uid));
      } catch (e) {
        if (e instanceof PayloadError) {
          rejected.push({ uid: a.uid, reason: `invalid: ${e.code}` });
          return;
        }
        throw e;
      }
      // An inline payload is not in the store yet: keep it so that peers can fetch it.
      if (a.inline) await ctx.p2p.store.put(bytes, { window, kind: 'payload' });
      accepted.push({ uid: a.uid, digest: a.digest, bytes, payload });
    }),
  );
  accepted.sort((x, y) => x.uid - y.uid);
  rejected.sort((x, y) => x.uid - y.uid);
  return { accepted, rejected };
}

/**
 * Builds the manifest of `window` from the chosen payloads, computing θ_{w+1} on a
 * scratch copy, off the event loop (the copy, the aggregation and the hash on
 * libuv's threads). Call it under the replica lock: θ, the
 * scratch and the payloads are not written by anyone else until it returns.
 */
export async function buildManifest(ctx: NodeContext, window: number, chosen: CheckedPayload[], scratch: Float32Array): Promise<ManifestMsg> {
  await copyAsync(scratch, ctx.replica.theta);
  const payloads = chosen.map((c) => ({
    uid: c.uid,
    payload: c.payload ?? decodePayload(c.bytes, ctx.engine.layout, payloadExpectations(ctx, window, c.uid)),
  }));
  if (payloads.length) await aggregateAndStepAsync(scratch, ctx.engine.layout, payloads, ctx.spec.outer.lr);
  const next = await thetaHashAsync(scratch);
  return {
    version: 1,
    runHash: ctx.runHash,
    window: BigInt(window),
    validatorUid: ctx.uid,
    entries: chosen.map((c) => ({ uid: c.uid, digest: Buffer.from(c.digest, 'hex') })),
    nextThetaHash: Buffer.from(next, 'hex'),
    prevDigest: Buffer.from(ctx.replica.chain.head.digest, 'hex'),
    issuedAtMs: BigInt(Date.now()),
  };
}

/**
 * Why a window's manifest has fewer payloads than miners are active, by reason: late
 * (a miner that announced in one of the 3 windows before announced nothing for this
 * one by the close), out_of_sync, rejected (invalid, not fetched) and not_chosen
 * (valid, left out by the selection). Only reasons that occurred are listed.
 */
export function verdictCounts(ctx: Pick<NodeContext, 'announcements'>, window: number, heard: HeardAnnouncement[], v: WindowVerdicts, chosen: number): {
  byReason: Record<string, number>;
  lateUids: number[];
} {
  const heardUids = new Set(heard.map((a) => a.uid));
  const lateUids = [...ctx.announcements.recentUids(window)].filter((u) => !heardUids.has(u)).sort((a, b) => a - b);
  const byReason: Record<string, number> = {};
  const add = (k: string, n = 1): void => {
    if (n > 0) byReason[k] = (byReason[k] ?? 0) + n;
  };
  add('late', lateUids.length);
  for (const r of v.rejected) add(r.reason === 'out_of_sync' ? 'out_of_sync' : 'rejected');
  add('not_chosen', v.accepted.length - chosen);
  return { byReason, lateUids };
}

export interface ValidatorHooks {
  /** Gauntlet (validator issue): orders the accepted payloads; default is a seeded random order. */
  choose?: (window: number, verdicts: WindowVerdicts) => Promise<CheckedPayload[]> | CheckedPayload[];
  afterWindow?: (window: number, verdicts: WindowVerdicts) => Promise<void> | void;
}

/**
 * May this validator speak for window w (publish its manifest, during w+1)? Only with
 * θ in sync and at the head of the manifest chain: the manifest of w−1 applied, or
 * known not to exist because this node was up through all of window w, when it was
 * due, and heard no manifest newer than its head (one it could not apply means it is
 * behind). A validator that restarted and has not caught up would otherwise publish a
 * manifest on a stale θ.
 */
export function readyToSpeak(ctx: Pick<NodeContext, 'replica' | 'driver'>, w: number): boolean {
  const r = ctx.replica;
  return readyToSpeakCore({ synced: r.synced, headWindow: r.chain.head.window, newestHeardWindow: r.newestHeardWindow, firstFullWindow: ctx.driver.firstFullWindow }, w);
}

/** The lead's manifest of a window against this validator's own choice: logged and counted. */
export function compareWithLead(ctx: NodeContext, window: number, own: number[]): void {
  const lead = ctx.replica.appliedEntries(window);
  if (!lead) return;
  const mine = new Set(own);
  const theirs = new Set(lead);
  const leadOnly = lead.filter((u) => !mine.has(u));
  const ownOnly = own.filter((u) => !theirs.has(u));
  const agree = leadOnly.length === 0 && ownOnly.length === 0;
  ctx.metrics.onComparison({ window, agree, leadOnly, ownOnly });
  const fields = { event: 'manifest_comparison', window, agree, lead, own, leadOnly, ownOnly };
  if (agree) ctx.log.info(fields, 'the applied manifest agrees with this validator\'s verdicts');
  else ctx.log.warn(fields, 'the applied manifest disagrees with this validator\'s verdicts');
}

export async function runValidator(ctx: NodeContext, hooks: ValidatorHooks = {}): Promise<void> {
  const { spec, driver, replica, log, signal } = ctx;
  const scratch = sharedFloat32(ctx.engine.numParams);
  // Windows are closed one by one, in order: a loop iteration that overran a window
  // (a slow evaluation) closes the next window late rather than skipping it, so no
  // miner's on-time announcement is dropped.
  let w = driver.window - 1;
  while (!signal.aborted) {
    w++;
    const current = await driver.waitFor(w + 1);
    if (current < 0 || signal.aborted) break;
    if (w + 1 < driver.window) {
      // This loop fell behind the chain (a slow evaluation on a busy machine): the
      // window's manifest is no use now (miners have trained on since), and closing
      // it late would keep every later manifest late. Skip to the newest window.
      log.warn({ event: 'window_skipped', window: w, current: driver.window }, 'too late to close this window: skipping to the newest one');
      w = driver.window - 2;
      continue;
    }
    const start = driver.startOf(w + 1) ?? Date.now();
    await sleepUntil(slotOpensAt(start, 0, spec.timing), signal);
    if (signal.aborted) break;

    // Speaker rank by the run's rule; −1: this validator scores but never speaks.
    const rank = ctx.speakers().findIndex((v) => v.uid === ctx.uid);
    let own: number[] | null = null;
    if (rank !== 0 && hooks.afterWindow) {
      // Every validator scores miners (and sets weights), lead or not: do it now,
      // while θ_w is still the head, before the lead's manifest of w is applied.
      const scored = await replica.lock.run(async () => {
        if (replica.chain.head.window >= w) return null;
        const v = await checkAnnouncements(ctx, w, ctx.announcements.forWindow(w));
        const chosen = await hooks.choose?.(w, v); // takes its copy of θ_w
        own = chosen ? chosen.map((c) => c.uid) : null;
        return v;
      });
      if (scored) await hooks.afterWindow(w, scored);
    }
    // A speaker of rank r speaks only if no manifest of w came before its slot opened.
    if (rank !== 0) {
      const until = rank > 0 ? slotOpensAt(start, rank, spec.timing) : manifestWaitUntil(start, ctx.speakers().length, spec.timing);
      // A manifest of w that was admitted but is still being applied (payloads to
      // fetch, the lock busy) counts as spoken: publishing a second one would compete.
      const spoken = (): boolean => replica.chain.head.window >= w || replica.newestHeardWindow >= w;
      while (!spoken() && Date.now() < until && !signal.aborted) {
        await Promise.race([ctx.manifestApplied(), ctx.manifestHeard(), sleepUntil(until, signal)]);
      }
      if (own) compareWithLead(ctx, w, own);
      if (rank < 0 || spoken()) {
        await evaluateHeldOut(ctx, w + 1);
        continue;
      }
    }
    if (!readyToSpeak(ctx, w)) {
      log.warn({ event: 'not_speaking', window: w, rank, head: replica.chain.head.window, inSync: replica.synced }, 'not publishing a manifest: this validator has not caught up with the manifest chain yet');
      await evaluateHeldOut(ctx, w + 1);
      continue;
    }
    const verdicts = await replica.lock.run(async () => {
      if (replica.chain.head.window >= w) return null;
      const heard = ctx.announcements.forWindow(w);
      const v = await checkAnnouncements(ctx, w, heard);
      const chosen = hooks.choose
        ? await hooks.choose(w, v)
        : (() => {
            const pick = new Set(selectForManifest(ctx.runHash, w, v.accepted.map((a) => a.uid), spec.outer.maxPayloads));
            return v.accepted.filter((a) => pick.has(a.uid));
          })();
      const manifest = await buildManifest(ctx, w, chosen, scratch);
      const digest = manifestDigest(manifest);
      await ctx.p2p.store.put(ctx.encodeManifest(manifest), { window: w, kind: 'manifest' });
      // Re-announce the newest checkpoint every window, just before the manifest, so a
      // joiner knows of it by the time the manifest shows it a gap to fill.
      await ctx.checkpoints.announce();
      const recipients = await ctx.p2p.publish('manifest', manifest);
      const counts = verdictCounts(ctx, w, heard, v, chosen.length);
      ctx.metrics.onVerdicts({ window: w, aggregated: chosen.length, heard: heard.length, byReason: counts.byReason });
      log.info(
        {
          event: 'manifest_published', window: w, rank, digest, chosen: chosen.map((c) => c.uid), rejected: v.rejected, heard: heard.length, recipients,
          rejectedByReason: counts.byReason, lateUids: counts.lateUids,
        },
        'published manifest',
      );
      return { v, manifest };
    });
    if (!verdicts) continue;
    // θ_{w+1} was computed into `scratch` when the manifest was built: apply it before
    // scoring, so this node is at the head for the next window however long the
    // evaluation takes (the Gauntlet scores on its own snapshot of θ_w).
    await replica.applyComputed(verdicts.manifest, scratch, rank).catch(async (e: unknown) => {
      // The head moved meanwhile (another validator's manifest): take the general path.
      log.warn({ window: w, err: (e as Error).message }, 'applying own manifest the general way');
      await replica.offer(verdicts.manifest, undefined, rank).catch((e2: unknown) => {
        log.error({ window: w, err: (e2 as Error).message }, 'could not apply own manifest');
      });
    });
    if (rank === 0) await hooks.afterWindow?.(w, verdicts.v);
    await evaluateHeldOut(ctx, w + 1);
  }
}

/** Mean loss of θ_window on the fixed held-out sequences; logged and kept for status. */
export async function evaluateHeldOut(ctx: NodeContext, window: number): Promise<number> {
  const loss = await ctx.replica.lock.run(() => ctx.heldOutLoss(ctx.replica.theta));
  ctx.metrics.onEval(window, loss);
  ctx.log.info({ event: 'eval', window, loss, thetaHash: ctx.replica.thetaHash }, 'held-out loss');
  return loss;
}
