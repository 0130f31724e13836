// `gradmesh testnet add-miner` supervises the miner it starts as the testnet does its
// own nodes. Real child processes stand in for the miner (node -e …), so each rule is
// seen on real exits and signals: a crash is restarted with backoff; an exit a restart
// cannot fix (78, below the compute floor; 2, a usage error) is not; the miner is
// stopped when the testnet's process goes away, and when a stop is asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { superviseMiner, type SuperviseEvent } from '../../src/testnet/testnet-add-miner.js';
import { COMPUTE_FLOOR_EXIT_CODE } from '../../src/node/compute-floor.js';

const node = process.execPath;

test('a miner that crashes is restarted with a growing backoff; one that keeps crashing is given up', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-supervise-'));
  try {
    const runs = join(dir, 'runs');
    // appends a line per start, then crashes
    const script = `require('fs').appendFileSync(${JSON.stringify(runs)}, 'x'); process.exit(3)`;
    const events: SuperviseEvent[] = [];
    const r = await superviseMiner({ command: node, args: ['-e', script], baseDelayMs: 20, maxQuickExits: 3, stdio: 'ignore', onEvent: (e) => events.push(e) });
    assert.equal(r.reason, 'gave_up');
    assert.equal(r.code, 3);
    assert.equal(r.restarts, 2);
    assert.equal(readFileSync(runs, 'utf8'), 'xxx', 'started three times');
    assert.deepEqual(events.filter((e) => e.kind === 'exit').map((e) => e.delayMs), [20, 40], 'the backoff doubles');
    assert.equal(events.at(-1)!.kind, 'give_up');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a compute-floor refusal (exit 78) and a usage error (exit 2) are not restarted', async () => {
  for (const code of [COMPUTE_FLOOR_EXIT_CODE, 2]) {
    const events: SuperviseEvent[] = [];
    const r = await superviseMiner({ command: node, args: ['-e', `process.exit(${code})`], baseDelayMs: 10, stdio: 'ignore', onEvent: (e) => events.push(e) });
    assert.deepEqual(r, { code, restarts: 0, reason: 'not_restartable' });
    assert.deepEqual(events.map((e) => e.kind), ['start', 'not_restarted']);
  }
});

test('the miner is stopped when the testnet stops, and when a stop is asked for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-supervise-stop-'));
  // the testnet's orchestrator: a process that lives until killed
  const testnet = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  // The stand-in miner says when its SIGTERM handler is in place: a node process takes
  // more than the test's first wait to start on a loaded box (CI saw the default SIGTERM
  // action end it with code 1 before the handler existed).
  const minerArgs = (ready: string) => ['-e', `process.on('SIGTERM', () => process.exit(0)); require('fs').writeFileSync(${JSON.stringify(ready)}, ''); setInterval(() => {}, 1000)`];
  const waitFor = async (path: string) => {
    const until = Date.now() + 30_000;
    while (!existsSync(path)) {
      assert.ok(Date.now() < until, `the stand-in miner never started (${path})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    const events: SuperviseEvent[] = [];
    const ready1 = join(dir, 'ready1');
    const running = superviseMiner({ command: node, args: minerArgs(ready1), testnetPid: testnet.pid!, pollMs: 20, stdio: 'ignore', onEvent: (e) => events.push(e) });
    await waitFor(ready1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(events.map((e) => e.kind), ['start'], 'still running while the testnet runs');
    testnet.kill('SIGKILL');
    const r = await running;
    assert.deepEqual(r, { code: 0, restarts: 0, reason: 'testnet_gone' });
    const pid = events[0]!.pid!;
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the miner process is gone');

    const stop = new AbortController();
    const ready2 = join(dir, 'ready2');
    const again = superviseMiner({ command: node, args: minerArgs(ready2), stdio: 'ignore', signal: stop.signal });
    await waitFor(ready2);
    stop.abort();
    assert.deepEqual(await again, { code: 0, restarts: 0, reason: 'stopped' });
  } finally {
    testnet.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
