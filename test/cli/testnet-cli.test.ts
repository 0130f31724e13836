// `gradmesh testnet` and `gradmesh status` from the operator's side, through the real
// CLI (bin/gradmesh.js in child processes), without starting a testnet:
//  - bad testnet flags are one-line errors with exit code 2, before the dataset step
//    (a negative --miners used to start a testnet of 0 miners);
//  - a plain `gradmesh status` finds a running testnet through DIR/testnet.json and
//    shows every node of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/train/model-config.js';
import { startOpsServer } from '../../src/ops/server.js';
import { sampleStatus } from '../ops/sample-status.js';
import { randomBasePort } from '../../src/testnet/test-ports.js';

const CLI = join(repoRoot(), 'bin', 'gradmesh.js');

interface CliResult { status: number | null; stdout: string; stderr: string }

function cli(args: string[], o: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd ?? process.cwd(),
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GRADMESH_'))), ...o.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A bad flag that is not refused starts a testnet: cut it short.
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

test('bad testnet flags: one line naming the flag, exit code 2, before any dataset step', { timeout: 300_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gm-testnet-flags-'));
  try {
    // An empty dataset cache: reaching the dataset step would print "preparing …".
    const env = { GRADMESH_CACHE: join(tmp, 'cache') };
    const dir = join(tmp, 'net');
    const cases: Array<[string[], RegExp]> = [
      [['--miners', '-2'], /--miners.*'-2'.*expected an integer from 0 to/],
      [['--port', 'abc'], /--port.*'abc'.*expected an integer from 1 to/],
      [['--port', '99999'], /--port.*'99999'.*expected an integer from 1 to/],
      [['--validators', '0'], /--validators.*'0'.*expected an integer from 1 to/],
      [['--windows', '0'], /--windows.*'0'.*expected an integer >= 1/],
      [['--threads'], /option '--threads <n>' argument missing/],
      [['--port', '65400'], /--port 65400: node ports would pass 65535 \(the testnet uses --port to --port \+ 199\); use a --port of at most 65336/],
    ];
    // Two at a time: each CLI loads every command's modules (seconds of CPU on a small machine).
    const results: CliResult[] = [];
    for (let i = 0; i < cases.length; i += 2) {
      results.push(...(await Promise.all(cases.slice(i, i + 2).map(([args]) => cli(['testnet', '--dir', dir, ...args], { env, cwd: tmp, timeoutMs: 60_000 })))));
    }
    for (const [i, [args, want]] of cases.entries()) {
      const r = results[i]!;
      const what = `testnet ${args.join(' ')}: status ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
      assert.equal(r.status, 2, what);
      assert.match(r.stderr, want, what);
      assert.equal(r.stderr.trim().split('\n').length, 1, what);
      assert.doesNotMatch(r.stdout, /preparing/, what);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('a plain `gradmesh status` finds a running testnet and shows each of its nodes', { timeout: 60_000 }, async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'gm-status-testnet-'));
  const v = await startOpsServer({ port: 0, name: 'validator0', status: () => sampleStatus({ role: 'validator', uid: 0, window: 6 }) });
  const m = await startOpsServer({ port: 0, name: 'miner0', status: () => sampleStatus({ role: 'miner', uid: 1, window: 6 }) });
  t.after(async () => {
    await v.close();
    await m.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  // What `gradmesh testnet` writes in its --dir (default .gradmesh/testnet) while it runs.
  const dir = join(tmp, '.gradmesh', 'testnet');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'testnet.json'), JSON.stringify({
    version: 1, pid: process.pid, run: 'testnet-tiny', netuid: 1, chainUrl: 'http://127.0.0.1:1', dashboard: 'http://127.0.0.1:2',
    bootstrap: '/ip4/127.0.0.1/tcp/3/p2p/12D3KooWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', walletPath: join(dir, 'wallets'), walletName: 'testnet',
    startedAt: new Date().toISOString(),
    nodes: [
      { name: 'validator0', role: 'validator', uid: 0, hotkey: '5V', opsUrl: v.url },
      { name: 'miner0', role: 'miner', uid: 1, hotkey: '5M', opsUrl: m.url },
      { name: 'miner1', role: 'miner', uid: 2, hotkey: '5N', opsUrl: 'http://127.0.0.1:9' },
    ],
  }));
  const r = await cli(['status'], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^testnet in \.gradmesh\/testnet · run testnet-tiny · dev chain http:\/\/127\.0\.0\.1:1 · dashboard http:\/\/127\.0\.0\.1:2$/m);
  assert.match(r.stdout, new RegExp(`^validator0 +validator +0 +6 .*${v.url.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^miner0 +miner +1 +6 .*${m.url.replace(/[.]/g, '\\.')}$`, 'm'));
  assert.match(r.stdout, /^miner1 +miner +2 +DOWN: cannot reach the node at http:\/\/127\.0\.0\.1:9/m);
  // --json: the testnet and every node's status.
  const j = await cli(['status', '--json'], { cwd: tmp });
  const doc = JSON.parse(j.stdout) as { testnet: { chainUrl: string }; nodes: Array<{ name: string; status?: { uid: number } }> };
  assert.equal(doc.testnet.chainUrl, 'http://127.0.0.1:1');
  assert.deepEqual(doc.nodes.map((n) => [n.name, n.status?.uid ?? null]), [['validator0', 0], ['miner0', 1], ['miner1', null]]);
  // --url still reads one node.
  const one = await cli(['status', '--url', m.url], { cwd: tmp });
  assert.match(one.stdout, /^gradmesh miner · uid 1/m);
});

test('Ctrl-C (SIGINT to the orchestrator): the nodes stop cleanly first, then the summary and the JSON line', { timeout: 240_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gm-testnet-stop-'));
  const dir = join(tmp, 'net');
  const port = randomBasePort();
  try {
    const child = spawn(process.execPath, [CLI, 'testnet', '--dir', dir, '--miners', '0', '--port', String(port)], {
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GRADMESH_'))),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = Date.now() + 180_000;
    while (!/^window +\d+ +held-out loss/m.test(stdout) && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    assert.match(stdout, /^window +\d+/m, `no window evaluated\n${stdout}\n${stderr}`);
    assert.match(stdout, new RegExp(`^  validator0 +uid 0 +status API http://127\\.0\\.0\\.1:${port + 100}$`, 'm'));
    const info = JSON.parse(readFileSync(join(dir, 'testnet.json'), 'utf8')) as { pid: number; nodes: Array<{ name: string }> };
    assert.equal(info.pid, child.pid);
    const validatorPid = (JSON.parse(readFileSync(join(dir, 'nodes', 'validator0', 'node-info.json'), 'utf8')) as { pid: number }).pid;
    child.kill('SIGINT'); // the orchestrator only (a terminal's Ctrl-C also reaches the nodes)
    assert.equal(await exited, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.match(stdout, /^summary: \d+ windows evaluated/m);
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(last), ['windows', 'theta_agree_windows', 'eval_loss_start', 'eval_loss_end', 'payloads_per_window', 'bytes_per_miner_per_window', 'restarts']);
    assert.ok((last.windows as number) >= 1);
    const log = readFileSync(join(dir, 'logs', 'validator0.log'), 'utf8').trim().split('\n');
    assert.deepEqual(log.filter((l) => !l.startsWith('{')), [], 'every line of the node log is JSON');
    const events = log.map((l) => JSON.parse(l) as { msg: string });
    assert.equal(events.at(-1)!.msg, 'stopped', 'the node stopped cleanly before the orchestrator exited');
    assert.ok(!events.some((e) => e.msg === 'unclean shutdown'));
    assert.ok(!existsSync(join(dir, 'testnet.json')), 'testnet.json is removed when the testnet stops');
    let alive = true;
    try {
      process.kill(validatorPid, 0);
    } catch {
      alive = false;
    }
    assert.equal(alive, false, 'no node left running');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
