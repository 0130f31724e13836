// Integration: a real testnet — dev chain service, 1 validator and 3 miners as
// separate OS processes on loopback libp2p — trains the tiny model for several
// windows. Every node must hold the same θ in every window, the held-out loss
// must fall, and a miner killed with SIGKILL must be back in sync within 2 windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Testnet } from '../../src/testnet/testnet.js';
import { repoRoot } from '../../src/train/model-config.js';
import { randomBasePort } from '../../src/testnet/test-ports.js';

const basePort = randomBasePort();

test('testnet: 3 miners + 1 validator stay in exact sync, learn, recover a SIGKILLed miner and take in a late joiner', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-testnet-'));
  const lines: string[] = [];
  const applied: Array<{ node: string; window: number; at: number }> = [];
  const joinerEvents: string[] = [];
  const net = new Testnet({
    run: 'testnet-tiny', dir, miners: 3, validators: 1, basePort, threadsPerNode: 1, fresh: true,
    print: (l) => lines.push(l),
    onEvent: (node, ev) => {
      if (ev.event === 'manifest_applied' && typeof ev.window === 'number') applied.push({ node, window: ev.window, at: Date.now() });
      if (node === 'miner3' && typeof ev.event === 'string') joinerEvents.push(ev.event);
    },
  });
  try {
    await net.start();
    await net.waitForEvaluatedWindows(4);
    await net.kill('miner1', 'SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    net.restart('miner1');
    await net.waitForEvaluatedWindows(10);
    // A new miner joins at window ≥ 10 with no state: checkpoint, then replay.
    const joinedAtWindow = Math.max(...net.windows.keys());
    await net.joinMiner();
    await net.waitForEvaluatedWindows(15);

    // 1. Exact agreement: wherever several nodes reported θ for a window, it is one hash.
    const windows = [...net.windows.values()].sort((a, b) => a.window - b.window);
    let compared = 0;
    for (const s of windows) {
      const hashes = new Set(s.thetaHashes.values());
      assert.ok(hashes.size <= 1, `window ${s.window}: nodes disagree on θ: ${JSON.stringify([...s.thetaHashes])}`);
      if (s.thetaHashes.size >= 3) compared++;
    }
    assert.ok(compared >= 8, `at least 8 windows compared across ≥3 nodes (got ${compared})\n${lines.join('\n')}`);
    // Payloads were really aggregated (not a run of null rounds).
    assert.ok(windows.filter((s) => (s.payloads ?? 0) >= 2).length >= 5, `windows with ≥2 payloads aggregated\n${lines.join('\n')}`);

    // 2. The restarted miner applies manifests again and agrees with the validator within 2 windows.
    const back = applied.filter((a) => a.node === 'miner1' && a.at > killedAt).map((a) => a.window);
    assert.ok(back.length > 0, 'the restarted miner applied manifests');
    const firstBack = Math.min(...back);
    const caughtUp = windows.find((s) => s.window >= firstBack && s.thetaHashes.has('miner1') && s.thetaHashes.get('miner1') === s.thetaHashes.get('validator0'));
    assert.ok(caughtUp && caughtUp.window <= firstBack + 2, `miner1 in sync within 2 windows of rejoining (first back ${firstBack})`);

    // 3. The late joiner loaded a verified checkpoint and holds the network's θ within 2 windows.
    assert.ok(joinedAtWindow >= 10, `joined at window ${joinedAtWindow}`);
    assert.ok(joinerEvents.includes('checkpoint_loaded'), `the joiner loaded a checkpoint (events: ${[...new Set(joinerEvents)].join(', ')})`);
    const joinerSynced = windows.find((s) => s.thetaHashes.has('miner3') && s.thetaHashes.get('miner3') === s.thetaHashes.get('validator0'));
    assert.ok(joinerSynced && joinerSynced.window <= joinedAtWindow + 3, `joiner in sync by window ${joinedAtWindow + 3} (θ_w is reported after the manifest of w−1)`);

    // 4. The held-out loss falls clearly.
    const evals = windows.filter((s) => s.evalLoss !== undefined).map((s) => s.evalLoss!);
    const first = evals[0]!;
    const last = evals[evals.length - 1]!;
    assert.ok(last < first - 0.5, `held-out loss fell from ${first.toFixed(3)} to ${last.toFixed(3)}\n${lines.join('\n')}`);
  } finally {
    await net.stop();
  }

  // 5. A node whose state on disk is corrupt refuses to start and says why.
  const state = join(dir, 'nodes', 'miner0', 'state.bin');
  const bytes = readFileSync(state);
  bytes[Math.floor(bytes.length / 2)] ^= 0xff;
  writeFileSync(state, bytes);
  const node = net.nodes.find((n) => n.name === 'miner0')!;
  const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'gradmesh.js'), ...node.args.map((a) => (a.startsWith('http') ? 'http://127.0.0.1:1' : a))], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, GRADMESH_LOG_JSON: '1' },
  });
  assert.notEqual(r.status, 0, 'a node with corrupt state must not start');
  assert.match(r.stdout + r.stderr, /checksum mismatch|corrupt/);
});
