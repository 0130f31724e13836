// What a validator set on chain and when, and what it tried and failed to set. Setting
// weights goes through here: a failed set_weights is tried again a few times, logged,
// and recorded; if it still fails the error goes back to the caller, which keeps
// running (the Gauntlet tries again next window, since it did not count it as set).
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../shared/atomic-file.js';

export interface WeightsAttempt {
  window: number;
  block: number;
  timeMs: number;
  ok: boolean;
  /** tries it took (ok) or made (failed) */
  tries: number;
  weights: Array<{ uid: number; weight: number }>;
  /** direct or commit-reveal, as the chain reported */
  mode?: string;
  error?: string;
}

export interface WeightsSetterLike<S> {
  setWeights(signer: S, uids: number[], weights: number[]): Promise<unknown>;
  revealPendingWeights?(signer: S): Promise<unknown>;
}

interface RecorderLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const FORMAT = 'gradmesh-weights-history';

export class WeightsRecorder {
  private list: WeightsAttempt[] = [];

  constructor(
    private readonly o: {
      path?: string;
      max?: number;
      /** tries per window (default 3) and the pause between them (default 2 s, doubling) */
      tries?: number;
      backoffMs?: number;
      log?: RecorderLog;
      /** the window and block an attempt belongs to */
      now: () => { window: number; block: number };
    },
  ) {
    if (o.path) this.list = load(o.path);
  }

  entries(): WeightsAttempt[] {
    return [...this.list];
  }

  /** the last successful set, if any */
  lastSet(): WeightsAttempt | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.ok) return this.list[i];
    return undefined;
  }

  get failures(): number {
    return this.list.filter((a) => !a.ok).length;
  }

  /** A setter that records and retries; give it to the Gauntlet instead of the chain. */
  wrap<S>(chain: WeightsSetterLike<S>): WeightsSetterLike<S> {
    return {
      setWeights: (signer, uids, weights) => this.set(chain, signer, uids, weights),
      ...(chain.revealPendingWeights ? { revealPendingWeights: (signer: S) => chain.revealPendingWeights!(signer) } : {}),
    };
  }

  private async set<S>(chain: WeightsSetterLike<S>, signer: S, uids: number[], weights: number[]): Promise<unknown> {
    const tries = this.o.tries ?? 3;
    let pause = this.o.backoffMs ?? 2000;
    const row = uids.map((uid, i) => ({ uid, weight: weights[i]! }));
    let last: Error | undefined;
    for (let t = 1; t <= tries; t++) {
      const at = this.o.now();
      try {
        const r = await chain.setWeights(signer, uids, weights);
        const mode = (r as { mode?: unknown } | undefined)?.mode;
        this.push({ ...at, timeMs: Date.now(), ok: true, tries: t, weights: row, ...(typeof mode === 'string' ? { mode } : {}) });
        return r;
      } catch (e) {
        last = e as Error;
        if (t < tries) {
          this.o.log?.warn({ event: 'weights_retry', window: at.window, try: t, tries, err: last.message, retryInMs: pause }, 'set_weights failed; trying again');
          await new Promise((r) => setTimeout(r, pause));
          pause *= 2;
        }
      }
    }
    const at = this.o.now();
    this.push({ ...at, timeMs: Date.now(), ok: false, tries, weights: row, error: last?.message ?? 'unknown error' });
    this.o.log?.error({ event: 'weights_failed', window: at.window, tries, err: last?.message }, 'set_weights failed; the validator keeps running and tries again next window');
    throw last ?? new Error('set_weights failed');
  }

  private push(a: WeightsAttempt): void {
    this.list.push(a);
    const max = this.o.max ?? 128;
    if (this.list.length > max) this.list = this.list.slice(-max);
    if (this.o.path) writeFileAtomic(this.o.path, [JSON.stringify({ format: FORMAT, attempts: this.list })]);
  }
}

function load(path: string): WeightsAttempt[] {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown; attempts?: unknown };
    if (doc.format !== FORMAT || !Array.isArray(doc.attempts)) return [];
    return (doc.attempts as WeightsAttempt[]).filter((a) => a && Number.isInteger(a.window) && typeof a.ok === 'boolean');
  } catch {
    return [];
  }
}
