import { makeBatch } from './data/index.js';
export async function heldOutLoss(engine, ds, count) {
    const T = engine.seqLen;
    const n = Math.min(count, ds.sampleCount(T));
    let sum = 0;
    for (let i = 0; i < n; i += engine.batch) {
        const idx = Array.from({ length: Math.min(engine.batch, n - i) }, (_, j) => i + j);
        const { inputs, targets } = makeBatch(ds, idx, T);
        const losses = await engine.evalLoss(inputs, targets, idx.length);
        for (let j = 0; j < idx.length; j++)
            sum += losses[j];
    }
    return sum / Math.max(1, n);
}
//# sourceMappingURL=held-out.js.map