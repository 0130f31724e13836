// Hugging Face export and import. The export is a folder that
// `transformers.LlamaForCausalLM.from_pretrained` loads unchanged: config.json,
// generation_config.json, model.safetensors (our tensor names are already HF's; a
// tied model stores only model.embed_tokens.weight and transformers ties lm_head to
// it on load, as save_pretrained itself does), the GPT-2 tokenizer files and a
// model card (README.md).
import { readFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { thetaHash } from '../compress/hash.js';
import { canonicalModelConfig, headDim, parameterLayout, validateModelConfig, type ModelConfig } from '../model-config.js';
import { META_KEYS, type CheckpointIdentity } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { GPT2_EOT_ID, gpt2TokenizerFiles } from './gpt2-tokenizer-files.js';
import { encodeSafetensorsChunks, limitChunkSize, SafetensorsFileReader } from './safetensors.js';

/**
 * The special token ids of config.json and generation_config.json. HF allows a list
 * of eos ids (generation stops at any of them).
 */
export interface HfSpecialTokens {
  bos: number | null;
  eos: number | number[] | null;
  pad: number | null;
}

/**
 * What an export writes when nothing else is known: GPT-2's <|endoftext|> (50256) as
 * bos and eos, as GPT-2 itself does, when the vocabulary holds it; a model with a
 * smaller vocabulary (test models) gets its last id instead, because transformers
 * indexes the embedding with these ids and an id past the vocabulary crashes
 * generation. No pad token: GPT-2 has none.
 */
export function defaultSpecialTokens(c: ModelConfig): HfSpecialTokens {
  const eot = GPT2_EOT_ID < c.vocab_size ? GPT2_EOT_ID : c.vocab_size - 1;
  return { bos: eot, eos: eot, pad: null };
}

function checkTokenId(key: string, v: unknown, vocab: number, source: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new CheckpointError('metadata', `${source} ${key} ${JSON.stringify(v)} must be a non-negative integer or null`);
  }
  if (v >= vocab) throw new CheckpointError('metadata', `${source} ${key} ${v} is outside the vocabulary of ${vocab} tokens`);
  return v;
}

/** Reads and checks bos/eos/pad_token_id of an HF config object: each null, or an id in [0, vocab_size). */
export function hfSpecialTokensFrom(o: Record<string, unknown>, vocab: number, source = 'config.json'): HfSpecialTokens {
  const one = (key: string): number | null => (o[key] === undefined || o[key] === null ? null : checkTokenId(key, o[key], vocab, source));
  const eosRaw = o.eos_token_id;
  const eos = Array.isArray(eosRaw) ? eosRaw.map((v) => checkTokenId('eos_token_id', v, vocab, source)) : one('eos_token_id');
  return { bos: one('bos_token_id'), eos, pad: one('pad_token_id') };
}

function checkedSpecialTokens(c: ModelConfig, t: HfSpecialTokens): HfSpecialTokens {
  try {
    return hfSpecialTokensFrom({ bos_token_id: t.bos, eos_token_id: t.eos, pad_token_id: t.pad }, c.vocab_size, `model "${c.name}":`);
  } catch (e) {
    throw new CheckpointError('invalid_input', (e as Error).message.replace(/^metadata: /, ''), { cause: e });
  }
}

/** LlamaConfig as config.json, every field spelled as transformers spells it. */
export function hfLlamaConfig(c: ModelConfig, tokens: HfSpecialTokens = defaultSpecialTokens(c)): Record<string, unknown> {
  const t = checkedSpecialTokens(c, tokens);
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocab_size,
    hidden_size: c.hidden_size,
    intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: c.num_key_value_heads,
    head_dim: headDim(c),
    hidden_act: 'silu',
    max_position_embeddings: c.max_position_embeddings,
    initializer_range: 0.02,
    rms_norm_eps: c.rms_norm_eps,
    rope_theta: c.rope_theta,
    rope_scaling: null,
    attention_bias: false,
    attention_dropout: 0.0,
    mlp_bias: false,
    pretraining_tp: 1,
    use_cache: true,
    pad_token_id: t.pad,
    bos_token_id: t.bos,
    eos_token_id: t.eos,
    tie_word_embeddings: c.tie_word_embeddings,
    torch_dtype: 'float32',
  };
}

export function hfGenerationConfig(c: ModelConfig, tokens: HfSpecialTokens = defaultSpecialTokens(c)): Record<string, unknown> {
  const t = checkedSpecialTokens(c, tokens);
  return {
    _from_model_config: true,
    bos_token_id: t.bos,
    eos_token_id: t.eos,
    ...(t.pad !== null ? { pad_token_id: t.pad } : {}),
  };
}

/** Reads our ModelConfig back from an HF Llama config.json object. */
export function modelConfigFromHf(raw: unknown, name = 'hf-import'): ModelConfig {
  if (typeof raw !== 'object' || raw === null) throw new CheckpointError('metadata', 'config.json must be a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.model_type !== 'llama') throw new CheckpointError('metadata', `config.json model_type is ${JSON.stringify(o.model_type)}, not "llama"`);
  if (o.hidden_act !== undefined && o.hidden_act !== 'silu') throw new CheckpointError('metadata', `hidden_act ${JSON.stringify(o.hidden_act)} is not silu`);
  if (o.rope_scaling !== undefined && o.rope_scaling !== null) throw new CheckpointError('metadata', 'rope_scaling is not supported');
  if (o.attention_bias === true || o.mlp_bias === true) throw new CheckpointError('metadata', 'biases are not supported');
  const candidate = {
    name,
    vocab_size: o.vocab_size,
    hidden_size: o.hidden_size,
    intermediate_size: o.intermediate_size,
    num_hidden_layers: o.num_hidden_layers,
    num_attention_heads: o.num_attention_heads,
    num_key_value_heads: o.num_key_value_heads ?? o.num_attention_heads,
    max_position_embeddings: o.max_position_embeddings,
    rms_norm_eps: o.rms_norm_eps,
    rope_theta: o.rope_theta ?? 10000,
    // transformers' LlamaConfig defaults tie_word_embeddings to False: a config
    // without the key is an untied model, whose lm_head.weight must be imported.
    tie_word_embeddings: o.tie_word_embeddings ?? false,
  };
  try {
    const c = validateModelConfig(candidate, 'config.json');
    if (o.head_dim !== undefined && o.head_dim !== null && o.head_dim !== headDim(c)) {
      throw new CheckpointError('metadata', `head_dim ${String(o.head_dim)} ≠ hidden_size / num_attention_heads`);
    }
    hfSpecialTokensFrom(o, c.vocab_size);
    return c;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('metadata', (e as Error).message, { cause: e });
  }
}

export interface HfExportInput {
  outDir: string;
  model: ModelConfig;
  /** Canonical flat parameters (parameterLayout(model)). */
  params: Float32Array;
  /** Where θ came from, recorded in the safetensors metadata when known. */
  source?: Partial<CheckpointIdentity>;
  /** bos/eos/pad ids for config.json and generation_config.json; default defaultSpecialTokens(model). */
  specialTokens?: HfSpecialTokens;
  /** What the model card (README.md) says about where θ came from. */
  card?: ModelCardInfo;
}

export interface ModelCardInfo {
  /** Where θ was read from: a path, or how it was made. */
  from: string;
  runName?: string;
  /** A network run's window (θ after that window's manifest; -1 = genesis). */
  window?: number;
  /** Tokens θ was trained on, when known. */
  tokensSeen?: number;
  /** Inner steps the exporting node trained itself (a node state). */
  innerSteps?: number;
  /** Single-node training (`gradmesh train --save`): steps and the last held-out loss. */
  trainSteps?: number;
  heldOutLoss?: number;
  /** The parameters are an initialisation, never trained. */
  untrained?: boolean;
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * README.md: a Hugging Face model card (front matter the Hub reads, then what the
 * model is, where it came from and how to load it), so a folder passed on without
 * its command line still says what it holds.
 */
export function modelCard(model: ModelConfig, theta: string, numParams: number, tokens: HfSpecialTokens, info: ModelCardInfo, source: Partial<CheckpointIdentity>): string {
  const title = info.runName ?? model.name;
  const rows: Array<[string, string]> = [];
  if (info.runName !== undefined) rows.push(['run', info.runName]);
  if (info.window !== undefined) {
    rows.push(['window', info.window < 0 ? 'window -1: the genesis parameters θ₀ (no manifest applied yet)' : `window ${info.window} (θ after that window's manifest)`]);
  }
  if (info.trainSteps !== undefined) rows.push(['training', `gradmesh train, one node: ${fmtInt(info.trainSteps)} steps`]);
  rows.push(['tokens seen', info.untrained ? '0 (untrained)' : info.tokensSeen !== undefined ? fmtInt(info.tokensSeen) : 'unknown (not recorded for a network run)']);
  if (info.innerSteps !== undefined) rows.push(['inner steps of the exporting node', `${fmtInt(info.innerSteps)} (its own share of the training)`]);
  if (info.heldOutLoss !== undefined) rows.push(['held-out loss', info.heldOutLoss.toFixed(4)]);
  rows.push(['thetaHash', `\`${theta}\` (SHA-256 of the fp32 parameters in canonical order)`]);
  if (source.runHash !== undefined) rows.push(['runHash', `\`${source.runHash}\``]);
  if (source.manifestDigest !== undefined && info.window !== undefined) rows.push(['manifest chain head', `\`${source.manifestDigest}\``]);
  rows.push(['parameters', fmtInt(numParams)]);
  rows.push(['exported from', `\`${info.from}\``]);

  const cfg = canonicalModelConfig(model);
  const gpt2Fits = model.vocab_size > GPT2_EOT_ID;
  const ids = (v: number | number[] | null): string => (v === null ? 'none' : Array.isArray(v) ? v.join(', ') : String(v));
  const lines = [
    '---',
    'library_name: transformers',
    'pipeline_tag: text-generation',
    'tags:',
    '  - gradmesh',
    '  - llama',
    '---',
    '',
    `# ${title}`,
    '',
    ...(info.untrained
      ? ['> **Untrained.** These are randomly initialised weights (`gradmesh export --init`): the model generates noise. Use them to test a pipeline, not as a model.', '']
      : []),
    `A \`LlamaForCausalLM\` (${fmtInt(numParams)} parameters) exported by gradmesh, a peer-to-peer LLM training client.`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Model config',
    '',
    '| field | value |',
    '| --- | --- |',
    ...Object.entries(cfg).map(([k, v]) => `| ${k} | ${String(v)} |`),
    '',
    'Weights are float32 in `model.safetensors`; a tied model stores only `model.embed_tokens.weight` and transformers ties `lm_head` to it.',
    '',
    '## Tokenizer',
    '',
    `GPT-2's byte-level BPE (\`tokenizer.json\`, \`vocab.json\`, \`merges.txt\`): 50,257 tokens; bos ${ids(tokens.bos)}, eos ${ids(tokens.eos)}, pad ${ids(tokens.pad)}.`,
    ...(gpt2Fits
      ? []
      : ['', `**The model's vocabulary (${fmtInt(model.vocab_size)}) is smaller than GPT-2's**: text tokenised with these files gives ids the model does not have, and bos/eos are set to its last id, ${model.vocab_size - 1}. Feed it token ids directly.`]),
    '',
    '## Load with transformers',
    '',
    '```python',
    'from transformers import AutoModelForCausalLM, AutoTokenizer',
    '',
    'path = "path/to/this/folder"',
    'tokenizer = AutoTokenizer.from_pretrained(path)',
    'model = AutoModelForCausalLM.from_pretrained(path)',
    'inputs = tokenizer("The quick brown fox", return_tensors="pt")',
    'out = model.generate(**inputs, max_new_tokens=40, do_sample=True, top_k=50)',
    'print(tokenizer.decode(out[0]))',
    '```',
    '',
  ];
  return lines.join('\n');
}

export interface HfExportResult {
  outDir: string;
  files: string[];
  thetaHash: string;
  numParams: number;
}

/** Writes the export folder; each file is written atomically. */
export function writeHfExport(input: HfExportInput): HfExportResult {
  const { outDir, model, params } = input;
  const layout = parameterLayout(model);
  const last = layout[layout.length - 1]!;
  if (params.length !== last.offset + last.numel) {
    throw new CheckpointError('invalid_input', `params has ${params.length} floats, model "${model.name}" needs ${last.offset + last.numel}`);
  }
  const theta = thetaHash(params);
  const metadata: Record<string, string> = {
    format: 'pt',
    [META_KEYS.thetaHash]: theta,
    [META_KEYS.model]: JSON.stringify(canonicalModelConfig(model)),
  };
  const src = input.source ?? {};
  if (src.window !== undefined) metadata[META_KEYS.window] = String(src.window);
  if (src.runHash !== undefined) metadata[META_KEYS.runHash] = src.runHash;
  if (src.manifestDigest !== undefined) metadata[META_KEYS.manifestDigest] = src.manifestDigest;
  const tensors = layout.map((t) => ({ name: t.name, shape: t.shape, data: params.subarray(t.offset, t.offset + t.numel) }));

  const files: Array<[string, Array<Uint8Array | string>]> = [
    ['config.json', [`${JSON.stringify(hfLlamaConfig(model, input.specialTokens), null, 2)}\n`]],
    ['generation_config.json', [`${JSON.stringify(hfGenerationConfig(model, input.specialTokens), null, 2)}\n`]],
    ['model.safetensors', limitChunkSize(encodeSafetensorsChunks(tensors, metadata))],
    ...Object.entries(gpt2TokenizerFiles(model.max_position_embeddings)).map(([n, text]): [string, string[]] => [n, [text]]),
    ['README.md', [modelCard(model, theta, params.length, checkedSpecialTokens(model, input.specialTokens ?? defaultSpecialTokens(model)), input.card ?? { from: 'parameters given to writeHfExport' }, src)]],
  ];
  for (const [name, chunks] of files) {
    const path = join(outDir, name);
    writeFileAtomic(path, chunks);
    // writeFileAtomic creates private files; an export is meant to be shared.
    chmodSync(path, 0o644);
  }
  return { outDir, files: files.map(([n]) => n), thetaHash: theta, numParams: params.length };
}

export interface HfImport {
  model: ModelConfig;
  params: Float32Array;
  /** dtype of the stored weights (F32, BF16 or F16), converted to fp32 here. */
  dtypes: string[];
  /** bos/eos/pad ids of config.json (checked to lie in the vocabulary), to keep on re-export. */
  specialTokens: HfSpecialTokens;
}

/**
 * Reads an HF Llama folder (config.json + a single model.safetensors) into the
 * canonical layout. A tied model may store lm_head or not; an untied one must.
 */
export function importHfFolder(dir: string, name = 'hf-import'): HfImport {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw new CheckpointError('not_found', `${configPath} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new CheckpointError('metadata', `${configPath}: not JSON (${(e as Error).message})`, { cause: e });
  }
  const model = modelConfigFromHf(raw, name);
  const specialTokens = hfSpecialTokensFrom(raw as Record<string, unknown>, model.vocab_size);
  const layout = parameterLayout(model);
  const last = layout[layout.length - 1]!;
  const params = new Float32Array(last.offset + last.numel);
  const reader = new SafetensorsFileReader(join(dir, 'model.safetensors'));
  try {
    const wanted = new Set(layout.map((t) => t.name));
    for (const t of reader.header.tensors) {
      const tiedHead = t.name === 'lm_head.weight' && model.tie_word_embeddings;
      if (!wanted.has(t.name) && !tiedHead) throw new CheckpointError('tensor_set', `unexpected tensor "${t.name}"`);
    }
    const dtypes = new Set<string>();
    for (const spec of layout) {
      const entry = reader.header.byName.get(spec.name);
      if (!entry) {
        const why = spec.name === 'lm_head.weight' && (raw as Record<string, unknown>).tie_word_embeddings === undefined
          ? ' (config.json has no tie_word_embeddings, which transformers reads as false: an untied model; add "tie_word_embeddings": true if the head is the embedding)'
          : '';
        throw new CheckpointError('tensor_set', `model.safetensors lacks "${spec.name}"${why}`);
      }
      if (entry.shape.length !== spec.shape.length || !entry.shape.every((d, i) => d === spec.shape[i])) {
        throw new CheckpointError('shape_mismatch', `"${spec.name}" has shape [${entry.shape}], config.json implies [${spec.shape}]`);
      }
      dtypes.add(entry.dtype);
      reader.readInto(spec.name, params.subarray(spec.offset, spec.offset + spec.numel));
    }
    return { model, params, dtypes: [...dtypes], specialTokens };
  } finally {
    reader.close();
  }
}
