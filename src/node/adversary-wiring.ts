// Puts an adversarial mode (src/validate/adversary.ts) onto a running miner, for
// testnets and researchers. The copycat needs another miner's payload of the same
// window: it waits briefly for one to be announced, fetches it, and re-announces it
// as its own (its announcement is later, so the validator attributes the copy to it).
import type { NodeCore, ValidatorDeps } from './context.js';
import type { MinerHooks } from './miner.js';
import { manifestDigest as manifestDigestOf } from './replica.js';
import { adversaryHooks, isAdversaryMode } from '../validate/index.js';
import { sleep, sleepUntil } from './window-driver.js';
import { slotOpensAt } from './protocol/speakers.js';
import { payloadDigest, decodePayload, aggregateAndStep, thetaHash } from '../train/compress/index.js';
import type { ManifestMsg } from './replica.js';

/** What an adversarial miner's hooks use: the miner's core, and the announcements it copies from. */
export type AdversaryDeps = NodeCore & Pick<ValidatorDeps, 'announcements'>;

/**
 * Modes of a hostile registered identity, beyond the payload modes: `forge-manifest`
 * is a miner (with a validator permit and some stake on a testnet) that also publishes
 * its own manifests in the lead's slot, as the faults campaign did: alternately a null
 * round naming the lead's uid with a made-up nextThetaHash, and one choosing only its
 * own payload, with its own uid and a correct nextThetaHash.
 */
export const NODE_ADVERSARY_MODES = ['forge-manifest'] as const;

export function isNodeAdversaryMode(mode: string): boolean {
  return (NODE_ADVERSARY_MODES as readonly string[]).includes(mode);
}

export function adversaryMinerHooks(ctx: AdversaryDeps, mode: string): MinerHooks {
  if (mode === 'forge-manifest') return manifestForger(ctx);
  if (!isAdversaryMode(mode)) throw new Error(`unknown adversary mode "${mode}" (modes: ${[...NODE_ADVERSARY_MODES].join(', ')} and the payload modes of docs/adversarial.md)`);
  if (mode !== 'copycat') return adversaryHooks(mode, { layout: ctx.engine.layout, seed: ctx.uid });
  const fetched = new Map<number, Uint8Array>();
  const inner = adversaryHooks('copycat', { layout: ctx.engine.layout, source: (w) => fetched.get(w) ?? null });
  return {
    transformPayload: async (bytes, window) => {
      const until = Date.now() + 3000;
      while (Date.now() < until && !fetched.has(window)) {
        const other = ctx.announcements.forWindow(window).find((a) => a.uid !== ctx.uid);
        if (other) {
          try {
            fetched.set(window, await ctx.p2p.fetchBlob(other.digest, { from: [other.fromPeer], timeoutMs: 3000 }));
          } catch {
            break;
          }
        } else await sleep(100);
      }
      for (const w of fetched.keys()) if (w < window - 2) fetched.delete(w);
      return inner.transformPayload(bytes, window);
    },
  };
}

/** Trains and announces honestly, and forges a manifest for every window it closes. */
function manifestForger(ctx: AdversaryDeps): MinerHooks {
  // Its own payload of each window with the θ and chain head it was trained from, kept
  // when the miner builds it (under the replica lock), so a forgery needs no lock: the
  // miner holds it while training, which would delay the forgery past the lead.
  const own = new Map<number, { bytes: Uint8Array; theta: Float32Array; prev: string }>();
  const forge = (w: number, validatorUid: number): ManifestMsg => {
    const mine = w % 2 === 1 ? own.get(w) : undefined;
    const base = {
      version: 1, runHash: ctx.runHash, window: BigInt(w), issuedAtMs: BigInt(Date.now()),
    };
    if (!mine) {
      // A null round in the lead's name with a made-up result.
      return { ...base, validatorUid, entries: [], nextThetaHash: new Uint8Array(32).fill(0xab), prevDigest: Buffer.from(ctx.replica.chain.head.digest, 'hex') };
    }
    // Only its own payload, with a correct nextThetaHash, in its own name.
    const next = Float32Array.from(mine.theta);
    const payload = decodePayload(mine.bytes, ctx.engine.layout, { runHash: ctx.runHash, window: w, uid: ctx.uid });
    aggregateAndStep(next, ctx.engine.layout, [{ uid: ctx.uid, payload }], ctx.spec.outer.lr);
    return {
      ...base, validatorUid: ctx.uid, entries: [{ uid: ctx.uid, digest: Buffer.from(payloadDigest(mine.bytes), 'hex') }],
      nextThetaHash: Buffer.from(thetaHash(next), 'hex'), prevDigest: Buffer.from(mine.prev, 'hex'),
    };
  };
  const loop = async (): Promise<void> => {
    let c = ctx.driver.window;
    while (!ctx.signal.aborted) {
      c = await ctx.driver.waitFor(c + 1);
      if (c < 0) return;
      const w = c - 1;
      // Speak in the lead's slot, racing its manifest; for the self-only forgery wait
      // for its own payload of w (a slow miner trains late) until the slot before its
      // own would open: still well out of turn.
      const start = ctx.driver.startOf(c) ?? Date.now();
      await sleepUntil(slotOpensAt(start, 0, ctx.spec.timing), ctx.signal);
      while (w % 2 === 1 && !own.has(w) && Date.now() < slotOpensAt(start, 1, ctx.spec.timing) && !ctx.signal.aborted) await sleep(100);
      if (ctx.signal.aborted) return;
      try {
        const manifest = forge(w, ctx.speakers()[0]?.uid ?? 0);
        const recipients = await ctx.p2p.publish('manifest', manifest);
        ctx.log.warn(
          { event: 'forged_manifest_published', window: w, digest: manifestDigestOf(manifest), validatorUid: manifest.validatorUid, entries: manifest.entries.map((e) => e.uid), recipients },
          'ADVERSARY: published a forged manifest',
        );
      } catch (e) {
        ctx.log.warn({ window: w, err: (e as Error).message }, 'ADVERSARY: could not forge a manifest');
      }
      for (const k of own.keys()) if (k < w - 2) own.delete(k);
    }
  };
  void loop().catch((e: unknown) => ctx.log.error({ err: (e as Error).message }, 'manifest forger stopped'));
  return {
    transformPayload: (bytes, window) => {
      own.set(window, { bytes, theta: Float32Array.from(ctx.replica.theta), prev: ctx.replica.chain.head.digest });
      return bytes;
    },
  };
}
