// Turns the chain's block stream into window events and deadlines:
// window = floor(block / blocksPerWindow). The local time at which a window was
// first seen is its start; deadlines are measured from it.

export interface BlockSource {
  subscribeBlocks(cb: (block: number) => void): Promise<() => void>;
  currentBlock(): Promise<number>;
}

export class WindowDriver {
  private current = -1;
  private startedAt = new Map<number, number>();
  private waiters: Array<{ window: number; resolve: (w: number) => void }> = [];
  private unsubscribe?: () => void;
  private lastBlock = -1;

  constructor(
    private readonly chain: BlockSource,
    readonly blocksPerWindow: number,
  ) {}

  async start(): Promise<void> {
    this.onBlock(await this.chain.currentBlock());
    this.unsubscribe = await this.chain.subscribeBlocks((b) => this.onBlock(b));
  }

  stop(): void {
    this.unsubscribe?.();
    for (const w of this.waiters) w.resolve(-1);
    this.waiters = [];
  }

  get window(): number {
    return this.current;
  }

  get block(): number {
    return this.lastBlock;
  }

  windowOf(block: number): number {
    return Math.floor(block / this.blocksPerWindow);
  }

  /** Local wall-clock ms at which `window` began (or now, if it was never seen start). */
  startOf(window: number): number | undefined {
    return this.startedAt.get(window);
  }

  /** Resolves with the current window once it is ≥ `window` (-1 if stopped). */
  waitFor(window: number): Promise<number> {
    if (this.current >= window) return Promise.resolve(this.current);
    return new Promise((resolve) => this.waiters.push({ window, resolve }));
  }

  private onBlock(block: number): void {
    if (block > this.lastBlock) this.lastBlock = block;
    const w = this.windowOf(block);
    if (w <= this.current) return;
    this.current = w;
    this.startedAt.set(w, Date.now());
    for (const k of this.startedAt.keys()) if (k < w - 64) this.startedAt.delete(k);
    const ready = this.waiters.filter((x) => x.window <= w);
    this.waiters = this.waiters.filter((x) => x.window > w);
    for (const r of ready) r.resolve(w);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Sleeps until the wall-clock time `atMs` (returns at once if it has passed). */
export function sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
  return sleep(atMs - Date.now(), signal);
}
