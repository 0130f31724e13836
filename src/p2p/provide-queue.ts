// Publishes DHT provider records for stored blobs in the background, yielding to
// blob transfers.
//
// Why a queue: a Kademlia provide is a closest-peers walk plus an ADD_PROVIDER to
// each of the k closest peers, one new stream per message, and every message makes
// its receiver update its routing table and peer store. Measured in the gossip
// bench (8 processes on 2 cores), providing each fetched payload at once, in
// parallel with the transfers of the same burst, cut delivery efficiency from
// 0.59–0.64 (providing off) to 0.23–0.41 (two runs each, old walk schedule). A provider record only matters to a
// peer that fetches later (the announcer is always asked first), so records wait
// until this node's own transfers have been quiet for a moment, with a bound on how
// long any record can wait, and run a few at a time.
import { setMaxListeners } from 'node:events';

export interface ProvideQueueOptions {
  /** publishes one provider record; resolves when done, rejects on failure */
  provide: (digest: string, signal: AbortSignal) => Promise<void>;
  /** false once the blob has left the store (pruned): its record is skipped */
  stillHeld: (digest: string) => boolean;
  /** true while blob transfers (fetches or serves) are in flight */
  transfersActive: () => boolean;
  /** ms since the last transfer ended */
  msSinceTransfer: () => number;
  /** transfers must have been quiet this long before a record is published (default 2 s: a burst of payloads lasts seconds) */
  quietMs?: number;
  /** no record waits longer than this for quiet (default 10 s) */
  maxDeferMs?: number;
  /** records published at once (default 2) */
  concurrency?: number;
  /** bound on one provide (default 30 s) */
  timeoutMs?: number;
  /** most records remembered for whenProvided (default 10,000) */
  maxTracked?: number;
}

interface Pending {
  digest: string;
  queuedAt: number;
  resolve: (ok: boolean) => void;
}

export class ProvideQueue {
  private readonly pending: Pending[] = [];
  private readonly results = new Map<string, Promise<boolean>>();
  private readonly queued = new Set<string>();
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private controller = new AbortController();
  private readonly quietMs: number;
  private readonly maxDeferMs: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly maxTracked: number;

  constructor(private readonly o: ProvideQueueOptions) {
    this.quietMs = o.quietMs ?? 2000;
    this.maxDeferMs = o.maxDeferMs ?? 10_000;
    this.concurrency = o.concurrency ?? 2;
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.maxTracked = o.maxTracked ?? 10_000;
    setMaxListeners(Infinity, this.controller.signal); // one listener per running provide
  }

  /** Queues a record for digest (once while it waits); the promise tells whether it was published. */
  enqueue(digest: string): Promise<boolean> {
    if (this.queued.has(digest)) return this.results.get(digest)!;
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => { resolve = r; });
    this.queued.add(digest);
    // bounded bookkeeping: the records themselves stay in the DHT
    if (this.results.size >= this.maxTracked) this.results.clear();
    this.results.set(digest, promise);
    this.pending.push({ digest, queuedAt: Date.now(), resolve });
    this.pump();
    return promise;
  }

  /** The outcome of the newest record queued for digest; false when none was. */
  whenProvided(digest: string): Promise<boolean> {
    return this.results.get(digest) ?? Promise.resolve(false);
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** Drops what waits (resolved false) and aborts what runs; the queue takes new records afterwards. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller.abort();
    this.controller = new AbortController();
    setMaxListeners(Infinity, this.controller.signal);
    for (const p of this.pending.splice(0)) {
      this.queued.delete(p.digest);
      p.resolve(false);
    }
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.running < this.concurrency && this.pending.length > 0) {
      const head = this.pending[0]!;
      if (!this.o.stillHeld(head.digest)) {
        this.pending.shift();
        this.queued.delete(head.digest);
        head.resolve(false);
        continue;
      }
      const quiet = !this.o.transfersActive() && this.o.msSinceTransfer() >= this.quietMs;
      const overdue = Date.now() - head.queuedAt >= this.maxDeferMs;
      if (!quiet && !overdue) break;
      this.pending.shift();
      this.run(head);
    }
    if (this.pending.length > 0 && this.running < this.concurrency) {
      // poll for quiet; a finished provide pumps again as well
      const wait = Math.max(50, Math.min(this.quietMs, this.maxDeferMs) / 2);
      this.timer = setTimeout(() => this.pump(), wait);
    }
  }

  private run(p: Pending): void {
    this.running++;
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.timeoutMs)]);
    setMaxListeners(Infinity, signal); // the DHT query listens once per peer it asks
    this.o.provide(p.digest, signal)
      .then(() => true, () => false)
      .then((ok) => {
        this.running--;
        this.queued.delete(p.digest);
        p.resolve(ok);
        this.pump();
      });
  }
}
