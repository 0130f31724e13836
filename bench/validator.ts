// npm run bench -- validator [--run testnet-tiny] [--windows 2] [--miners 3] [--threads N]
// The cost of the Gauntlet against the work it judges: one miner's training per
// window (H AdamW steps on B×T, Δ, error feedback + compression + encoding) versus
// the validator's evaluation of one miner (own-data batch, the window's random batch
// shared by all evaluated miners, applying the clipped payload, both losses again,
// restoring θ and checking its hash), with the run spec's model, B, H and T.
// Tokens are random (timing does not depend on them), so no dataset is built.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunSpec, runHash as computeRunHash, innerLr } from '../src/node/run-spec.js';
import { loadModelConfig } from '../src/train/model-config.js';
import { Engine } from '../src/train/engine.js';
import { compressWithFeedback, encodePayload, modelShapeHash, payloadDigest, thetaHashBytes, aggregateAndStep, decodePayload } from '../src/train/compress/index.js';
import {
  encodeShard, writeManifest, sha256FileSync, openDataset, makeBatch, samplePool, minerTrainingSamples, type Dataset,
} from '../src/train/data/index.js';
import { Gauntlet } from '../src/validate/index.js';
import type { WindowVerdicts } from '../src/validate/verdicts.js';

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

function randomDataset(dir: string, tokens: number, vocab: number): Dataset {
  let s = 12345;
  const t = new Uint16Array(tokens);
  for (let i = 0; i < tokens; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    t[i] = (s >>> 8) % vocab;
  }
  const bytes = encodeShard(t, 'llmc-bin');
  const file = join(dir, 'shard_000.bin');
  writeFileSync(file, bytes);
  writeManifest(dir, {
    format: 'gradmesh-dataset', version: 1, tokenizer: 'gpt2', vocabSize: vocab, eotToken: 0, seqLen: 64,
    totalTokens: tokens, shards: [{ file: 'shard_000.bin', tokens, bytes: bytes.length, sha256: sha256FileSync(file) }],
  });
  return openDataset(dir);
}

export async function main(args: string[]): Promise<void> {
  const spec = loadRunSpec(flag(args, 'run', 'testnet-tiny'));
  const windows = Number(flag(args, 'windows', '2'));
  const minersPerWindow = Number(flag(args, 'miners', '3'));
  const threadsArg = flag(args, 'threads', '');
  const model = loadModelConfig(spec.model);
  const runHash = computeRunHash(spec, model);
  const B = spec.batch, H = spec.innerSteps, T = spec.seqLen;
  const dir = mkdtempSync(join(tmpdir(), 'gm-bench-validator-'));
  const ds = randomDataset(dir, Math.max(1 << 20, 4 * minersPerWindow * B * H * (T + 1)), Math.min(model.vocab_size, 50257));
  const engine = Engine.create(model, { batch: B, seqLen: T, ...(threadsArg ? { threads: Number(threadsArg) } : {}) });
  engine.initParams(spec.initSeed);
  const theta = Float32Array.from(engine.params);
  const n = engine.numParams;
  const errorBuffers = Array.from({ length: minersPerWindow }, () => new Float32Array(n));
  const delta = new Float32Array(n);
  const gauntlet = new Gauntlet({
    engine, runHash, spec, trainSet: ds, theta: () => theta, nonce: new Uint8Array(32).fill(1),
    config: { evalPerWindow: minersPerWindow },
  });
  const minerS: number[] = [];
  const evalS: number[] = [];
  const chooseS: number[] = [];
  let step = 0;
  try {
    for (let w = 0; w < windows; w++) {
      const verdicts: WindowVerdicts = { accepted: [], rejected: [] };
      for (let m = 0; m < minersPerWindow; m++) {
        const uid = m + 1;
        // The miner's window, as src/node/miner.ts runs it.
        const t0 = performance.now();
        engine.params.set(theta);
        const samples = minerTrainingSamples(samplePool(runHash, uid, w, B * H, ds.sampleCount(T)), B, H);
        for (let h = 0; h < H; h++) {
          const { inputs, targets } = makeBatch(ds, samples.slice(h * B, (h + 1) * B), T);
          await engine.trainStep(inputs, targets, { ...spec.inner, lr: innerLr(spec, step++) });
        }
        for (let i = 0; i < n; i++) delta[i] = theta[i]! - engine.params[i]!;
        engine.params.set(theta);
        const c = compressWithFeedback(errorBuffers[m]!, delta, engine.layout, spec.compression.errorDecay, spec.compression);
        const bytes = encodePayload({ version: 1, runHash, window: w, uid, modelShapeHash: modelShapeHash(engine.layout), baseThetaHash: thetaHashBytes(theta) }, c);
        minerS.push((performance.now() - t0) / 1000);
        verdicts.accepted.push({ uid, digest: payloadDigest(bytes), bytes });
      }
      const t1 = performance.now();
      const chosen = await gauntlet.choose(w, verdicts);
      chooseS.push((performance.now() - t1) / 1000);
      const report = await gauntlet.afterWindow(w, verdicts);
      evalS.push(report.evalMs / 1000 / report.evaluated.length);
      aggregateAndStep(theta, engine.layout, chosen.map((x) => ({ uid: x.uid, payload: decodePayload(x.bytes, engine.layout) })), spec.outer.lr);
    }
  } finally {
    engine.dispose();
    ds.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const eval_s = median(evalS);
  const miner_window_s = median(minerS);
  const ratio = eval_s / miner_window_s;
  const cfg = gauntlet.config;
  console.log(`run ${spec.run}: model ${model.name} (${n} params), B=${B} H=${H} T=${T}, ${minersPerWindow} miners × ${windows} windows; own ${cfg.ownSamples} + random ${cfg.randomSamples} sequences per evaluation`);
  console.log(`miner window (train + compress), median of ${minerS.length}: ${miner_window_s.toFixed(3)} s`);
  console.log(`evaluate one miner, median of ${evalS.length} windows:   ${eval_s.toFixed(3)} s`);
  console.log(`choose (decode, stale/copy/outlier checks, manifest) per window: ${median(chooseS).toFixed(3)} s`);
  console.log(`ratio eval/miner window: ${ratio.toFixed(3)} (target ≤ 0.10)`);
  console.log(JSON.stringify({ bench: 'validator', eval_s, miner_window_s, ratio }));
}
