// A coalescing, rate-limited trigger for an async job (the peer-directory refresh:
// a chain read). Many peers may ask for a re-read at once (a fresh swarm in which
// every node commits its PeerId after the others read the chain), and each message
// of an unknown peer asks again; the chain must see a bounded number of reads.

export interface RateLimited {
  /**
   * Asks for a run. The first request runs at once. Requests that arrive while a run
   * is in flight (it may have read the chain before their reason arose) or less than
   * the interval after the last run started share one next run, started no sooner
   * than the interval after the last. Resolves (or rejects) with that run.
   */
  (): Promise<void>;
  /** No more runs; requests waiting for one resolve at once (a run in flight finishes). */
  cancel(): void;
}

export function rateLimited(job: () => Promise<void>, minIntervalMs: number): RateLimited {
  let inFlight = false;
  let lastStart = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  /** the run that requests now wait for (not started yet) */
  let next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;

  const pump = (): void => {
    if (cancelled || !next || inFlight || timer) return;
    const wait = lastStart + minIntervalMs - Date.now();
    if (wait > 0) {
      timer = setTimeout(() => { timer = undefined; pump(); }, wait);
      return;
    }
    const run = next;
    next = undefined;
    inFlight = true;
    lastStart = Date.now();
    Promise.resolve()
      .then(job)
      .then(run.resolve, run.reject)
      .finally(() => {
        inFlight = false;
        pump();
      });
  };

  const trigger = (() => {
    if (cancelled) return Promise.resolve();
    if (!next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
      // a caller that drops the promise must not turn a failed run into an unhandled rejection
      promise.catch(() => {});
      next = { promise, resolve, reject };
    }
    const p = next.promise;
    pump();
    return p;
  }) as RateLimited;

  trigger.cancel = (): void => {
    cancelled = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    next?.resolve();
    next = undefined;
  };
  return trigger;
}
