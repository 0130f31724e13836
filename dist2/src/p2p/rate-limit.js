// A coalescing, rate-limited trigger for an async job (the peer-directory refresh:
// a chain read). Many peers may ask for a re-read at once (a fresh swarm in which
// every node commits its PeerId after the others read the chain), and each message
// of an unknown peer asks again; the chain must see a bounded number of reads.
export function rateLimited(job, minIntervalMs) {
    let inFlight = false;
    let lastStart = -Infinity;
    let timer;
    let cancelled = false;
    /** the run that requests now wait for (not started yet) */
    let next;
    const pump = () => {
        if (cancelled || !next || inFlight || timer)
            return;
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
        if (cancelled)
            return Promise.resolve();
        if (!next) {
            let resolve;
            let reject;
            const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
            // a caller that drops the promise must not turn a failed run into an unhandled rejection
            promise.catch(() => { });
            next = { promise, resolve, reject };
        }
        const p = next.promise;
        pump();
        return p;
    });
    trigger.cancel = () => {
        cancelled = true;
        if (timer)
            clearTimeout(timer);
        timer = undefined;
        next?.resolve();
        next = undefined;
    };
    return trigger;
}
//# sourceMappingURL=rate-limit.js.map