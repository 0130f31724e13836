// Mean loss of the engine's current parameters on the first `count` samples of a
// held-out dataset, in batches of at most the engine's batch size (the last batch
// may be partial). The same fixed sequences every time, so losses compare across
// windows and nodes.
import type { Engine } from './engine.js';
import { makeBatch, type Dataset } from './data/index.js';

export async function heldOutLoss(engine: Engine, ds: Dataset, count: number): Promise<number> {
  const T = engine.seqLen;
  const n = Math.min(count, ds.sampleCount(T));
  let sum = 0;
  for (let i = 0; i < n; i += engine.batch) {
    const idx = Array.from({ length: Math.min(engine.batch, n - i) }, (_, j) => i + j);
    const { inputs, targets } = makeBatch(ds, idx, T);
    const losses = await engine.evalLoss(inputs, targets, idx.length);
    for (let j = 0; j < idx.length; j++) sum += losses[j]!;
  }
  return sum / Math.max(1, n);
}
