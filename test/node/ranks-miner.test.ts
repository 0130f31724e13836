// `gradmesh miner --device cpu --ranks 2` (issue 19): a real miner process on the dev
// chain trains through the sharded engine, logs what it trains on, announces payloads,
// and its status API, `gradmesh status`, and /metrics show each rank's memory, AdamW
// state (half of one engine's) and tokens/s. Bad device flags are one line naming the
// flag, exit 2, before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevChain, startDevChainServer, createDevWallet } from '../../src/chain/index.js';
import { repoRoot, loadModelConfig, parameterLayout } from '../../src/train/model-config.js';
import { parseNodeStatus } from '../../src/ops/status.js';

const CLI = join(repoRoot(), 'bin', 'gradmesh.js');
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GRADMESH_')));

test('bad device flags are one line naming the flag, exit 2', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--ranks', '0'], /'--ranks <n>' argument '0' is invalid\. expected an integer from 1 to 64, got "0"/],
    [['--device', 'tpu:0'], /"tpu:0" is not cpu, cuda, auto, cuda:N or cuda:N,M,…/],
    [['--device', 'cuda:0,1', '--ranks', '2'], /--ranks runs data-parallel ranks on the CPU; on GPUs give --gpus N or --device cuda:LIST instead/],
    [['--gpus', '2', '--device', 'cpu'], /--gpus cannot be combined with --device cpu/],
  ];
  for (const [flags, re] of cases) {
    const r = spawnSync(process.execPath, [CLI, 'miner', '--wallet.path', '/nonexistent', ...flags], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, `${flags.join(' ')}: exit ${r.status}; stderr: ${r.stderr}`);
    assert.match(r.stderr, re, flags.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
  const v = spawnSync(process.execPath, [CLI, 'validator', '--wallet.path', '/nonexistent', '--ranks', '2'], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  assert.equal(v.status, 2, v.stderr);
  assert.match(v.stderr, /^error: --ranks 2: a validator trains on one rank/);
});

test('a miner on 2 CPU ranks trains, announces, and reports each rank in status, gradmesh status and /metrics', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-ranks-'));
  const chain = DevChain.create({ netuid: 1, blockTimeMs: 250 });
  const server = await startDevChainServer(chain, { port: 0, host: '127.0.0.1' });
  const w = await createDevWallet({ path: join(dir, 'wallets'), name: 'ranks', hotkey: 'miner0' });
  chain.register(w.hotkey, w.coldkey, 0);
  const child = spawn(process.execPath, [CLI, 'miner',
    '--run', 'testnet-tiny', '--dev-chain', server.url, '--wallet.path', join(dir, 'wallets'), '--wallet.name', 'ranks', '--wallet.hotkey', 'miner0',
    '--data-dir', join(dir, 'node'), '--threads', '1', '--listen', '/ip4/127.0.0.1/tcp/0', '--ops.port', '0', '--device', 'cpu', '--ranks', '2', '--force',
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), GRADMESH_LOG_JSON: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
      for (const f of waiters.splice(0)) f();
    } catch {
      // not a log line
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const waitFor = async (pred: (e: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const hit = events.find(pred);
      if (hit) return hit;
      if (child.exitCode !== null || Date.now() > deadline) {
        assert.fail(`no ${what}; exit ${child.exitCode}; stderr: ${stderr}; events: ${events.map((e) => e.event ?? e.msg).join(', ')}`);
      }
      await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 1000))]);
    }
  };
  try {
    const devices = await waitFor((e) => e.event === 'devices', 'devices line');
    assert.equal(devices.ranks, 2);
    assert.equal(devices.backend, 'cpu');
    assert.match(String(devices.msg), /training on 2 CPU ranks, data parallel with sharded optimiser states/);
    const started = await waitFor((e) => e.msg === 'miner started', 'start');
    const url = String(started.ops);
    await waitFor((e) => e.event === 'announced', 'announced payload');

    const status = parseNodeStatus(await (await fetch(`${url}/api/status`)).json());
    const n = ((l) => l[l.length - 1]!.offset + l[l.length - 1]!.numel)(parameterLayout(loadModelConfig('tiny')));
    assert.ok(status.ranks, 'status.ranks');
    assert.equal(status.ranks.length, 2);
    for (const [i, r] of status.ranks.entries()) {
      assert.equal(r.rank, i);
      assert.equal(r.device, 'cpu');
      assert.equal(r.optimizerStateBytes, 2 * 4 * Math.ceil(n / 2), 'each rank holds half of m and v');
      assert.equal(r.memoryBytes, 2 * 4 * n + r.optimizerStateBytes, 'weights + gradient + its AdamW shard');
      assert.ok(r.tokensPerSecond > 0, 'tokens/s after a trained window');
      assert.ok(Math.abs(r.tokensPerSecond * 2 - status.tokensPerSecond) < 1e-6 * status.tokensPerSecond, 'each rank trains half of every step');
    }

    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^gradmesh_rank_optimizer_state_bytes\{rank="1",device="cpu"\} \d+/m);
    assert.match(metrics, /^gradmesh_rank_tokens_per_second\{rank="0",device="cpu"\} [\d.e+]+/m);
    assert.match(metrics, /^gradmesh_rank_memory_bytes\{rank="0",device="cpu"\} \d+/m);

    const text = spawnSync(process.execPath, [CLI, 'status', '--url', url], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^ranks +2 × cpu · 0: cpu .* tok\/s · 1: cpu /m);
  } finally {
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    if (code === null) child.kill('SIGKILL');
    await server.close();
    await chain.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
