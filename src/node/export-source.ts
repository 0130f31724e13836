// Where `gradmesh export` takes θ from. An operator has a node's data directory
// (state.bin, checkpoints/), a state file, a checkpoint file or a checkpoint
// directory; the path alone does not say which, so the content does: a state file
// starts with "GMSTATE1", a checkpoint is a safetensors file with gradmesh metadata.
// Everything is verified (checksum, thetaHash, run, model shape) before the caller
// writes anything, and every refusal names the path and what was expected.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadNodeState, StateError, type StateHeader } from './node-state.js';
import { loadRunSpec, runHash, toHex, type RunSpec } from './run-spec.js';
import { thetaHash } from '../train/compress/hash.js';
import {
  loadModelConfig, parameterCount, parameterLayout, type ModelConfig,
} from '../train/model-config.js';
import { repoRoot } from '../shared/repo-root.js';
import { decodeCheckpointFile, META_KEYS, parseCheckpointMeta, type CheckpointIdentity } from '../train/checkpoint/checkpoint.js';
import { CheckpointError } from '../train/checkpoint/errors.js';
import { MAX_HEADER_BYTES, SafetensorsFileReader } from '../train/checkpoint/safetensors.js';
import { TRAIN_META_KEYS } from '../train/checkpoint/train-meta.js';

export interface ExportSource {
  kind: 'state' | 'checkpoint';
  /** The file θ was read from. */
  path: string;
  model: ModelConfig;
  params: Float32Array;
  /** window -1 is a node state at genesis (θ_0). */
  identity: CheckpointIdentity;
  /** The run spec's name, when the runHash is a known run's (or the checkpoint names it). */
  runName?: string;
  /** Tokens θ was trained on, when known (a `gradmesh train` checkpoint). */
  tokensSeen?: number;
  /** Inner steps this node trained (a node state): its own share, not the network's. */
  innerSteps?: number;
  /** Single-node training: steps and the last held-out loss. */
  trainSteps?: number;
  heldOutLoss?: number;
  /** Newer checkpoints that failed to verify and were passed over, for a warning. */
  skipped: string[];
}

export interface ExportSourceOptions {
  /** A run spec (name or file): a state's model comes from it and its runHash must match. */
  run?: string;
  /** A model config (name or file): for a state of an unknown run; a checkpoint must have its shape. */
  model?: string;
}

const CKPT_RE = /^ckpt-(\d{12,16})\.safetensors$/;
const STATE_MAGIC = Buffer.from('GMSTATE1', 'ascii');

type FileKind = 'state' | 'safetensors' | 'other';

/** Tells a state file from a safetensors file by their first bytes, reading nothing else. */
function sniff(path: string, size: number): FileKind {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(9);
    const n = readSync(fd, head, 0, 9, 0);
    if (n >= 8 && head.subarray(0, 8).equals(STATE_MAGIC)) return 'state';
    // safetensors: u64 LE header length that fits the file, then a JSON object. (A
    // state file read as safetensors gave "header length 3550336520815856967 …".)
    if (n === 9) {
      const len = head.readBigUInt64LE(0);
      if (len >= 2n && len <= BigInt(MAX_HEADER_BYTES) && 8n + len <= BigInt(size) && head[8] === 0x7b) return 'safetensors';
    }
    return 'other';
  } finally {
    closeSync(fd);
  }
}

function listCheckpoints(dir: string): Array<{ window: number; path: string }> {
  return readdirSync(dir)
    .map((name) => CKPT_RE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ window: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => b.window - a.window);
}

/** The built-in run (config/runs/*.json) with this runHash, if any. */
function builtInRunByHash(hash: string): RunSpec | undefined {
  let names: string[];
  try {
    names = readdirSync(join(repoRoot(), 'config', 'runs')).filter((f) => f.endsWith('.json'));
  } catch {
    return undefined;
  }
  for (const name of names) {
    try {
      const spec = loadRunSpec(name.slice(0, -5));
      if (toHex(runHash(spec)) === hash) return spec;
    } catch {
      // A broken built-in spec cannot be the run of anything we exported.
    }
  }
  return undefined;
}

function builtInRunNames(): string[] {
  try {
    return readdirSync(join(repoRoot(), 'config', 'runs')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}

/** A state file's header, without reading or checking the rest (node-state.ts verifies it all later). */
function peekState(path: string): StateHeader {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) !== 12) throw new CheckpointError('truncated', `${path}: node state file is truncated`);
    const hlen = head.readUInt32LE(8);
    if (hlen > 1 << 20) throw new CheckpointError('metadata', `${path}: node state header length ${hlen} is impossible`);
    const hb = Buffer.alloc(hlen);
    if (readSync(fd, hb, 0, hlen, 12) !== hlen) throw new CheckpointError('truncated', `${path}: node state file is truncated`);
    const h = JSON.parse(hb.toString('utf8')) as StateHeader;
    if (typeof h.runHash !== 'string' || !Number.isInteger(h.numParams) || !Number.isInteger(h.window)) throw new Error('fields missing');
    return h;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('metadata', `${path}: node state header is unreadable (${(e as Error).message})`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

function fromState(path: string, o: ExportSourceOptions): ExportSource {
  const h = peekState(path);
  let model: ModelConfig | undefined;
  let runName: string | undefined;
  if (o.run !== undefined) {
    const spec = loadRunSpec(o.run);
    const hash = toHex(runHash(spec));
    if (hash !== h.runHash) {
      throw new CheckpointError('run_mismatch', `${path} belongs to run ${h.runHash.slice(0, 12)}…, not --run ${o.run} (${hash.slice(0, 12)}…)`);
    }
    model = loadModelConfig(spec.model);
    runName = spec.run;
  } else {
    // The state names its run only by hash; the built-in runs are the ones we can recognise.
    const spec = builtInRunByHash(h.runHash);
    if (spec) {
      model = loadModelConfig(spec.model);
      runName = spec.run;
    }
  }
  if (model === undefined) {
    if (o.model === undefined) {
      throw new CheckpointError('not_found',
        `${path}: a node state of run ${h.runHash.slice(0, 12)}…, which is none of the built-in runs (${builtInRunNames().join(', ')}); ` +
        'give its run spec with --run FILE (or its model with --model NAME|FILE)');
    }
    model = loadModelConfig(o.model);
  } else if (o.model !== undefined && parameterCount(loadModelConfig(o.model)) !== parameterCount(model)) {
    throw new CheckpointError('shape_mismatch',
      `${path} is of run ${runName}, whose model "${model.name}" has ${parameterCount(model)} parameters, not the ${parameterCount(loadModelConfig(o.model))} of --model ${o.model}`);
  }
  const n = parameterCount(model);
  if (h.numParams !== n) {
    throw new CheckpointError('shape_mismatch', `${path} holds ${h.numParams} parameters, model "${model.name}" has ${n}`);
  }
  const params = new Float32Array(n);
  // The optimiser buffers are read only to check the file's checksum: one scratch
  // buffer serves all three (each is hashed as it is read), so memory is 2×θ, not 4×.
  const scratch = new Float32Array(n);
  let header: StateHeader;
  try {
    header = loadNodeState(path, { runHash: h.runHash, numParams: n }, { params, errorBuffer: scratch, adamM: scratch, adamV: scratch });
  } catch (e) {
    if (e instanceof StateError) throw new CheckpointError('io', e.message, { cause: e });
    throw e;
  }
  const got = thetaHash(params);
  if (got !== header.thetaHash) {
    throw new CheckpointError('theta_mismatch', `${path}: θ hashes to ${got.slice(0, 12)}…, the header says ${header.thetaHash.slice(0, 12)}…`);
  }
  return {
    kind: 'state', path, model, params,
    identity: { window: header.window, thetaHash: got, runHash: header.runHash, manifestDigest: header.manifestDigest },
    ...(runName !== undefined ? { runName } : {}),
    ...(header.innerStep > 0 ? { innerSteps: header.innerStep } : {}),
    skipped: [],
  };
}

function optionalNumber(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function fromCheckpoint(path: string, o: ExportSourceOptions): ExportSource {
  const reader = new SafetensorsFileReader(path);
  let metadata: Record<string, string>;
  try {
    metadata = reader.header.metadata;
  } finally {
    reader.close();
  }
  if (metadata[META_KEYS.format] === undefined) {
    throw new CheckpointError('metadata',
      `${path}: a safetensors file but not a gradmesh checkpoint (no ${META_KEYS.format} metadata); ` +
      'export reads gradmesh checkpoints, node states and node directories');
  }
  const meta = parseCheckpointMeta(metadata);
  if (o.model !== undefined) {
    const want = parameterLayout(loadModelConfig(o.model));
    const have = parameterLayout(meta.model);
    if (want.length !== have.length || want.some((t, i) => t.name !== have[i]!.name || t.shape.join() !== have[i]!.shape.join())) {
      throw new CheckpointError('shape_mismatch', `${path} holds model "${meta.model.name}", not the shape of --model ${o.model}`);
    }
  }
  let runName: string | undefined = metadata[TRAIN_META_KEYS.runName];
  if (o.run !== undefined) {
    const spec = loadRunSpec(o.run);
    const hash = toHex(runHash(spec));
    if (hash !== meta.runHash) throw new CheckpointError('run_mismatch', `${path} is of run ${meta.runHash.slice(0, 12)}…, not --run ${o.run} (${hash.slice(0, 12)}…)`);
    runName = spec.run;
  } else if (runName === undefined) {
    runName = builtInRunByHash(meta.runHash)?.run;
  }
  // Full verification: tensor set, shapes and thetaHash.
  const { params } = decodeCheckpointFile(path, { layout: parameterLayout(meta.model), ...(o.run !== undefined ? { runHash: meta.runHash } : {}) });
  const { window, thetaHash: theta, runHash: run, manifestDigest } = meta;
  const tokensSeen = optionalNumber(metadata[TRAIN_META_KEYS.tokensSeen]);
  const trainSteps = optionalNumber(metadata[TRAIN_META_KEYS.steps]);
  const heldOutLoss = optionalNumber(metadata[TRAIN_META_KEYS.heldOutLoss]);
  return {
    kind: 'checkpoint', path, model: meta.model, params,
    identity: { window, thetaHash: theta, runHash: run, manifestDigest },
    ...(runName !== undefined ? { runName } : {}),
    ...(tokensSeen !== undefined ? { tokensSeen } : {}),
    ...(trainSteps !== undefined ? { trainSteps } : {}),
    ...(heldOutLoss !== undefined ? { heldOutLoss } : {}),
    skipped: [],
  };
}

/** The newest checkpoint of a directory that verifies; newer ones that do not are reported in `skipped`. */
function newestCheckpoint(dir: string, o: ExportSourceOptions): ExportSource {
  const skipped: string[] = [];
  for (const c of listCheckpoints(dir)) {
    try {
      const src = fromCheckpoint(c.path, o);
      if (src.identity.window !== c.window) throw new CheckpointError('metadata', `${c.path}: file of window ${c.window} says window ${src.identity.window}`);
      return { ...src, skipped };
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      skipped.push(`${c.path}: ${e.message}`);
    }
  }
  throw new CheckpointError('not_found', `${dir}: no checkpoint verifies:\n  ${skipped.join('\n  ')}`);
}

function readFile(path: string, size: number, o: ExportSourceOptions): ExportSource {
  const kind = sniff(path, size);
  if (kind === 'state') return fromState(path, o);
  if (kind === 'safetensors') return fromCheckpoint(path, o);
  throw new CheckpointError('invalid_input',
    `${path} is neither a gradmesh checkpoint (safetensors), a node state file (state.bin) nor a directory holding them`);
}

/**
 * Reads and verifies θ from `from`: a node directory (state.bin and checkpoints/:
 * whichever is of the later window, the state on a tie), a checkpoint directory
 * (its newest checkpoint that verifies), a state file or a checkpoint file.
 */
export function loadExportSource(from: string, o: ExportSourceOptions = {}): ExportSource {
  const path = resolve(from);
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new CheckpointError('not_found', `${path}: no such file or directory`);
  if (!st.isDirectory()) return readFile(path, st.size, o);

  const statePath = join(path, 'state.bin');
  const stateStat = statSync(statePath, { throwIfNoEntry: false });
  const ckptDir = join(path, 'checkpoints');
  const nested = statSync(ckptDir, { throwIfNoEntry: false })?.isDirectory() ? listCheckpoints(ckptDir) : [];
  const here = listCheckpoints(path);
  if (stateStat?.isFile()) {
    const newest = nested[0];
    if (newest && sniff(statePath, stateStat.size) === 'state' && newest.window > peekState(statePath).window) {
      return newestCheckpoint(ckptDir, o);
    }
    return readFile(statePath, stateStat.size, o);
  }
  if (nested.length > 0) return newestCheckpoint(ckptDir, o);
  if (here.length > 0) return newestCheckpoint(path, o);
  throw new CheckpointError('not_found',
    `${path}: holds no state.bin, no checkpoints/ and no ckpt-*.safetensors (a node's data directory, e.g. ~/.gradmesh/<run>/<wallet>-<hotkey>, holds them)`);
}
