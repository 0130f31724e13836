// The validator loop. In window c it closes window w = c−1: after the announcement
// deadline it fetches and checks the payloads announced for w, chooses at most G,
// and — if it is the lead validator, or the lead stayed silent — publishes the
// manifest of w with the thetaHash of θ_{w+1}. It then reports the held-out loss.
import type { NodeCore, ValidatorDeps } from './context.js';
import { readyToSpeak as readyToSpeakCore } from './protocol/replica-core.js';
import { sleepUntil } from './window-driver.js';
import { selectForManifest } from '../validate/selection.js';
import { decodePayload, aggregateAndStepAsync, PayloadError, payloadDigest, type DecodedPayload } from '../train/compress/index.js';
import { copyAsync, sharedFloat32, thetaHashAsync } from '../train/compress/offload.js';
import { manifestDigest, type ManifestMsg } from './replica.js';
import type { HeardAnnouncement } from './announcements.js';
import type { CheckedPayload, WindowVerdicts } from '../validate/verdicts.js';
import { validatorStart, validatorStep, type ValidatorCommand, type ValidatorConfig, type ValidatorEvent, type ValidatorView } from './protocol/validator-window.js';

export function payloadExpectations(ctx: ValidatorDeps, window: number, uid: number) {
  const c = ctx.spec.compression;
  return {
    runHash: ctx.runHash, window, uid, baseThetaHash: Buffer.from(ctx.replica.thetaHash, 'hex'),
    options: { chunk: c.chunk, k: c.k, demo: c.demo },
  };
}

/** Fetches and validates every announcement of a window against θ_w (the replica's head). */
export async function checkAnnouncements(ctx: ValidatorDeps, window: number, heard: HeardAnnouncement[]): Promise<WindowVerdicts> {
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
export async function buildManifest(ctx: ValidatorDeps, window: number, chosen: CheckedPayload[], scratch: Float32Array): Promise<ManifestMsg> {
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
export function verdictCounts(ctx: Pick<ValidatorDeps, 'announcements'>, window: number, heard: HeardAnnouncement[], v: WindowVerdicts, chosen: number): {
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
export function readyToSpeak(ctx: Pick<NodeCore, 'replica' | 'driver'>, w: number): boolean {
  const r = ctx.replica;
  return readyToSpeakCore({ synced: r.synced, headWindow: r.chain.head.window, newestHeardWindow: r.newestHeardWindow, firstFullWindow: ctx.driver.firstFullWindow }, w);
}

/** The lead's manifest of a window against this validator's own choice: logged and counted. */
export function compareWithLead(ctx: ValidatorDeps, window: number, own: number[]): void {
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

/**
 * The shell around protocol/validator-window.ts: turns the window clock, timers and
 * manifest notices into events, reads the replica for each event's view, and carries
 * out the commands (scoring and building under the replica lock, publishing, applying,
 * setting weights, evaluating).
 */
export async function runValidator(ctx: ValidatorDeps, hooks: ValidatorHooks = {}): Promise<void> {
  const { spec, driver, replica, log, signal } = ctx;
  const scratch = sharedFloat32(ctx.engine.numParams);
  const config: ValidatorConfig = { timing: spec.timing, scores: !!hooks.afterWindow };
  const view = (): ValidatorView => ({
    nowMs: Date.now(), currentWindow: driver.window, headWindow: replica.chain.head.window, newestHeardWindow: replica.newestHeardWindow,
    synced: replica.synced, firstFullWindow: driver.firstFullWindow, rank: ctx.speakers().findIndex((v) => v.uid === ctx.uid), speakers: ctx.speakers().length,
  });
  // What the commands produce and later commands use: the verdicts of w, this
  // validator's own choice, the manifest built.
  let verdicts: WindowVerdicts | null = null;
  let own: number[] | null = null;
  let built: ManifestMsg | null = null;

  const exec = async (cmd: ValidatorCommand): Promise<ValidatorEvent | null | undefined> => {
    switch (cmd.kind) {
      case 'wait_window': {
        const cur = await driver.waitFor(cmd.window);
        if (cur < 0 || signal.aborted) return null;
        return { kind: 'window', startMs: driver.startOf(cmd.window) ?? Date.now() };
      }
      case 'wait': {
        // Which one ended the wait (a timer may fire a millisecond before Date.now()
        // reaches its time: the clock does not tell).
        const timer = sleepUntil(cmd.untilMs, signal).then(() => 'timer' as const);
        const woke = cmd.wakeOnManifest ? await Promise.race([ctx.manifestApplied().then(() => 'manifest' as const), ctx.manifestHeard().then(() => 'manifest' as const), timer]) : await timer;
        if (signal.aborted) return null;
        return { kind: woke };
      }
      case 'score': {
        // Every validator scores miners (and sets weights), lead or not: now, while θ_w
        // is still the head, before the lead's manifest of w is applied.
        own = null;
        verdicts = await replica.lock.run(async () => {
          if (replica.chain.head.window >= cmd.window) return null;
          const v = await checkAnnouncements(ctx, cmd.window, ctx.announcements.forWindow(cmd.window));
          const chosen = await hooks.choose?.(cmd.window, v); // takes its copy of θ_w
          own = chosen ? chosen.map((x) => x.uid) : null;
          return v;
        });
        return { kind: 'scored', scored: verdicts !== null, ownChoice: own !== null };
      }
      case 'set_weights':
        if (verdicts) await hooks.afterWindow?.(cmd.window, verdicts);
        return undefined;
      case 'compare':
        if (own) compareWithLead(ctx, cmd.window, own);
        return undefined;
      case 'build_and_publish': {
        const w = cmd.window;
        const r = await replica.lock.run(async () => {
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
              event: 'manifest_published', window: w, rank: cmd.rank, digest, chosen: chosen.map((c) => c.uid), rejected: v.rejected, heard: heard.length, recipients,
              rejectedByReason: counts.byReason, lateUids: counts.lateUids,
            },
            'published manifest',
          );
          return { v, manifest };
        });
        if (r) {
          verdicts = r.v;
          built = r.manifest;
        }
        return { kind: 'built', ok: r !== null };
      }
      case 'apply_own': {
        const m = built!;
        // θ_{w+1} was computed into `scratch` when the manifest was built: apply it before
        // scoring, so this node is at the head for the next window however long the
        // evaluation takes (the Gauntlet scores on its own snapshot of θ_w).
        await replica.applyComputed(m, scratch, cmd.rank).catch(async (e: unknown) => {
          // The head moved meanwhile (another validator's manifest): take the general path.
          log.warn({ window: cmd.window, err: (e as Error).message }, 'applying own manifest the general way');
          await replica.offer(m, undefined, cmd.rank).catch((e2: unknown) => {
            log.error({ window: cmd.window, err: (e2 as Error).message }, 'could not apply own manifest');
          });
        });
        return { kind: 'applied' };
      }
      case 'evaluate':
        await evaluateHeldOut(ctx, cmd.window);
        verdicts = null;
        own = null;
        built = null;
        return { kind: 'evaluated' };
      case 'log':
        log[cmd.level]({ event: cmd.event, ...cmd.fields }, cmd.msg);
        return undefined;
    }
  };

  let step = validatorStart(driver.window);
  while (!signal.aborted) {
    let event: ValidatorEvent | null = null;
    for (const cmd of step.commands) {
      const ev = await exec(cmd);
      if (ev === null) return; // stopped
      if (ev) event = ev;
    }
    if (!event || signal.aborted) break;
    step = validatorStep(step.state, event, view(), config);
  }
}

/** Mean loss of θ_window on the fixed held-out sequences; logged and kept for status. */
export async function evaluateHeldOut(ctx: ValidatorDeps, window: number): Promise<number> {
  const loss = await ctx.replica.lock.run(() => ctx.heldOutLoss(ctx.replica.theta));
  ctx.metrics.onEval(window, loss);
  ctx.log.info({ event: 'eval', window, loss, thetaHash: ctx.replica.thetaHash }, 'held-out loss');
  return loss;
}
