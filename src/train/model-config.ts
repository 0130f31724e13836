// Model configuration (Hugging Face LlamaConfig field names) and the canonical
// parameter layout. The layout is the single source of truth for the order of
// tensors in the flat parameter buffer, in checkpoints, in payloads and in thetaHash.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';
// Re-exported so that tests and scripts that find the repository through this module keep working.
export { repoRoot };

export interface ModelConfig {
  name: string;
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Maximum (and default training) sequence length T. */
  max_position_embeddings: number;
  rms_norm_eps: number;
  rope_theta: number;
  tie_word_embeddings: boolean;
}

export interface TensorSpec {
  /** Hugging Face LlamaForCausalLM state-dict name. */
  name: string;
  shape: number[];
  /** Offset in floats into the flat parameter buffer. */
  offset: number;
  numel: number;
}

export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

/** True when `nameOrPath` is a path (a .json file, or anything with a directory part), not a built-in name. */
function isPathLike(nameOrPath: string): boolean {
  return nameOrPath.endsWith('.json') || /[/\\]/.test(nameOrPath) || nameOrPath === '.' || nameOrPath === '..';
}

/** A name in config/models/, or a path, taken as given (not pasted into config/models/NAME.json). */
export function modelConfigPath(nameOrPath: string): string {
  if (isPathLike(nameOrPath)) return resolve(nameOrPath);
  return join(repoRoot(), 'config', 'models', `${nameOrPath}.json`);
}

const INT_FIELDS = [
  'vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers',
  'num_attention_heads', 'num_key_value_heads', 'max_position_embeddings',
] as const;

/** Checks a parsed config object; every error names the field and what was expected. */
export function validateModelConfig(raw: unknown, source = 'model config'): ModelConfig {
  if (typeof raw !== 'object' || raw === null) throw new ModelConfigError(`${source}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const f of INT_FIELDS) {
    const v = o[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ModelConfigError(`${source}: field "${f}" must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  for (const f of ['rms_norm_eps', 'rope_theta'] as const) {
    const v = o[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ModelConfigError(`${source}: field "${f}" must be a positive number, got ${JSON.stringify(v)}`);
    }
  }
  if (typeof o.tie_word_embeddings !== 'boolean') {
    throw new ModelConfigError(`${source}: field "tie_word_embeddings" must be true or false`);
  }
  const c = o as unknown as ModelConfig;
  if (c.hidden_size % c.num_attention_heads !== 0) {
    throw new ModelConfigError(`${source}: hidden_size (${c.hidden_size}) must be divisible by num_attention_heads (${c.num_attention_heads})`);
  }
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    throw new ModelConfigError(`${source}: num_attention_heads (${c.num_attention_heads}) must be divisible by num_key_value_heads (${c.num_key_value_heads})`);
  }
  if ((c.hidden_size / c.num_attention_heads) % 2 !== 0) {
    throw new ModelConfigError(`${source}: head dimension must be even for RoPE`);
  }
  return { ...c, name: typeof o.name === 'string' ? o.name : 'custom' };
}

/** Loads `config/models/NAME.json` or a path to a JSON file. */
export function loadModelConfig(nameOrPath: string): ModelConfig {
  const path = modelConfigPath(nameOrPath);
  if (isPathLike(nameOrPath)) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new ModelConfigError(`no model config ${path}: no such file`);
    if (st.isDirectory()) throw new ModelConfigError(`${path} is a directory, not a model config file (give a JSON file or one of tiny, small, 150m, 1b, 8b)`);
  } else if (!existsSync(path)) {
    throw new ModelConfigError(`unknown model "${nameOrPath}": no file ${path} (built-in: tiny, small, 150m, 1b, 8b)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return validateModelConfig(raw, path);
}

export function headDim(c: ModelConfig): number {
  return c.hidden_size / c.num_attention_heads;
}

/**
 * The canonical parameter order: embedding, then per layer
 * input_layernorm, q, k, v, o, post_attention_layernorm, gate, up, down,
 * then the final norm and (if untied) lm_head. Linear weights are [out, in]
 * (PyTorch nn.Linear layout), so a checkpoint exports without transposes.
 */
export function parameterLayout(c: ModelConfig): TensorSpec[] {
  const d = c.hidden_size;
  const hd = headDim(c);
  const kv = c.num_key_value_heads * hd;
  const f = c.intermediate_size;
  const specs: TensorSpec[] = [];
  let offset = 0;
  const add = (name: string, shape: number[]): void => {
    const numel = shape.reduce((a, b) => a * b, 1);
    specs.push({ name, shape, offset, numel });
    offset += numel;
  };
  add('model.embed_tokens.weight', [c.vocab_size, d]);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [d]);
    add(`${p}.self_attn.q_proj.weight`, [d, d]);
    add(`${p}.self_attn.k_proj.weight`, [kv, d]);
    add(`${p}.self_attn.v_proj.weight`, [kv, d]);
    add(`${p}.self_attn.o_proj.weight`, [d, d]);
    add(`${p}.post_attention_layernorm.weight`, [d]);
    add(`${p}.mlp.gate_proj.weight`, [f, d]);
    add(`${p}.mlp.up_proj.weight`, [f, d]);
    add(`${p}.mlp.down_proj.weight`, [d, f]);
  }
  add('model.norm.weight', [d]);
  if (!c.tie_word_embeddings) add('lm_head.weight', [c.vocab_size, d]);
  return specs;
}

export function parameterCount(c: ModelConfig): number {
  const l = parameterLayout(c);
  const last = l[l.length - 1]!;
  return last.offset + last.numel;
}

/** Key order fixed so that the canonical JSON (and any hash of it) is stable. */
export function canonicalModelConfig(c: ModelConfig): Record<string, unknown> {
  return {
    name: c.name,
    vocab_size: c.vocab_size,
    hidden_size: c.hidden_size,
    intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: c.num_key_value_heads,
    max_position_embeddings: c.max_position_embeddings,
    rms_norm_eps: c.rms_norm_eps,
    rope_theta: c.rope_theta,
    tie_word_embeddings: c.tie_word_embeddings,
  };
}
