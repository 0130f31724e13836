// Puts an adversarial mode (src/validate/adversary.ts) onto a running miner, for
// testnets and researchers. The copycat needs another miner's payload of the same
// window: it waits briefly for one to be announced, fetches it, and re-announces it
// as its own (its announcement is later, so the validator attributes the copy to it).
import type { NodeContext } from './context.js';
import type { MinerHooks } from './miner.js';
import { manifestDigest as manifestDigestOf } from './replica.js';
import { adversaryHooks, isAdversaryMode } from '../validate/index.js';
import { sleep, sleepUntil } from './window-driver.js';
import { buildManifest } from './validator.js';
import { slotOpensAt } from './protocol/speakers.js';
import { payloadDigest } from '../train/compress/index.js';
import { sharedFloat32 } from '../train/compress/offload.js';

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

export function adversaryMinerHooks(ctx: NodeContext, mode: string): MinerHooks {
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
function manifestForger(ctx: NodeContext): MinerHooks {
  const own = new Map<number, Uint8Array>();
  const scratch = sharedFloat32(ctx.engine.numParams);
  const loop = async (): Promise<void> => {
    let c = ctx.driver.window;
    while (!ctx.signal.aborted) {
      c = await ctx.driver.waitFor(c + 1);
      if (c < 0) return;
      const w = c - 1;
      // Speak in the lead's slot, racing its manifest.
      await sleepUntil(slotOpensAt(ctx.driver.startOf(c) ?? Date.now(), 0, ctx.spec.timing), ctx.signal);
      if (ctx.signal.aborted || ctx.replica.chain.head.window >= w) continue;
      const lead = ctx.speakers()[0];
      const bytes = own.get(w);
      const manifest = await ctx.replica.lock.run(async () =>
        w % 2 === 0 || !bytes
          ? { ...(await buildManifest(ctx, w, [], scratch)), validatorUid: lead?.uid ?? 0, nextThetaHash: new Uint8Array(32).fill(0xab) }
          : buildManifest(ctx, w, [{ uid: ctx.uid, digest: payloadDigest(bytes), bytes }], scratch),
      );
      for (const k of own.keys()) if (k < w - 2) own.delete(k);
      try {
        const recipients = await ctx.p2p.publish('manifest', manifest);
        ctx.log.warn(
          { event: 'forged_manifest_published', window: w, digest: manifestDigestOf(manifest), validatorUid: manifest.validatorUid, entries: manifest.entries.map((e) => e.uid), recipients },
          'ADVERSARY: published a forged manifest',
        );
      } catch (e) {
        ctx.log.warn({ window: w, err: (e as Error).message }, 'ADVERSARY: could not publish a forged manifest');
      }
    }
  };
  void loop().catch((e: unknown) => ctx.log.error({ err: (e as Error).message }, 'manifest forger stopped'));
  return {
    transformPayload: (bytes, window) => {
      own.set(window, bytes);
      return bytes;
    },
  };
}
