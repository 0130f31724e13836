// The compute floor (issue #18): a miner measures its step time on the run's model
// before it joins and refuses to start, with the numbers, when a window's inner steps
// cannot finish in time; with --force it starts, and says `late` for every window
// whose payload misses the deadline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevChain, startDevChainServer, createDevWallet } from '../../src/chain/index.js';
import { repoRoot } from '../../src/train/model-config.js';
import { computeFloor, judgeComputeFloor, FLOOR_MARGIN } from '../../src/node/compute-floor.js';
import { runSpecPath } from '../../src/node/run-spec.js';
const base = JSON.parse(readFileSync(runSpecPath('testnet-tiny'), 'utf8'));
test('the floor is the time a window leaves for its inner steps', () => {
    const f = computeFloor(base, 1000);
    assert.equal(f.windowMs, 6000);
    assert.equal(f.availableMs, 6000 * FLOOR_MARGIN);
    assert.equal(f.tokens, 5 * 4 * 64);
    assert.ok(Math.abs(f.floorSPerStep - (6 * FLOOR_MARGIN) / 5) < 1e-12);
    const fits = judgeComputeFloor(base, 1000, 0.5);
    assert.equal(fits.ok, true);
    const slow = judgeComputeFloor(base, 1000, 1.2);
    assert.equal(slow.ok, false);
    assert.match(slow.message, /measured 1\.200 s\/step × 5 inner steps = 6\.0 s per window; available 4\.2 s \(70 % of a 6\.0 s window: 6 blocks × 1\.0 s\); floor 0\.840 s\/step/);
    assert.match(slow.message, /--force/);
});
/** A run spec whose window (1 block of 20 ms) no CPU can train 5 steps of `tiny` in. */
function impossibleSpec(dir) {
    const spec = { ...base, run: 'impossible-window', timing: { blocksPerWindow: 1, announceDeadlineMs: 50, manifestTimeoutMs: 50, devBlockMs: 20 } };
    const path = join(dir, 'impossible.json');
    writeFileSync(path, JSON.stringify(spec, null, 2));
    return path;
}
/** Runs `gradmesh miner` until it exits, or until `until` matches one of its log events (then SIGTERM). */
function runMiner(args, until, timeoutMs = 120_000) {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(repoRoot(), 'bin', 'gradmesh.js'), 'miner', ...args], {
            stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GRADMESH_LOG_JSON: '1' },
        });
        const events = [];
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d.toString()));
        createInterface({ input: child.stdout }).on('line', (line) => {
            try {
                const ev = JSON.parse(line);
                events.push(ev);
                if (until?.(ev))
                    child.kill('SIGTERM');
            }
            catch {
                // not a log line
            }
        });
        const t = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`miner did not finish within ${timeoutMs / 1000} s; stderr: ${stderr}; events: ${events.map((e) => e.msg).join(' | ')}`));
        }, timeoutMs);
        child.on('exit', (code) => {
            clearTimeout(t);
            resolve({ code, stderr, events });
        });
    });
}
test('a miner below the compute floor refuses to start and says why; with --force it starts and reports late windows', { timeout: 300_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-floor-'));
    const chain = DevChain.create({ netuid: base.netuid, blockTimeMs: 20 });
    const server = await startDevChainServer(chain, { port: 0, host: '127.0.0.1' });
    try {
        const run = impossibleSpec(dir);
        const w = await createDevWallet({ path: join(dir, 'wallets'), name: 'floor', hotkey: 'miner0' });
        chain.register(w.hotkey, w.coldkey, 0);
        const args = [
            '--run', run, '--dev-chain', server.url, '--wallet.path', join(dir, 'wallets'), '--wallet.name', 'floor', '--wallet.hotkey', 'miner0',
            '--data-dir', join(dir, 'node'), '--threads', '1', '--listen', '/ip4/127.0.0.1/tcp/0', '--ops.enabled', 'false',
        ];
        const refused = await runMiner(args);
        assert.equal(refused.code, 78, `exit code 78 (EX_CONFIG: supervisors do not restart it); stderr: ${refused.stderr}`);
        assert.match(refused.stderr, /below the run's compute floor: measured \d+\.\d{3} s\/step × 5 inner steps = [\d.]+ s per window; available 0\.0 s \(70 % of a 0\.0 s window: 1 blocks × 0\.0 s\); floor 0\.003 s\/step/);
        assert.match(refused.stderr, /--force/);
        assert.ok(!refused.events.some((e) => e.msg === 'registered on chain'), 'it refused before registering or joining');
        const forced = await runMiner([...args, '--force'], (ev) => ev.event === 'late');
        const floor = forced.events.find((e) => e.event === 'compute_floor');
        assert.ok(floor, 'the compute floor verdict is logged');
        assert.equal(floor.ok, false);
        assert.equal(floor.forced, true);
        assert.equal(floor.level, 40, 'a warning');
        const late = forced.events.find((e) => e.event === 'late');
        assert.ok(late, `a late window is reported; events: ${forced.events.map((e) => e.event ?? e.msg).join(', ')}`);
        assert.equal(late.level, 40);
        for (const k of ['window', 'trainMs', 'compressMs', 'sPerStep', 'startedAfterMs', 'overByMs'])
            assert.equal(typeof late[k], 'number', `late.${k}`);
        assert.ok(late.overByMs > 0);
    }
    finally {
        await server.close();
        await chain.close();
        rmSync(dir, { recursive: true, force: true });
    }
});
test('a window\'s verdicts are counted by reason: late, out of sync, rejected, not chosen', async () => {
    const { AnnouncementBook } = await import('../../src/node/announcements.js');
    const { verdictCounts } = await import('../../src/node/validator.js');
    const runHash = new Uint8Array(32).fill(7);
    const book = new AnnouncementBook(Buffer.from(runHash).toString('hex'));
    const ann = (uid, window) => ({
        version: 1, runHash, window: BigInt(window), uid, digest: new Uint8Array(32).fill(uid), size: 10n, baseThetaHash: new Uint8Array(32), announcedAtMs: 0n,
    });
    // uids 1..5 active in window 9; in window 10 uids 4 and 5 announce nothing by the close
    for (const uid of [1, 2, 3, 4, 5])
        assert.equal(book.add(ann(uid, 9), `p${uid}`, uid, 9), null);
    for (const uid of [1, 2, 3, 6])
        assert.equal(book.add(ann(uid, 10), `p${uid}`, uid, 10), null);
    const heard = book.forWindow(10);
    const v = {
        accepted: [1, 6].map((uid) => ({ uid, digest: '', bytes: new Uint8Array() })),
        rejected: [{ uid: 2, reason: 'out_of_sync' }, { uid: 3, reason: 'invalid: bad_magic' }],
    };
    const c = verdictCounts({ announcements: book }, 10, heard, v, 1);
    assert.deepEqual(c.lateUids, [4, 5]);
    assert.deepEqual(c.byReason, { late: 2, out_of_sync: 1, rejected: 1, not_chosen: 1 });
    assert.deepEqual(verdictCounts({ announcements: book }, 9, book.forWindow(9), { accepted: [], rejected: [] }, 0).byReason, {});
});
//# sourceMappingURL=compute-floor.test.js.map