// What `gradmesh testnet` says about a run, without starting one: the end-of-run
// summary and its JSON line (from the nodes' log events, fed as the orchestrator reads
// them), the dataset message only when the dataset is really being prepared, and
// the testnet.json a running testnet publishes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Testnet, ensureBuiltInDataset, testnetReport } from '../../src/testnet/testnet.js';
import { brownDocumentIds } from '../../src/train/data/index.js';
import { findRunningTestnet, readTestnetInfo, writeTestnetInfo, allTestnetNodes, writeAddedNode, type TestnetInfo } from '../../src/testnet/testnet-info.js';

const H1 = 'aa'.repeat(32);
const H2 = 'bb'.repeat(32);

test('end of run: windows, θ agreement, loss start → end, payloads and bytes per miner per window, restarts; the JSON line', () => {
  const net = new Testnet({ run: 'testnet-tiny', dir: '/nonexistent', miners: 0, validators: 0, basePort: 1, threadsPerNode: 1, fresh: false, print: () => {} });
  for (const [name, role, adversary] of [['validator0', 'validator'], ['miner0', 'miner'], ['miner1', 'miner'], ['miner2', 'miner', 'noise']] as const) {
    net.nodes.push({ name, role, hotkey: name, dataDir: '', args: [], opsUrl: '', restarts: 0, exits: [], ...(adversary ? { adversary } : {}) });
  }
  net.node('miner1').restarts = 2;
  // windows 3, 4, 5 evaluated; in window 5 miner1 reports another θ
  for (const w of [3, 4, 5]) {
    for (const n of ['validator0', 'miner0', 'miner1']) {
      net.record(n, { event: 'manifest_applied', window: w - 1, payloads: w === 3 ? 1 : 2, thetaHash: n === 'miner1' && w === 5 ? H2 : H1 });
    }
    net.record('validator0', { event: 'eval', window: w, loss: 11 - w * 0.25 });
  }
  net.record('miner0', { event: 'announced', window: 3, bytes: 1000 });
  net.record('miner1', { event: 'announced', window: 3, bytes: 1100 });
  net.record('miner0', { event: 'announced', window: 4, bytes: 1200 });
  net.record('miner2', { event: 'announced', window: 4, bytes: 99_999 }); // an adversary: not counted
  const r = net.report();
  assert.deepEqual(r, {
    windows: 3, theta_agree_windows: 2, eval_loss_start: 10.25, eval_loss_end: 9.75,
    payloads_per_window: 1.67, bytes_per_miner_per_window: 1100, restarts: 2,
  });
  // The JSON line starts with the figures the issue asks for, in that order.
  assert.match(JSON.stringify(r), /^\{"windows":3,"theta_agree_windows":2,"eval_loss_start":10\.25,"eval_loss_end":9\.75,/);
  const lines = net.summaryLines();
  assert.equal(lines[0], 'summary: 3 windows evaluated (3–5), held-out loss 10.2500 → 9.7500, θ agreed in 2 of 3 window(s), disagreement in 1 window(s)');
  assert.equal(lines[1], 'traffic: 1.7 payloads aggregated per window; 1.1 KiB per miner per window (3 payloads announced)');
  assert.match(lines[2]!, /^supervisor: 2 restart\(s\)/);

  // Nothing evaluated: nulls, not a crash.
  assert.deepEqual(testnetReport([], [], 0), {
    windows: 0, theta_agree_windows: 0, eval_loss_start: null, eval_loss_end: null, payloads_per_window: null, bytes_per_miner_per_window: null, restarts: 0,
  });
});

test('"preparing the built-in dataset" is printed only when it is being prepared', { timeout: 120_000 }, async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'gm-cache-'));
  try {
    const documents = brownDocumentIds().slice(0, 20); // the 20th is the first held out
    const first: string[] = [];
    await ensureBuiltInDataset((l) => first.push(l), { cacheDir, documents });
    assert.deepEqual(first, ['preparing the built-in dataset (first run only)…']);
    const again: string[] = [];
    await ensureBuiltInDataset((l) => again.push(l), { cacheDir, documents });
    assert.deepEqual(again, [], 'a cache hit says nothing');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('testnet.json: found while its orchestrator runs, not after; added miners listed after the testnet\'s own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-info-'));
  try {
    const info: TestnetInfo = {
      version: 1, pid: process.pid, run: 'testnet-tiny', netuid: 1, chainUrl: 'http://127.0.0.1:1', bootstrap: '/ip4/127.0.0.1/tcp/2/p2p/x',
      walletPath: join(dir, 'wallets'), walletName: 'testnet', startedAt: new Date().toISOString(),
      nodes: [{ name: 'validator0', role: 'validator', uid: 0, hotkey: 'h', opsUrl: 'http://127.0.0.1:3' }],
    };
    assert.equal(findRunningTestnet(dir), undefined);
    writeTestnetInfo(dir, info);
    assert.deepEqual(findRunningTestnet(dir), info);
    writeAddedNode(dir, { name: 'mine0', role: 'miner', uid: 1, hotkey: 'm', opsUrl: 'http://127.0.0.1:4' });
    assert.deepEqual(allTestnetNodes(dir, info).map((n) => n.name), ['validator0', 'mine0']);
    // a testnet that was killed left its file: not running
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.on('exit', r));
    writeTestnetInfo(dir, { ...info, pid: gone.pid! });
    assert.equal(findRunningTestnet(dir), undefined);
    assert.equal(readTestnetInfo(dir)?.pid, gone.pid);
    writeFileSync(join(dir, 'testnet.json'), '{not json');
    assert.equal(readTestnetInfo(dir), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
