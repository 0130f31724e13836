// `gradmesh export` takes its parameters from what an operator has: a node's data
// directory (its state.bin, or its newest checkpoint), a state file, a checkpoint
// file or a checkpoint directory, told apart by content; anything else is refused
// by name. It never writes random weights unless asked (--init), never overwrites a
// non-empty folder without --force, and writes tokenizer.json, generation_config.json
// and a model card next to the weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointError, encodeCheckpoint, encodeSafetensors, readSafetensors, META_KEYS,
} from '../../src/train/checkpoint/index.js';
import { loadExportSource } from '../../src/node/export-source.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { loadModelConfig, parameterCount, parameterLayout, repoRoot, type ModelConfig } from '../../src/train/model-config.js';
import { saveNodeState } from '../../src/node/node-state.js';
import { loadRunSpec, runHash, toHex } from '../../src/node/run-spec.js';
import { deterministicParams, smallModel, MANIFEST } from './helpers.js';

const CLI = join(repoRoot(), 'bin', 'gradmesh.js');
const tiny = loadModelConfig('tiny');
const TESTNET_RUN = toHex(runHash(loadRunSpec('testnet-tiny')));

function withDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gm-export-src-'));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function writeState(path: string, model: ModelConfig, run: string, params: Float32Array, window: number, innerStep = 0): void {
  const n = parameterCount(model);
  const zeros = new Float32Array(n);
  saveNodeState(path, {
    runHash: run, numParams: n, window, manifestDigest: MANIFEST, thetaHash: thetaHash(params),
    adamStep: innerStep, innerStep, savedAt: '2026-01-01T00:00:00Z',
  }, { params, errorBuffer: zeros, adamM: zeros, adamV: zeros });
}

function writeCheckpoint(path: string, model: ModelConfig, run: string, params: Float32Array, window: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, encodeCheckpoint({
    params, layout: parameterLayout(model), model, meta: { window, thetaHash: thetaHash(params), runHash: run, manifestDigest: MANIFEST },
  }));
}

const ckptName = (w: number): string => `ckpt-${String(w).padStart(12, '0')}.safetensors`;

/** A run spec of the small test model, in `dir`, and its runHash. */
function customRun(dir: string, model: ModelConfig): { path: string; hash: string } {
  const modelPath = join(dir, 'model.json');
  writeFileSync(modelPath, JSON.stringify(model));
  const spec = JSON.parse(readFileSync(join(repoRoot(), 'config', 'runs', 'testnet-tiny.json'), 'utf8')) as Record<string, unknown>;
  Object.assign(spec, { run: 'custom-run', model: modelPath, seqLen: model.max_position_embeddings });
  const path = join(dir, 'run.json');
  writeFileSync(path, JSON.stringify(spec));
  return { path, hash: toHex(runHash(loadRunSpec(path))) };
}

test('a node directory exports its state.bin (newer than its checkpoints), named after the built-in run it belongs to', () => withDir((dir) => {
  const node = join(dir, 'node');
  mkdirSync(node);
  const theta = deterministicParams(tiny, 4);
  writeState(join(node, 'state.bin'), tiny, TESTNET_RUN, theta, 9, 45);
  writeCheckpoint(join(node, 'checkpoints', ckptName(5)), tiny, TESTNET_RUN, deterministicParams(tiny, 3), 5);
  const src = loadExportSource(node);
  assert.equal(src.kind, 'state');
  assert.equal(src.path, join(node, 'state.bin'));
  assert.equal(src.runName, 'testnet-tiny');
  assert.deepEqual(src.model, tiny);
  assert.equal(src.identity.window, 9);
  assert.equal(src.identity.thetaHash, thetaHash(theta));
  assert.equal(src.innerSteps, 45);
  assert.equal(src.tokensSeen, undefined, 'a node knows its own inner steps, not the tokens the whole network trained on');
  assert.deepEqual(src.params, theta);

  // A newer checkpoint wins over the state; with no state, the newest checkpoint is used.
  writeCheckpoint(join(node, 'checkpoints', ckptName(12)), tiny, TESTNET_RUN, deterministicParams(tiny, 5), 12);
  const newer = loadExportSource(node);
  assert.equal(newer.kind, 'checkpoint');
  assert.equal(newer.identity.window, 12);
  rmSync(join(node, 'state.bin'));
  assert.equal(loadExportSource(node).path, join(node, 'checkpoints', ckptName(12)));
  // A checkpoint directory itself works too, and so does a single file.
  assert.equal(loadExportSource(join(node, 'checkpoints')).identity.window, 12);
  assert.equal(loadExportSource(join(node, 'checkpoints', ckptName(5))).identity.window, 5);
}));

test('a state file of another run needs --run (checked against its runHash) or --model (checked against its size)', () => withDir((dir) => {
  const model = smallModel();
  const run = customRun(dir, model);
  const theta = deterministicParams(model, 8);
  const state = join(dir, 'state.bin');
  writeState(state, model, run.hash, theta, 3);

  assert.throws(() => loadExportSource(state), (e: unknown) => {
    assert.ok(e instanceof CheckpointError);
    assert.match(e.message, new RegExp(`${state}: a node state of run ${run.hash.slice(0, 12)}.*none of the built-in runs.*--run`));
    return true;
  });
  const byRun = loadExportSource(state, { run: run.path });
  assert.equal(byRun.runName, 'custom-run');
  assert.deepEqual(byRun.params, theta);
  assert.deepEqual(loadExportSource(state, { model: join(dir, 'model.json') }).params, theta);
  assert.throws(() => loadExportSource(state, { run: 'testnet-tiny' }), /belongs to run [0-9a-f]{12}.*not --run testnet-tiny/);
  assert.throws(() => loadExportSource(state, { model: 'tiny' }), new RegExp(`holds ${parameterCount(model)} parameters.*tiny.*${parameterCount(tiny)}`));

  // A state whose θ does not match its header's thetaHash is refused.
  const lying = deterministicParams(model, 9);
  const n = parameterCount(model);
  saveNodeState(state, {
    runHash: run.hash, numParams: n, window: 3, manifestDigest: MANIFEST, thetaHash: thetaHash(theta), adamStep: 0, innerStep: 0, savedAt: 'x',
  }, { params: lying, errorBuffer: new Float32Array(n), adamM: new Float32Array(n), adamV: new Float32Array(n) });
  assert.throws(() => loadExportSource(state, { run: run.path }), /θ hashes to/);
}));

test('what is none of them is refused with the path and what was looked for', () => withDir((dir) => {
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'GMSTATE is not here; this is a text file of some length.\n'.repeat(4));
  assert.throws(() => loadExportSource(text), (e: unknown) => {
    assert.match((e as Error).message, new RegExp(`${text} is neither a gradmesh checkpoint \\(safetensors\\), a node state file \\(state\\.bin\\) nor a directory`));
    assert.doesNotMatch((e as Error).message, /header length \d{12,}/);
    return true;
  });
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  assert.throws(() => loadExportSource(empty), new RegExp(`${empty}: holds no state\\.bin, no checkpoints/ and no ckpt-\\*\\.safetensors`));
  assert.throws(() => loadExportSource(join(dir, 'missing')), new RegExp(`${join(dir, 'missing')}: no such file or directory`));
  // A safetensors file without our metadata (e.g. an HF model.safetensors).
  const hf = join(dir, 'model.safetensors');
  writeFileSync(hf, encodeSafetensors([{ name: 'x', shape: [2], data: new Float32Array([1, 2]) }], { format: 'pt' }));
  assert.throws(() => loadExportSource(hf), new RegExp(`${hf}: a safetensors file but not a gradmesh checkpoint`));
}));

interface CliResult { status: number | null; stdout: string; stderr: string }

function cli(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

test('gradmesh export: a node directory to a complete folder; no source, random weights or a full folder only when asked', () => withDir(async (dir) => {
  const node = join(dir, 'node');
  mkdirSync(node);
  const theta = deterministicParams(tiny, 6);
  writeState(join(node, 'state.bin'), tiny, TESTNET_RUN, theta, 21, 100);
  const full = join(dir, 'full');
  mkdirSync(full);
  writeFileSync(join(full, 'keep.txt'), 'precious');
  const out = join(dir, 'hf');

  const [none, fromNode, refused, init] = await Promise.all([
    cli(['export', '--out', join(dir, 'never')]),
    cli(['export', '--from', node, '--out', out]),
    cli(['export', '--from', node, '--out', full]),
    cli(['export', '--init', '--model', 'tiny', '--seed', '3', '--out', join(dir, 'init')]),
  ]);

  assert.equal(none.status, 1);
  assert.match(none.stderr, /nothing to export: give --from .* or --init/);
  assert.ok(!existsSync(join(dir, 'never')), 'nothing is written');

  assert.equal(refused.status, 1);
  assert.match(refused.stderr, new RegExp(`${full} is not empty .*--force`));
  assert.deepEqual(readdirSync(full), ['keep.txt']);

  assert.equal(fromNode.status, 0, fromNode.stderr);
  const summary = JSON.parse(fromNode.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(summary.from, join(node, 'state.bin'));
  assert.equal(summary.window, 21);
  assert.equal(summary.thetaHash, thetaHash(theta));
  for (const f of ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'vocab.json', 'merges.txt',
    'tokenizer_config.json', 'special_tokens_map.json', 'README.md']) {
    assert.ok(existsSync(join(out, f)), f);
  }
  const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, number>;
  const gen = JSON.parse(readFileSync(join(out, 'generation_config.json'), 'utf8')) as Record<string, number>;
  for (const c of [config, gen]) {
    assert.ok(c.bos_token_id! < tiny.vocab_size && c.eos_token_id! < tiny.vocab_size);
  }
  const tok = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')) as { model: { type: string; vocab: Record<string, number> } };
  assert.equal(tok.model.type, 'BPE');
  assert.equal(Object.keys(tok.model.vocab).length, 50257);
  const card = readFileSync(join(out, 'README.md'), 'utf8');
  for (const want of ['testnet-tiny', 'window 21', thetaHash(theta), 'LlamaForCausalLM', 'AutoModelForCausalLM.from_pretrained', 'hidden_size', 'inner steps']) {
    assert.ok(card.includes(want), `model card lacks ${want}:\n${card}`);
  }
  const meta = readSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors')))).header.metadata;
  assert.equal(meta[META_KEYS.thetaHash], thetaHash(theta));
  assert.equal(meta[META_KEYS.runHash], TESTNET_RUN);

  assert.equal(init.status, 0, init.stderr);
  assert.match(readFileSync(join(dir, 'init', 'README.md'), 'utf8'), /untrained/i);

  // --force overwrites; the folder's other files are left alone.
  const forced = await cli(['export', '--from', node, '--out', full, '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(readFileSync(join(full, 'keep.txt'), 'utf8'), 'precious');
  assert.ok(existsSync(join(full, 'model.safetensors')));
}));
