// "Is my miner paid?": what the chain says about this node's uid, window by window —
// rank, trust, consensus, incentive, emission, and the weight each validator gives it.
// Bounded (the newest entries are kept) and persisted in the node's directory, so that
// a restart keeps the history `gradmesh status` and the dashboard show.
import { readFileSync } from 'node:fs';
import type { Chain, Neuron } from '../chain/index.js';
import { writeFileAtomic } from '../shared/atomic-file.js';

export interface WeightFrom {
  /** the validator's uid and stake */
  validatorUid: number;
  stake: number;
  /** the validator's weight for this uid, as a share of its whole row (0..1) */
  weight: number;
}

export interface PayEntry {
  window: number;
  block: number;
  timeMs: number;
  uid: number;
  rank: number | null;
  trust: number | null;
  consensus: number | null;
  incentive: number;
  emission: number | null;
  dividends: number | null;
  /** every validator whose weights row gives this uid more than 0, highest weight first */
  weightsFrom: WeightFrom[];
}

const orNull = (x: number | undefined): number | null => (x === undefined || !Number.isFinite(x) ? null : x);

/** The entry for `uid`, from a metagraph and every validator's weights row (pure). */
export function payEntry(
  at: { window: number; block: number; timeMs?: number },
  uid: number,
  neurons: Neuron[],
  allWeights: Map<number, Map<number, number>>,
): PayEntry {
  const me = neurons.find((n) => n.uid === uid);
  const stakeOf = new Map(neurons.map((n) => [n.uid, n.stake]));
  const weightsFrom: WeightFrom[] = [];
  for (const [v, row] of allWeights) {
    const mine = row.get(uid) ?? 0;
    if (mine <= 0) continue;
    let sum = 0;
    for (const x of row.values()) sum += x;
    weightsFrom.push({ validatorUid: v, stake: stakeOf.get(v) ?? 0, weight: mine / sum });
  }
  weightsFrom.sort((a, b) => b.weight - a.weight || a.validatorUid - b.validatorUid);
  return {
    window: at.window,
    block: at.block,
    timeMs: at.timeMs ?? Date.now(),
    uid,
    rank: orNull(me?.rank),
    trust: orNull(me?.trust),
    consensus: orNull(me?.consensus),
    incentive: me?.incentive ?? 0,
    emission: orNull(me?.emission),
    dividends: orNull(me?.dividends),
    weightsFrom,
  };
}

/** Reads the chain now (one metagraph, one read of every weights row). */
export async function readPay(chain: Pick<Chain, 'metagraph' | 'allWeights'>, uid: number, at: { window: number; block: number }): Promise<PayEntry> {
  const [neurons, weights] = await Promise.all([chain.metagraph(), chain.allWeights()]);
  return payEntry(at, uid, neurons, weights);
}

const HISTORY_FORMAT = 'gradmesh-chain-history';

/** The newest `max` entries, one per window, saved to `path` after each record. */
export class ChainHistory {
  private list: PayEntry[] = [];

  constructor(private readonly path?: string, readonly max = 256) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`chain history size must be a positive integer, not ${max}`);
    if (path) this.list = loadHistory(path).slice(-max);
  }

  record(e: PayEntry): void {
    // a window read twice (a restart within it) keeps the newer reading
    this.list = this.list.filter((x) => x.window !== e.window);
    this.list.push(e);
    this.list.sort((a, b) => a.window - b.window);
    if (this.list.length > this.max) this.list = this.list.slice(-this.max);
    if (this.path) writeFileAtomic(this.path, [JSON.stringify({ format: HISTORY_FORMAT, entries: this.list })]);
  }

  entries(): PayEntry[] {
    return [...this.list];
  }

  latest(): PayEntry | undefined {
    return this.list[this.list.length - 1];
  }
}

/** A missing file is an empty history; an unreadable one too (it is a cache of chain reads, not state). */
function loadHistory(path: string): PayEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  try {
    const doc = JSON.parse(text) as { format?: unknown; entries?: unknown };
    if (doc.format !== HISTORY_FORMAT || !Array.isArray(doc.entries)) return [];
    return (doc.entries as PayEntry[]).filter((e) => e && Number.isInteger(e.window) && Number.isInteger(e.uid) && Array.isArray(e.weightsFrom));
  } catch {
    return [];
  }
}

/**
 * Reads the chain for `uid` once at the start of every window and records it; a failed
 * read is logged and skipped (the next window tries again). Returns a stop function.
 */
export function watchPay(o: {
  chain: Pick<Chain, 'metagraph' | 'allWeights'>;
  uid: number;
  history: ChainHistory;
  driver: { readonly window: number; readonly block: number; waitFor(window: number): Promise<number> };
  log?: { warn(obj: object, msg?: string): void };
}): () => void {
  let stopped = false;
  void (async () => {
    let w = o.driver.window;
    while (!stopped) {
      try {
        o.history.record(await readPay(o.chain, o.uid, { window: w, block: o.driver.block }));
      } catch (e) {
        if (!stopped) o.log?.warn({ event: 'pay_read_failed', window: w, err: (e as Error).message }, 'could not read what the chain pays this uid; trying again next window');
      }
      const next = await o.driver.waitFor(w + 1);
      if (next < 0) break;
      w = next;
    }
  })();
  return () => {
    stopped = true;
  };
}
