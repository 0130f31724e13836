// Runs fuzz targets: generates each case from (seed, target, index), times it, watches
// memory, classifies the outcome, and keeps a watchdog thread that reports the case and
// kills the process if one input hangs or balloons memory (a synchronous decoder stuck
// in a loop cannot be interrupted from its own thread).
import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { generateCase, toHex } from './mutate.js';
/** Thrown by a target when a property (round trip, invariant) does not hold. */
export class PropertyViolation extends Error {
    name = 'PropertyViolation';
}
export function describeError(e) {
    if (e instanceof Error)
        return (e.stack ?? `${e.name}: ${e.message}`).split('\n').slice(0, 8).join('\n');
    return `non-Error thrown: ${typeof e} ${String(e)}`;
}
/** Rejection reasons without the numbers in them, so that they bucket. */
export function bucket(reason) {
    return reason.replace(/0x[0-9a-f]+/gi, 'X').replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N').replace(/"[^"]*"/g, '"…"').slice(0, 70);
}
export function replayCommand(f) {
    return `npm run bench -- fuzz --target ${f.target} --seed ${f.seed} --case ${f.index}`;
}
export function formatFailure(f) {
    return [
        `FUZZ ${f.kind.toUpperCase()} target=${f.target} seed=${f.seed} case=${f.index} ops=${f.ops.join('+')}`,
        `  replay: ${replayCommand(f)}`,
        `  ${f.message.split('\n').join('\n  ')}`,
        `  input (${f.hex.length / 2} bytes): ${f.hex}`,
    ].join('\n');
}
function allocNow() {
    const s = v8.getHeapStatistics();
    return s.used_heap_size + s.external_memory;
}
export async function runTarget(t, o) {
    const rep = {
        target: t.name, inputs: 0, accepted: 0, rejected: 0, reasons: {}, failures: 0, failureKinds: {}, examples: [],
        maxMs: 0, maxMsIndex: -1, seconds: 0, inputsPerSec: 0, maxAllocMiB: 0, rssGrowthMiB: 0,
    };
    const keep = o.keepExamples ?? 5;
    const fail = (kind, index, ops, message, input) => {
        rep.failures++;
        rep.failureKinds[kind] = (rep.failureKinds[kind] ?? 0) + 1;
        if (rep.examples.length < keep)
            rep.examples.push({ kind, target: t.name, seed: o.seed, index, ops, message, hex: toHex(input) });
    };
    // The valid inputs must pass, or the target is broken and its numbers mean nothing.
    for (const [i, c] of t.corpus.entries()) {
        let v;
        try {
            v = await t.run(c.slice());
        }
        catch (e) {
            throw new Error(`fuzz target ${t.name}: valid input ${i} fails: ${describeError(e)}`);
        }
        if (!v.accepted)
            throw new Error(`fuzz target ${t.name}: valid input ${i} is refused (${v.reason})`);
    }
    const rss0 = process.memoryUsage.rss();
    let rssMax = rss0;
    const first = o.onlyIndex ?? 0, last = o.onlyIndex !== undefined ? o.onlyIndex + 1 : o.inputs;
    const t0 = performance.now();
    for (let i = first; i < last; i++) {
        const g = generateCase(o.seed, t.name, i, t.corpus, t.mutators, t.maxLen, t.fields);
        o.watchdog?.enter(t.name, i, g.input);
        const a0 = allocNow();
        const s0 = performance.now();
        let verdict;
        try {
            const v = t.run(g.input);
            verdict = v instanceof Promise ? await v : v;
        }
        catch (e) {
            fail(e instanceof PropertyViolation ? 'property' : 'crash', i, g.ops, describeError(e), g.input);
        }
        const ms = performance.now() - s0;
        const grew = allocNow() - a0;
        o.watchdog?.leave();
        rep.inputs++;
        if (verdict) {
            if (verdict.accepted)
                rep.accepted++;
            else {
                rep.rejected++;
                const k = bucket(verdict.reason);
                rep.reasons[k] = (rep.reasons[k] ?? 0) + 1;
            }
        }
        if (ms > rep.maxMs) {
            rep.maxMs = ms;
            rep.maxMsIndex = i;
        }
        if (ms > o.slowMs) {
            // Once more, so that a descheduled process or a GC pause is not taken for a slow decoder.
            o.watchdog?.enter(t.name, i, g.input);
            const s1 = performance.now();
            try {
                const v = t.run(g.input);
                if (v instanceof Promise)
                    await v;
            }
            catch {
                // reported above
            }
            const again = performance.now() - s1;
            o.watchdog?.leave();
            if (again > o.slowMs)
                fail('slow', i, g.ops, `took ${ms.toFixed(1)} ms, then ${again.toFixed(1)} ms (limit ${o.slowMs} ms)`, g.input);
        }
        if (grew > rep.maxAllocMiB * 1048576)
            rep.maxAllocMiB = grew / 1048576;
        if (grew > o.allocLimitBytes)
            fail('memory', i, g.ops, `heap + ArrayBuffers grew ${(grew / 1048576).toFixed(1)} MiB for one input`, g.input);
        if ((i & 1023) === 1023) {
            rssMax = Math.max(rssMax, process.memoryUsage.rss());
            o.progress?.(i + 1);
        }
    }
    rep.seconds = (performance.now() - t0) / 1000;
    rep.inputsPerSec = rep.inputs / Math.max(rep.seconds, 1e-9);
    rep.rssGrowthMiB = (Math.max(rssMax, process.memoryUsage.rss()) - rss0) / 1048576;
    await t.close?.();
    return rep;
}
// ---------------------------------------------------------------------------------
// Watchdog
// ---------------------------------------------------------------------------------
const INPUT_CAP = 1 << 20;
// Int32 slots of the control block
const SEQ = 0, BUSY = 1, INDEX_LO = 2, INDEX_HI = 3, TARGET = 4, LEN = 5, SLOTS = 8;
/**
 * A worker thread that polls a shared control block. The main thread writes the
 * current case (target, index, input bytes) before each input; if one input stays
 * in flight past hangMs, or RSS passes the limit meanwhile, the worker writes the
 * case to stderr (synchronously: the main thread is stuck) and SIGKILLs the process.
 */
export class Watchdog {
    ctl;
    data;
    worker;
    ids;
    constructor(o) {
        const sab = new SharedArrayBuffer(SLOTS * 4 + INPUT_CAP);
        this.ctl = new Int32Array(sab, 0, SLOTS);
        this.data = new Uint8Array(sab, SLOTS * 4);
        this.ids = new Map(o.targets.map((n, i) => [n, i]));
        this.worker = new Worker(new URL('./watchdog.js', import.meta.url), {
            workerData: { sab, hangMs: o.hangMs, rssLimitBytes: o.rssLimitBytes, seed: o.seed, targets: o.targets, slots: SLOTS },
        });
        this.worker.unref();
    }
    enter(target, index, input) {
        const n = Math.min(input.length, INPUT_CAP);
        this.data.set(input.subarray(0, n));
        this.ctl[TARGET] = this.ids.get(target) ?? -1;
        this.ctl[INDEX_LO] = index | 0;
        this.ctl[INDEX_HI] = Math.floor(index / 4294967296);
        this.ctl[LEN] = input.length;
        Atomics.add(this.ctl, SEQ, 1);
        Atomics.store(this.ctl, BUSY, 1);
    }
    leave() {
        Atomics.store(this.ctl, BUSY, 0);
    }
    async stop() {
        await this.worker.terminate();
    }
}
//# sourceMappingURL=runner.js.map