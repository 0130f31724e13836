// `npm run bench -- convergence [--windows N] [--miners M]`
// Same total tokens, two ways:
//   (a) baseline: one node running AdamW with the global batch M·B for W·H steps
//       (what synchronous data-parallel training of M workers would do);
//   (b) a gradmesh testnet of M miners (and one validator) for W windows of H steps,
//       exchanging SparseLoCo-compressed pseudo-gradients.
// Both report the held-out loss on the same sequences (the validator's eval set).
import '../src/polyfill.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/train/engine.js';
import { loadModelConfig, parameterCount } from '../src/train/model-config.js';
import { ensureDefaultDataset, openDataset, makeBatch, samplePool } from '../src/train/data/index.js';
import { heldOutLoss } from '../src/train/held-out.js';
import { loadRunSpec, runHash, innerLr } from '../src/node/run-spec.js';
import { Testnet } from '../src/testnet/testnet.js';
import { loadNative } from '../src/native/index.js';
import { randomBasePort } from '../src/testnet/test-ports.js';

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

export async function main(args: string[]): Promise<void> {
  // A testnet-tiny twin with longer windows, so that on 2 shared cores every miner's
  // payload arrives in time and the comparison is about the algorithm, not the CPU.
  const i = args.indexOf('--run');
  const run = i >= 0 ? args[i + 1]! : 'convergence-tiny';
  const spec = loadRunSpec(run);
  const W = arg(args, 'windows', 12);
  const M = arg(args, 'miners', 4);
  const B = spec.batch;
  const H = spec.innerSteps;
  const T = spec.seqLen;
  const model = loadModelConfig(spec.model);
  const { train, val } = await ensureDefaultDataset();
  const trainSet = openDataset(train);
  const valSet = openDataset(val);
  const nEval = Math.min(spec.eval.heldOutSequences, valSet.sampleCount(T));

  // (a) Baseline: global batch M·B, W·H AdamW steps, the same LR schedule and data stream
  // (the union of the samples the M miners would draw).
  loadNative().setThreads(2);
  const engine = Engine.create(model, { batch: M * B, seqLen: T });
  engine.initParams(spec.initSeed);
  const evalEngine = Engine.create(model, { batch: B, seqLen: T });
  const t0 = Date.now();
  const rh = runHash(spec, model);
  const sampleCount = trainSet.sampleCount(T);
  let step = 0;
  // The baseline's held-out loss after each window's worth of tokens (M·B·H·T), so
  // that the p2p run is compared at exactly the tokens its manifests aggregated.
  const curve: Array<{ tokens: number; loss: number }> = [];
  evalEngine.params.set(engine.params);
  curve.push({ tokens: 0, loss: await heldOutLoss(evalEngine, valSet, nEval) });
  for (let w = 0; w < W; w++) {
    const pools = Array.from({ length: M }, (_, uid) => samplePool(rh, uid + 1, w, B * H, sampleCount));
    for (let h = 0; h < H; h++) {
      const idx = pools.flatMap((p) => p.slice(h * B, (h + 1) * B));
      const { inputs, targets } = makeBatch(trainSet, idx, T);
      await engine.trainStep(inputs, targets, { ...spec.inner, lr: innerLr(spec, step++) });
    }
    evalEngine.params.set(engine.params);
    curve.push({ tokens: (w + 1) * M * B * H * T, loss: await heldOutLoss(evalEngine, valSet, nEval) });
  }
  const baselineAt = (tokens: number): number => {
    for (let i = 1; i < curve.length; i++) {
      const a = curve[i - 1]!;
      const b = curve[i]!;
      if (tokens <= b.tokens) return a.loss + ((b.loss - a.loss) * (tokens - a.tokens)) / (b.tokens - a.tokens);
    }
    return curve[curve.length - 1]!.loss;
  };
  const baselineS = (Date.now() - t0) / 1000;
  engine.dispose();
  evalEngine.dispose();

  // (b) The p2p testnet.
  const dir = mkdtempSync(join(tmpdir(), 'gm-conv-'));
  const sent: number[] = [];
  const net = new Testnet({
    run, dir, miners: M, validators: 1, basePort: randomBasePort(), threadsPerNode: 1, fresh: true,
    print: () => undefined,
    onEvent: (_node, ev) => {
      if (ev.event === 'announced' && typeof ev.bytes === 'number') sent.push(ev.bytes);
    },
  });
  const t1 = Date.now();
  let p2pLoss = Number.NaN;
  let windowsDone = 0;
  let p2pTokens = 0;
  try {
    await net.start();
    await net.waitForEvaluatedWindows(W + 1);
    const evals = [...net.windows.values()].filter((s) => s.evalLoss !== undefined).sort((a, b) => a.window - b.window);
    windowsDone = evals.filter((s) => (s.payloads ?? 0) > 0).length;
    const last = evals[evals.length - 1]!;
    p2pLoss = last.evalLoss!;
    // Tokens in θ of the last evaluated window: the payloads its manifests aggregated.
    p2pTokens = evals.filter((s) => s.window <= last.window).reduce((sum, s) => sum + (s.payloads ?? 0), 0) * B * H * T;
  } finally {
    await net.stop();
  }
  const p2pS = (Date.now() - t1) / 1000;
  const bytesPerMinerPerWindow = sent.length ? sent.reduce((a, b) => a + b, 0) / sent.length : 0;
  const baselineLoss = baselineAt(p2pTokens);
  const ratio = p2pLoss / baselineLoss;

  console.log(`convergence: model ${model.name}, ${M} miners, ${W} windows of ${H} steps, batch ${B} per miner, T=${T}`);
  console.log('| setup | held-out loss | wall s |');
  console.log('|---|---|---|');
  console.log(`| baseline AdamW, batch ${M * B}, at ${p2pTokens} tokens (interpolated; ${W * H} steps = ${W * M * B * H * T} tokens: ${curve[curve.length - 1]!.loss.toFixed(4)}) | ${baselineLoss.toFixed(4)} | ${baselineS.toFixed(1)} |`);
  console.log(`| gradmesh testnet, ${M} miners, ${p2pTokens} tokens aggregated | ${p2pLoss.toFixed(4)} | ${p2pS.toFixed(1)} |`);
  console.log(`ratio p2p/baseline ${ratio.toFixed(4)}; bytes per miner per window ${bytesPerMinerPerWindow.toFixed(0)} (dense fp32 would be ${parameterCount(model) * 4}); windows with updates ${windowsDone} of ${W}`);
  console.log(JSON.stringify({ bench: 'convergence', baseline_loss: baselineLoss, p2p_loss: p2pLoss, ratio, bytes_per_miner_per_window: bytesPerMinerPerWindow }));
}
