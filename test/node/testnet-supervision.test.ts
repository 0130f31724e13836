// `gradmesh testnet` supervises its nodes: a node process that exits without the
// orchestrator asking (a crash, an outside SIGKILL) is restarted with exponential
// backoff, printed and counted; `--no-restart` (restart: false) leaves it dead.
//  1. the backoff and the crash-loop give-up, on a process that fails at once (no chain);
//  2. real processes: 1 validator + 2 miners; a miner SIGKILLed from outside is
//     restarted and back on the network's θ within a few windows;
//  3. the CLI with --no-restart: 1 validator + 1 miner; the SIGKILLed miner stays dead,
//     the rest runs on and the summary counts the exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Testnet, type SupervisorEvent } from '../../src/testnet/testnet.js';
import { repoRoot } from '../../src/train/model-config.js';
import { randomBasePort } from '../../src/testnet/test-ports.js';

const basePort = randomBasePort();

test('supervisor: restarts with doubling backoff and gives up on a crash loop', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-sup-'));
  mkdirSync(join(dir, 'logs'));
  const lines: string[] = [];
  const events: SupervisorEvent[] = [];
  const net = new Testnet({
    run: 'testnet-tiny', dir, miners: 0, validators: 0, basePort, threadsPerNode: 1, fresh: false,
    backoff: { initialMs: 200, maxMs: 400, stableMs: 60_000, maxCrashLoop: 4 },
    print: (l) => lines.push(l), onSupervisor: (e) => events.push(e),
  });
  // A "node" whose command fails at once (an unknown command: exit code 2, a usage error): a crash loop.
  const n = { name: 'broken', role: 'miner' as const, hotkey: 'broken', dataDir: dir, args: ['no-such-command'], opsUrl: '', restarts: 0, exits: [] };
  net.nodes.push(n);
  net.spawnNode(n, []);
  const until = Date.now() + 90_000;
  while (!events.some((e) => e.kind === 'give_up') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  await net.stop();
  const exits = events.filter((e) => e.kind === 'exit');
  assert.deepEqual(exits.map((e) => e.delayMs), [200, 400, 400], lines.join('\n'));
  assert.ok(exits.every((e) => e.code === 2 && e.signal === null));
  assert.equal(events.filter((e) => e.kind === 'restart').length, 3);
  assert.equal(events[events.length - 1]!.kind, 'give_up');
  assert.equal(n.restarts, 3);
  assert.match(lines.join('\n'), /broken exited \(code 2\).*restart #1 in 0\.2 s/);
  assert.match(lines.join('\n'), /giving up/);
  assert.match(net.summaryLines().join('\n'), /supervisor: 3 restart\(s\) — broken ×4 \(code 2, code 2, code 2, code 2\) gave up/);
  // A run waiting for windows ends with an error once the supervisor gave up.
  await assert.rejects(net.waitForEvaluatedWindows(1), /broken exited with code 2/);
});

test('testnet supervision: a miner SIGKILLed from outside is restarted and rejoins θ', { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-sup-net-'));
  const lines: string[] = [];
  const applied: Array<{ node: string; window: number; thetaHash: string; at: number; cw: number }> = [];
  const started: Array<{ node: string; at: number; cw: number }> = [];
  const net = new Testnet({
    run: 'testnet-tiny', dir, miners: 2, validators: 1, basePort: basePort + 200, threadsPerNode: 1, fresh: true,
    print: (l) => lines.push(l),
    onEvent: (node, ev) => {
      if (ev.msg === `${node.replace(/\d+$/, '')} started`) started.push({ node, at: Date.now(), cw: net.chainWindow });
      if (ev.event === 'manifest_applied' && typeof ev.window === 'number' && typeof ev.thetaHash === 'string') {
        applied.push({ node, window: ev.window, thetaHash: ev.thetaHash, at: Date.now(), cw: net.chainWindow });
      }
    },
  });
  try {
    await net.start();
    await net.waitForEvaluatedWindows(3);
    const pid = net.node('miner1').child!.pid!;
    await net.crash('miner1'); // process.kill(pid, 'SIGKILL'): the orchestrator was not asked
    const until = Date.now() + 60_000;
    while (net.node('miner1').restarts < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const restart = net.supervisorLog.find((e) => e.kind === 'restart' && e.node === 'miner1');
    assert.ok(restart, `miner1 was restarted\n${lines.join('\n')}`);
    assert.notEqual(net.node('miner1').child!.pid, pid);
    assert.ok(net.alive('miner1'));
    // Back on θ: a manifest applied after the restart whose θ is the validator's for that window.
    const synced = (): typeof applied[number] | undefined => applied.find((a) => a.node === 'miner1' && a.at > restart.at &&
      applied.some((b) => b.node === 'validator0' && b.window === a.window && b.thetaHash === a.thetaHash));
    const by = Date.now() + 180_000;
    while (!synced() && Date.now() < by) await new Promise((r) => setTimeout(r, 250));
    const back = synced();
    assert.ok(back, `miner1 reported the validator's θ after its restart\n${lines.join('\n')}`);
    // A node process takes seconds to start (engine, dataset, libp2p, chain): ~2 windows
    // of 6 s on a loaded 2-core box. From its "started" line it needs at most: the next
    // manifest (which shows the gap), the checkpoint and the replay — within 3 windows.
    const up = started.find((x) => x.node === 'miner1' && x.at > restart.at);
    assert.ok(up, 'the restarted miner logged "miner started"');
    t.diagnostic(`killed and respawned in window ${restart.chainWindow}, started in ${up.cw} (${((up.at - restart.at) / 1000).toFixed(1)} s later), back in θ in ${back.cw}`);
    assert.ok(back.cw - up.cw <= 3,
      `miner1 back in θ in window ${back.cw}; respawned in window ${restart.chainWindow}, started in window ${up.cw} (${((up.at - restart.at) / 1000).toFixed(1)} s after the respawn)`);
    await net.waitForEvaluatedWindows([...net.windows.values()].filter((s) => s.evalLoss !== undefined).length + 1);

    const out = lines.join('\n');
    assert.match(out, /\[supervisor\] miner1 exited \(signal SIGKILL\) after [\d.]+ s in window \d+; restart #1 in 1\.0 s/);
    assert.match(out, /\[supervisor\] miner1 restarted \(pid \d+, restart #1\)/);
    assert.match(net.summaryLines().join('\n'), /supervisor: 1 restart\(s\) — miner1 ×1 \(SIGKILL\)/);
    // Its own log shows two starts and manifests applied by the second process.
    const log = readFileSync(join(dir, 'logs', 'miner1.log'), 'utf8').split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const starts = log.flatMap((e, i) => (e.msg === 'miner started' ? [i] : []));
    assert.equal(starts.length, 2, 'miner1.log shows two starts');
    assert.ok(log.slice(starts[1]).some((e) => e.event === 'manifest_applied'), 'the restarted miner applied manifests');
    // Nobody else was restarted, and no window saw two θ.
    assert.equal(net.supervisorLog.filter((e) => e.kind === 'restart').length, 1);
    for (const s of net.windows.values()) assert.ok(new Set(s.thetaHashes.values()).size <= 1, `window ${s.window}: ${JSON.stringify([...s.thetaHashes])}`);
  } finally {
    await net.stop();
  }
});

test('gradmesh testnet --no-restart: a SIGKILLed miner stays dead, the rest runs on', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-sup-cli-'));
  const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'gradmesh.js'), 'testnet', '--no-restart', '--miners', '1', '--validators', '1',
    '--windows', '4', '--dir', dir, '--port', String(basePort + 400)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let killedPid: number | undefined;
  let windowsAfterKill = 0;
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (l) => {
    lines.push(l);
    if (!/^window\s+\d+/.test(l)) return;
    if (killedPid === undefined) {
      let pid: number;
      try {
        pid = (JSON.parse(readFileSync(join(dir, 'nodes', 'miner0', 'node-info.json'), 'utf8')) as { pid: number }).pid;
      } catch {
        return; // not started yet: the next window
      }
      killedPid = pid;
      process.kill(pid, 'SIGKILL');
    } else {
      windowsAfterKill++;
    }
  });
  child.stderr!.on('data', (d: Buffer) => lines.push(d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const out = lines.join('\n');
  assert.equal(code, 0, out);
  assert.ok(killedPid !== undefined && windowsAfterKill >= 2, `the validator ran on after the kill (${windowsAfterKill} windows)\n${out}`);
  assert.match(out, /\[supervisor\] miner0 exited \(signal SIGKILL\) after [\d.]+ s; not restarting \(--no-restart\)/);
  assert.doesNotMatch(out, /restarted/);
  assert.match(out, /supervisor: off; 1 node\(s\) exited unasked — miner0 ×1 \(SIGKILL\)/);
  const info = JSON.parse(readFileSync(join(dir, 'nodes', 'miner0', 'node-info.json'), 'utf8')) as { pid: number };
  assert.equal(info.pid, killedPid, 'miner0 was not started again');
  assert.equal(readFileSync(join(dir, 'logs', 'miner0.log'), 'utf8').split('\n').filter((l) => l.includes('"miner started"')).length, 1);
});
