// Puts an adversarial mode (src/validate/adversary.ts) onto a running miner, for
// testnets and researchers. The copycat needs another miner's payload of the same
// window: it waits briefly for one to be announced, fetches it, and re-announces it
// as its own (its announcement is later, so the validator attributes the copy to it).
import type { NodeContext } from './context.js';
import type { MinerHooks } from './miner.js';
import { adversaryHooks, isAdversaryMode } from '../validate/index.js';
import { sleep } from './window-driver.js';

export function adversaryMinerHooks(ctx: NodeContext, mode: string): MinerHooks {
  if (!isAdversaryMode(mode)) throw new Error(`unknown adversary mode "${mode}"`);
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
