// A node asked to stop while its role loop is inside a window — a miner's trainStep
// runs off the event loop for up to seconds — must stop cleanly: every miner of a
// testnet logged "unclean shutdown" (dispose: engine busy: trainStep is still
// running) when the testnet stopped. stop() waits for the window's work (it holds the
// replica's lock), then frees the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DevChain, hotkeyFromUri } from '../../src/chain/index.js';
import { startNode } from '../../src/node/context.js';
import { makeBatch } from '../../src/train/data/index.js';
test('ctx.stop() while a trainStep runs under the replica lock waits for it, then frees the engine', { timeout: 120_000 }, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'gm-shutdown-'));
    const chain = DevChain.create({ netuid: 1, blockTimeMs: 0 });
    t.after(async () => {
        await chain.close();
        await rm(dir, { recursive: true, force: true });
    });
    const hotkey = await hotkeyFromUri('//ShutdownTestMiner');
    chain.register(hotkey.ss58);
    const ctx = await startNode({
        role: 'miner', run: 'testnet-tiny', dataDir: join(dir, 'node'), chain, hotkey,
        listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [], threads: 1, log: pino({ level: 'silent' }),
    });
    const { batch, seqLen, inner } = ctx.spec;
    const steps = [];
    // What the miner loop does: train inside the lock, stop between steps once aborted.
    const window = ctx.replica.lock.run(async () => {
        for (let h = 0; h < 50 && !ctx.signal.aborted; h++) {
            const { inputs, targets } = makeBatch(ctx.trainSet, Array.from({ length: batch }, (_, i) => h * batch + i), seqLen);
            await ctx.engine.trainStep(inputs, targets, { ...inner, lr: 1e-4 });
            steps.push(h);
        }
    });
    while (steps.length === 0)
        await new Promise((r) => setTimeout(r, 5));
    await ctx.stop(); // rejected with "dispose: engine busy: trainStep is still running" before
    await window;
    assert.ok(steps.length < 50, 'the loop saw the abort');
});
//# sourceMappingURL=node-shutdown.test.js.map