// npm run bench -- ranks [--ranks 4] [--zero 2|3] [--model small] [--batch 4] [--seq 64] [--steps 2]
// Data parallel with sharded AdamW states (--zero 1/2) or fully sharded parameters
// (--zero 3) on the CPU collectives backend against one
// engine on the same whole batch, from the same θ: step time of each, the largest
// relative gradient error (whole-tensor scale), and the optimiser-state bytes one rank
// holds over the single engine's. On a CPU the ranks share the cores (their
// forward/backward take turns), so step_ms_n measures the sharding machinery's cost,
// not a speed-up; docs/cuda.md has the expected GPU scaling. The table also shows the
// parameter bytes one rank holds (its shard, and its peaks during the step) from the
// engine's counters.
import { Engine } from '../src/train/engine.js';
import { ShardedEngine, type ZeroStage } from '../src/train/sharded-engine.js';
import { loadModelConfig } from '../src/train/model-config.js';

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

export async function main(args: string[]): Promise<void> {
  const ranks = Number(flag(args, 'ranks', '4'));
  const config = loadModelConfig(flag(args, 'model', 'small'));
  const batch = Number(flag(args, 'batch', String(ranks)));
  const seqLen = Number(flag(args, 'seq', '64'));
  const steps = Number(flag(args, 'steps', '2'));
  const zero = Number(flag(args, 'zero', '2'));
  if (zero !== 1 && zero !== 2 && zero !== 3) throw new Error(`--zero ${flag(args, 'zero', '')} must be 1, 2 or 3`);
  if (!Number.isInteger(ranks) || ranks < 1 || batch % ranks !== 0) throw new Error(`--batch ${batch} must be a multiple of --ranks ${ranks}`);
  const h = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
  const single = Engine.create(config, { batch, seqLen });
  const sharded = ShardedEngine.create(config, { ranks, batch, seqLen, zero: zero as ZeroStage });
  single.initParams(1);
  let stepMs1 = Infinity, stepMsN = Infinity, maxErr = 0;
  let s = 12345;
  for (let step = 0; step < steps; step++) {
    const n = batch * seqLen, inputs = new Int32Array(n), targets = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      inputs[i] = s % config.vocab_size;
      targets[i] = (s >>> 7) % config.vocab_size;
    }
    sharded.setParams(Float32Array.from(single.params)); // the same θ on both sides each step
    let t = performance.now();
    await single.forwardBackward(inputs, targets);
    const g1 = Float32Array.from(single.grads);
    single.clipGradNorm(h.gradClip);
    single.adamw(h);
    stepMs1 = Math.min(stepMs1, performance.now() - t);
    t = performance.now();
    await sharded.trainStep(inputs, targets, h);
    stepMsN = Math.min(stepMsN, performance.now() - t);
    const g = sharded.grads();
    let d = 0, m = 0;
    for (let i = 0; i < g.length; i++) {
      d = Math.max(d, Math.abs(g[i]! - g1[i]!));
      m = Math.max(m, Math.abs(g1[i]!));
    }
    maxErr = Math.max(maxErr, d / m);
  }
  const singleState = 2 * 4 * single.numParams;
  const ratio = sharded.stateBytesPerRank / singleState;
  const mem = sharded.paramMemory;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  single.dispose();
  console.log(`ranks bench: model ${config.name ?? 'custom'}, ${single.numParams} parameters, batch ${batch} x ${seqLen}, best of ${steps} steps`);
  console.log(`  single engine step      ${stepMs1.toFixed(0)} ms`);
  console.log(`  ${ranks} ranks, ZeRO-${zero} (CPU) ${stepMsN.toFixed(0)} ms`);
  console.log(`  max gradient rel err    ${maxErr.toExponential(2)}   (target <= 1e-5)`);
  console.log(`  AdamW state per rank    ${(sharded.stateBytesPerRank / 2 ** 20).toFixed(1)} MiB of ${(singleState / 2 ** 20).toFixed(1)} MiB = ${ratio.toFixed(4)}   (target <= ${(1.1 / ranks).toFixed(4)})`);
  console.log(`  parameters per rank     kept ${mib(mem.shardBytes)}, peak ${mib(mem.peakBytes)}, peak while a layer ran ${mib(mem.peakLayerBytes)} (model ${mib(mem.modelBytes)}, largest unit ${mib(mem.largestUnitBytes)}) = ${(mem.shardBytes / mem.modelBytes).toFixed(4)} / ${(mem.peakBytes / mem.modelBytes).toFixed(4)} / ${(mem.peakLayerBytes / mem.modelBytes).toFixed(4)} of the model`);
  console.log(`  gradient bytes per rank peak ${mib(mem.peakGradBytes)}`);
  console.log(JSON.stringify({ bench: 'ranks', ranks, step_ms_1: Math.round(stepMs1), step_ms_n: Math.round(stepMsN), max_grad_rel_err: maxErr, state_bytes_per_rank_ratio: ratio }));
}
