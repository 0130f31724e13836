// The run spec: everything that fixes a training run (network, netuid, model,
// hyper-parameters, dataset, compression, timing). Its canonical JSON hashes to
// runHash, which every message carries; nodes ignore messages of other runs.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadModelConfig, type ModelConfig } from '../train/model-config.js';
import { repoRoot } from '../shared/repo-root.js';

export class RunSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunSpecError';
  }
}

const positiveInt = z.number().int().positive();
const positive = z.number().positive().finite();

export const RunSpecSchema = z.object({
  version: z.literal(1),
  network: z.string().min(1).regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  netuid: z.number().int().min(0).max(65535),
  run: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore'),
  model: z.string().min(1),
  dataset: z.string().min(1).describe('"default" (the built-in corpus) or a dataset directory'),
  initSeed: z.number().int().min(0),
  seqLen: positiveInt,
  batch: positiveInt,
  innerSteps: positiveInt,
  inner: z.object({
    lr: positive,
    minLrRatio: z.number().min(0).max(1),
    warmupSteps: z.number().int().min(0),
    totalSteps: positiveInt,
    beta1: z.number().min(0).lt(1),
    beta2: z.number().min(0).lt(1),
    eps: positive,
    weightDecay: z.number().min(0),
    gradClip: positive,
  }),
  outer: z.object({
    lr: positive,
    maxPayloads: positiveInt.describe('G: at most this many payloads per manifest'),
  }),
  compression: z.object({
    chunk: positiveInt,
    k: positiveInt,
    errorDecay: z.number().min(0).max(1),
    demo: z.boolean(),
  }),
  timing: z.object({
    blocksPerWindow: positiveInt,
    /** Announcements for window w are accepted until this far into window w+1. */
    announceDeadlineMs: positiveInt,
    /** How long after the deadline nodes wait for the lead's manifest before the next validator. */
    manifestTimeoutMs: positiveInt,
    /** Dev chain only: block time. A real chain sets its own. */
    devBlockMs: positiveInt,
  }),
  /**
   * Who may speak for a window (src/node/protocol/speakers.ts). Optional so that runs
   * which state none keep their runHash: then any permit holder, at most 3 by stake.
   */
  validators: z
    .object({
      /** Stake a validator needs to publish manifests, beside its permit. */
      minStake: z.number().min(0).finite(),
      /** The lead and its fallbacks: how many validators by stake may speak. */
      maxSpeakers: positiveInt.max(64),
    })
    .optional(),
  checkpoint: z.object({
    /** The lead validator writes a checkpoint after every this many windows. */
    everyWindows: positiveInt,
    /** Checkpoints kept on disk; payloads and manifests are kept back to the oldest. */
    keep: positiveInt,
  }),
  eval: z.object({
    /** Held-out sequences for the eval loss that nodes report. */
    heldOutSequences: positiveInt,
  }),
});

export type RunSpec = z.infer<typeof RunSpecSchema>;

/** Turns a zod error into one line per field: `inner.lr: expected number, received string`. */
function describeIssues(err: z.ZodError, source: string): string {
  const lines = err.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  return `${source}: invalid run spec\n${lines.join('\n')}`;
}

export function validateRunSpec(raw: unknown, source = 'run spec'): RunSpec {
  const r = RunSpecSchema.strict().safeParse(raw);
  if (!r.success) throw new RunSpecError(describeIssues(r.error, source));
  const spec = r.data;
  const c = spec.compression;
  if (c.k % 2 !== 0 || c.k < 2) throw new RunSpecError(`${source}: compression.k must be even and >= 2, got ${c.k}`);
  if (c.k > c.chunk * c.chunk) throw new RunSpecError(`${source}: compression.k (${c.k}) exceeds a chunk's ${c.chunk * c.chunk} values`);
  const model = loadModelConfig(spec.model);
  if (spec.seqLen > model.max_position_embeddings) {
    throw new RunSpecError(`${source}: seqLen ${spec.seqLen} exceeds the model's max_position_embeddings ${model.max_position_embeddings}`);
  }
  return spec;
}

/** True when `nameOrPath` is a path (a .json file, or anything with a directory part), not a built-in name. */
export function isPathLike(nameOrPath: string): boolean {
  return nameOrPath.endsWith('.json') || /[/\\]/.test(nameOrPath) || nameOrPath === '.' || nameOrPath === '..';
}

/**
 * A name in config/runs/, or a path. A path is taken as given: pasting it into the
 * config/runs/ template turned `--run /data/run` into ".../config/runs/data/run.json",
 * an error that named a file the user never mentioned.
 */
export function runSpecPath(nameOrPath: string): string {
  if (isPathLike(nameOrPath)) return resolve(nameOrPath);
  return join(repoRoot(), 'config', 'runs', `${nameOrPath}.json`);
}

function builtInRuns(): string[] {
  try {
    return readdirSync(join(repoRoot(), 'config', 'runs')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

export function loadRunSpec(nameOrPath: string): RunSpec {
  const path = runSpecPath(nameOrPath);
  if (isPathLike(nameOrPath)) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new RunSpecError(`no run spec ${path}: no such file`);
    if (st.isDirectory()) throw new RunSpecError(`${path} is a directory, not a run spec file (give a run spec JSON file, or a name in config/runs/: ${builtInRuns().join(', ')})`);
  } else if (!existsSync(path)) {
    throw new RunSpecError(`no run spec ${path} (built-in runs: ${builtInRuns().join(', ')})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RunSpecError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return validateRunSpec(raw, path);
}

/** JSON with object keys sorted recursively and no whitespace: the hashing form. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RunSpecError('run spec numbers must be finite');
  return JSON.stringify(value);
}

/**
 * runHash = SHA-256(canonical JSON of { spec, model }). The resolved model config is
 * included so that two runs that name the same model file but with different
 * contents never share a hash.
 */
export function runHash(spec: RunSpec, model: ModelConfig = loadModelConfig(spec.model)): Uint8Array {
  const doc = { spec, model };
  return new Uint8Array(createHash('sha256').update(canonicalJson(doc)).digest());
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Inner learning rate at a global inner step: linear warm-up, then cosine to minLrRatio·lr. */
export function innerLr(spec: RunSpec, step: number): number {
  const { lr, warmupSteps, totalSteps, minLrRatio } = spec.inner;
  if (warmupSteps > 0 && step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  const minLr = lr * minLrRatio;
  return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
}
