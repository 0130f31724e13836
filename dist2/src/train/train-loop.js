// The single-node training loop: batches from a callback, one engine trainStep each,
// a learning-rate schedule, a per-step report with an ETA, and a held-out loss every
// N steps and at the end. Reused by `gradmesh train` and by anything else that trains
// on one node.
import { EngineError } from './engine.js';
/** Warm-up then (optionally) cosine decay; step is 0-based. */
export function learningRate(step, steps, lr, warmup = 0, cosine = false, minRatio = 0.1) {
    if (step < warmup)
        return (lr * (step + 1)) / warmup;
    if (!cosine || steps <= warmup + 1)
        return lr;
    const progress = Math.min(1, (step - warmup) / (steps - warmup - 1));
    return lr * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
/** Trains for opts.steps steps (fewer if aborted); returns the reports. */
export async function trainLoop(engine, nextBatch, opts) {
    if (!Number.isInteger(opts.steps) || opts.steps < 0)
        throw new EngineError(`steps must be a non-negative integer, got ${opts.steps}`);
    const evalEvery = opts.evalEvery ?? 0;
    if (!Number.isInteger(evalEvery) || evalEvery < 0)
        throw new EngineError(`evalEvery must be a non-negative integer, got ${evalEvery}`);
    const reports = [];
    const tokens = engine.batch * engine.seqLen;
    const start = performance.now();
    for (let step = 0; step < opts.steps && !opts.signal?.aborted; step++) {
        const batch = await nextBatch(step);
        const lr = learningRate(step, opts.steps, opts.hparams.lr, opts.warmupSteps ?? 0, opts.cosine ?? false, opts.minLrRatio ?? 0.1);
        const t0 = performance.now();
        const { loss, gradNorm } = await engine.trainStep(batch.inputs, batch.targets, { ...opts.hparams, lr });
        const stepMs = performance.now() - t0;
        const done = step + 1;
        const report = { step: done, steps: opts.steps, loss, gradNorm, lr, stepMs, tokensPerSecond: tokens / (stepMs / 1e3), elapsedMs: 0, etaMs: 0 };
        const last = done === opts.steps;
        if (opts.evaluate && evalEvery > 0 && done % evalEvery === 0 && !last) {
            report.heldOutLoss = await opts.evaluate();
            opts.onEval?.({ step: done, loss: report.heldOutLoss, final: false });
        }
        report.elapsedMs = performance.now() - start;
        report.etaMs = (report.elapsedMs / done) * (opts.steps - done);
        reports.push(report);
        opts.onStep?.(report);
    }
    // The final evaluation, after the last step done: at the end, and also when
    // stopped early, so that what is saved comes with its held-out loss.
    const final = reports[reports.length - 1];
    if (opts.evaluate && final) {
        final.heldOutLoss = await opts.evaluate();
        opts.onEval?.({ step: final.step, loss: final.heldOutLoss, final: true });
    }
    return reports;
}
/** Mean per-sequence loss of the engine's current parameters over fixed held-out batches. */
export async function heldOutLossOf(engine, batches) {
    let sum = 0;
    let n = 0;
    for (const b of batches) {
        const losses = await engine.evalLoss(b.inputs, b.targets, b.n);
        for (let j = 0; j < b.n; j++)
            sum += losses[j];
        n += b.n;
    }
    return sum / Math.max(1, n);
}
/** Share of a token file held out for evaluation (at most `maxSequences` sequences of it). */
export const HELD_OUT_SHARE = 0.1;
/**
 * Splits a token stream into a training part and held-out sequences: up to
 * `maxSequences` disjoint (T+1)-token windows from the last HELD_OUT_SHARE of the
 * stream, which training never reads. None when that share is shorter than one
 * window.
 */
export function splitHeldOut(tokens, seqLen, maxSequences, batch, vocab = Number.POSITIVE_INFINITY) {
    const win = seqLen + 1;
    const count = Math.min(maxSequences, Math.floor((tokens.length * HELD_OUT_SHARE) / win));
    if (count < 1)
        return { train: tokens, heldOut: [] };
    const begin = tokens.length - count * win;
    const heldOut = [];
    for (let s = 0; s < count; s += batch) {
        const n = Math.min(batch, count - s);
        const inputs = new Int32Array(n * seqLen);
        const targets = new Int32Array(n * seqLen);
        for (let b = 0; b < n; b++) {
            const at = begin + (s + b) * win;
            for (let t = 0; t < seqLen; t++) {
                const x = tokens[at + t], y = tokens[at + t + 1];
                if (x >= vocab || y >= vocab)
                    throw new EngineError(`token ${Math.max(x, y)} at offset ${at + t} is outside the model vocabulary (${vocab})`);
                inputs[b * seqLen + t] = x;
                targets[b * seqLen + t] = y;
            }
        }
        heldOut.push({ inputs, targets, n });
    }
    return { train: tokens.subarray(0, begin), heldOut };
}
/** Contiguous (T+1)-token windows at seeded pseudo-random offsets of a token array. */
export function windowBatchSource(tokens, batch, seqLen, seed, vocab) {
    const windows = tokens.length - seqLen;
    if (windows < 1)
        throw new EngineError(`need more than ${seqLen} tokens for sequence length ${seqLen}, got ${tokens.length}`);
    let state = seed >>> 0;
    // mulberry32: a small seeded generator; training order need not match across nodes here.
    const next = () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let z = state;
        z = Math.imul(z ^ (z >>> 15), z | 1);
        z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
        return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
    };
    return () => {
        const inputs = new Int32Array(batch * seqLen), targets = new Int32Array(batch * seqLen);
        for (let b = 0; b < batch; b++) {
            const start = Math.floor(next() * windows);
            for (let t = 0; t < seqLen; t++) {
                const x = tokens[start + t], y = tokens[start + t + 1];
                if (x >= vocab || y >= vocab)
                    throw new EngineError(`token ${Math.max(x, y)} at offset ${start + t} is outside the model vocabulary (${vocab})`);
                inputs[b * seqLen + t] = x;
                targets[b * seqLen + t] = y;
            }
        }
        return { inputs, targets };
    };
}
//# sourceMappingURL=train-loop.js.map