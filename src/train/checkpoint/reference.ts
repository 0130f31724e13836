// Reference logits written next to an export, so a machine without Node (the GPU box
// with PyTorch and transformers) can check that transformers computes what our engine
// computes: reference_tokens.json (the input and the shape) and reference_logits.bin
// (fp32 little-endian [nSeq, seqLen, vocab]). bench/gpu/export_check.py reads them.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { Engine } from '../engine.js';
import type { ModelConfig } from '../model-config.js';
import { encodeText } from '../data/tokenizer.js';

export const REFERENCE_TOKENS_FILE = 'reference_tokens.json';
export const REFERENCE_LOGITS_FILE = 'reference_logits.bin';

/** Fixed English sentences, one per reference sequence. */
export const REFERENCE_TEXTS = [
  'The quick brown fox jumps over the lazy dog, and then it runs far away into the quiet forest near the river.',
  'In 1961, the committee met again in Washington to discuss the budget; nobody expected the vote to pass so easily.',
];

export interface ReferenceTokens {
  texts: string[];
  /** [nSeq][seqLen] GPT-2 token ids (the first seqLen tokens of each text). */
  tokens: number[][];
  shape: [number, number, number];
  dtype: 'float32';
  byteOrder: 'little';
  engine: string;
  thetaHash?: string;
}

export function referenceTokens(model: ModelConfig, seqLen = Math.min(16, model.max_position_embeddings)): number[][] {
  return REFERENCE_TEXTS.map((text) => {
    const ids = encodeText(text).slice(0, seqLen).map((t) => t % model.vocab_size);
    if (ids.length < seqLen) throw new RangeError(`reference text has only ${ids.length} tokens, need ${seqLen}`);
    return ids;
  });
}

/** Runs the engine on the reference input and writes the two reference files into outDir. */
export async function writeReferenceLogits(outDir: string, model: ModelConfig, params: Float32Array, extra: { thetaHash?: string } = {}): Promise<ReferenceTokens> {
  const tokens = referenceTokens(model);
  const nSeq = tokens.length;
  const seqLen = tokens[0]!.length;
  // One thread: the reference is then the same bits on every machine (OpenBLAS sums in
  // a different order with more threads).
  const engine = Engine.create(model, { batch: nSeq, seqLen, threads: 1 });
  let logits: Float32Array;
  try {
    engine.params.set(params);
    logits = await engine.logits(Int32Array.from(tokens.flat()), nSeq);
  } finally {
    engine.dispose();
  }
  const info: ReferenceTokens = {
    texts: REFERENCE_TEXTS, tokens, shape: [nSeq, seqLen, model.vocab_size], dtype: 'float32', byteOrder: 'little',
    engine: 'gradmesh native CPU engine', ...extra,
  };
  writeFileAtomic(join(outDir, REFERENCE_TOKENS_FILE), [`${JSON.stringify(info, null, 2)}\n`]);
  writeFileAtomic(join(outDir, REFERENCE_LOGITS_FILE), [new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength)]);
  for (const f of [REFERENCE_TOKENS_FILE, REFERENCE_LOGITS_FILE]) chmodSync(join(outDir, f), 0o644);
  return info;
}
