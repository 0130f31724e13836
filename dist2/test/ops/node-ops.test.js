// The status API of a real node: startNode on an in-process dev chain, then
// startNodeOps, then what the API says is checked against the node's own state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DevChain, hotkeyFromUri } from '../../src/chain/index.js';
import { startNode } from '../../src/node/context.js';
import { startNodeOps } from '../../src/ops/node-ops.js';
import { fetchStatus } from '../../src/ops/status-client.js';
test('a running node reports itself through its ops API', { timeout: 120_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'gm-ops-node-'));
    const chain = DevChain.create({ netuid: 1, blockTimeMs: 0 });
    const hotkey = await hotkeyFromUri('//OpsTestValidator');
    chain.register(hotkey.ss58, undefined, 1000);
    const ctx = await startNode({
        role: 'validator', run: 'testnet-tiny', dataDir: join(dir, 'node'), chain, hotkey,
        listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], threads: 1, log: pino({ level: 'silent' }),
    });
    const ops = await startNodeOps(ctx, { port: 0, extras: { scores: () => [{ uid: 0, score: 0.5, weight: 1 }], weightsSetAtBlock: () => 2 * ctx.spec.timing.blocksPerWindow } });
    t.after(async () => {
        await ops.close();
        await ctx.stop();
        await chain.close();
        await rm(dir, { recursive: true, force: true });
    });
    const bpw = ctx.spec.timing.blocksPerWindow;
    chain.advance(2 * bpw + 1); // window 2
    let s = await fetchStatus(ops.url);
    for (let i = 0; i < 100 && s.window < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
        s = await fetchStatus(ops.url);
    }
    assert.equal(s.window, 2);
    assert.equal(s.block, 2 * bpw + 1);
    assert.equal(s.blocksPerWindow, bpw);
    assert.equal(s.role, 'validator');
    assert.equal(s.uid, ctx.uid);
    assert.equal(s.hotkey, hotkey.ss58);
    assert.equal(s.peerId, ctx.p2p.peerId);
    assert.equal(s.run, 'testnet-tiny');
    assert.equal(s.runHash, ctx.runHashHex);
    assert.equal(s.thetaHash, ctx.replica.thetaHash);
    assert.equal(s.inSync, true);
    assert.equal(s.headWindow, -1, 'no manifest applied yet');
    assert.equal(s.manifestsMissed, 1, 'in window 2 the manifest of window 0 is due');
    assert.equal(s.chain.stake, 1000);
    assert.equal(s.chain.weightsSetAtBlock, 2 * bpw);
    assert.deepEqual(s.scores, [{ uid: 0, score: 0.5, weight: 1 }]);
    assert.deepEqual(s.peers, []);
    assert.deepEqual(s.peerTheta, { thetaWindow: 0, agreeing: 0, differing: 0, elsewhere: 0 });
    assert.deepEqual(Object.keys(s.bytes.in).sort(), ['blob', 'checkpoint', 'grad', 'manifest', 'status']);
    // Figures the node records show up in the status and the metrics.
    ctx.metrics.onEval(2, 9.25);
    s = await fetchStatus(ops.url);
    assert.deepEqual(s.evalLoss, [{ window: 2, loss: 9.25 }]);
    const metrics = await (await fetch(`${ops.url}/metrics`)).text();
    assert.match(metrics, /^gradmesh_eval_loss\{role="validator"\} 9\.25$/m);
    assert.match(metrics, /^gradmesh_chain_stake\{role="validator"\} 1000$/m);
    assert.match(metrics, /^gradmesh_window\{role="validator"\} 2$/m);
});
//# sourceMappingURL=node-ops.test.js.map