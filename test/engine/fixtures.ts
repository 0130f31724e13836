// Loads the PyTorch reference fixtures written by scripts/gen-engine-fixtures.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, validateModelConfig, type ModelConfig } from '../../src/train/model-config.js';

export interface EngineFixture {
  config: ModelConfig;
  batch: number;
  seqLen: number;
  inputs: Int32Array;
  targets: Int32Array;
  params: Float32Array;
  loss: number;
  perSeqLoss: number[];
  logits: Float64Array;
  grads: Map<string, Float64Array>;
}

function decode<T>(b64: string, make: (buf: ArrayBuffer) => T): T {
  const bytes = Buffer.from(b64, 'base64');
  return make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function loadEngineFixture(name: 'fd-untied' | 'fd-tied'): EngineFixture {
  const raw = JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'engine', `${name}.json`), 'utf8')) as {
    config: unknown; batch: number; seqLen: number; inputs: number[]; targets: number[]; params_f32_b64: string;
    loss: number; per_seq_loss: number[]; logits_f64_b64: string; grads: Record<string, string>;
  };
  return {
    config: validateModelConfig(raw.config, name),
    batch: raw.batch,
    seqLen: raw.seqLen,
    inputs: Int32Array.from(raw.inputs),
    targets: Int32Array.from(raw.targets),
    params: decode(raw.params_f32_b64, (b) => new Float32Array(b)),
    loss: raw.loss,
    perSeqLoss: raw.per_seq_loss,
    logits: decode(raw.logits_f64_b64, (b) => new Float64Array(b)),
    grads: new Map(Object.entries(raw.grads).map(([k, v]) => [k, decode(v, (b) => new Float64Array(b))])),
  };
}

/** max |a - b| / max(|b|) over the arrays: the error relative to the tensor's scale. */
export function scaledMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / Math.max(scale, 1e-30);
}
