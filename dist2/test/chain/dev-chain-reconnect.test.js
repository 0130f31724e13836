// A node whose dev chain is not (or no longer) there says so and what it waits for,
// at each retry, instead of failing at once or waiting in silence: the first
// connection is retried with backoff until a deadline, and a block stream that ends
// (the testnet's chain service stopped or restarted) is reopened with backoff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ChainError, DevChain, connectDevChain, startDevChainServer } from '../../src/chain/index.js';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function freePort() {
    const s = createServer();
    await new Promise((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = s.address().port;
    await new Promise((r) => s.close(() => r()));
    return port;
}
function recorder() {
    const lines = [];
    return {
        lines,
        log: {
            warn: (o, msg) => { lines.push({ level: 'warn', msg, ...o }); },
            info: (o, msg) => { lines.push({ level: 'info', msg, ...o }); },
        },
    };
}
test('the first connection to a dev chain that is still starting is retried, each retry logged with what it waits for', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { log, lines } = recorder();
    const connecting = connectDevChain(url, 3, { connectTimeoutMs: 8000, minDelayMs: 100, maxDelayMs: 400, log });
    await sleep(900);
    const chain = DevChain.create({ netuid: 3, blockTimeMs: 0 });
    const server = await startDevChainServer(chain, { port });
    try {
        const client = await connecting;
        assert.equal(await client.currentBlock(), 0);
        await client.close();
        const retries = lines.filter((l) => l.level === 'warn');
        assert.ok(retries.length >= 2, JSON.stringify(lines));
        assert.deepEqual(retries.map((l) => l.attempt), retries.map((_, i) => i + 1));
        for (const r of retries) {
            assert.match(r.msg, new RegExp(`^dev chain at ${url} not reachable yet \\(ECONNREFUSED\\): waiting for it \\(gradmesh testnet serves it\\); retry ${r.attempt} in \\d+ ms, giving up in \\d+ s$`));
        }
        assert.equal(lines.at(-1).msg, `dev chain at ${url} connected`);
    }
    finally {
        await server.close();
        await chain.close();
    }
});
test('a dev chain that never answers: retries logged, then one clear error at the deadline', { timeout: 30_000 }, async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { log, lines } = recorder();
    const t0 = Date.now();
    await assert.rejects(connectDevChain(url, 1, { connectTimeoutMs: 1000, minDelayMs: 100, maxDelayMs: 400, log }), (e) => {
        assert.ok(e instanceof ChainError && e.code === 'unreachable');
        assert.match(e.message, new RegExp(`^dev chain at ${url} did not answer within 1 s \\(ECONNREFUSED\\); is the testnet running\\?`));
        return true;
    });
    assert.ok(Date.now() - t0 >= 1000);
    assert.ok(lines.filter((l) => l.level === 'warn').length >= 3, JSON.stringify(lines));
    // Without a deadline (the library default) it fails at once, as before.
    await assert.rejects(connectDevChain(url, 1), /not reachable .*start it/);
});
test('a block stream that ends is reopened with backoff, logged, and the blocks resume', { timeout: 30_000 }, async () => {
    const chain = DevChain.create({ netuid: 2, blockTimeMs: 0 });
    let server = await startDevChainServer(chain, { port: 0 });
    const port = Number(new URL(server.url).port);
    const { log, lines } = recorder();
    const client = await connectDevChain(server.url, 2, { minDelayMs: 100, maxDelayMs: 400, log });
    const seen = [];
    const unsub = await client.subscribeBlocks((b) => seen.push(b));
    try {
        chain.advance(2);
        while (seen.at(-1) !== 2)
            await sleep(10);
        await server.close(); // the chain service goes away …
        await sleep(700);
        chain.advance(1);
        server = await startDevChainServer(chain, { port }); // … and comes back
        chain.advance(1);
        const until = Date.now() + 10_000;
        while (seen.at(-1) !== 4 && Date.now() < until)
            await sleep(20);
        assert.equal(seen.at(-1), 4, `blocks seen: ${seen.join(', ')}\n${JSON.stringify(lines)}`);
        const lost = lines.filter((l) => l.level === 'warn');
        assert.ok(lost.length >= 2, JSON.stringify(lines));
        assert.match(lost[0].msg, new RegExp(`^dev chain block stream from ${server.url} lost \\(.*\\): reopening it; retry 1 in \\d+ ms$`));
        assert.equal(lines.at(-1).msg, `dev chain block stream from ${server.url} back`);
    }
    finally {
        unsub();
        await client.close();
        await server.close();
        await chain.close();
    }
    // Closed on purpose: no retry is logged after.
    const n = lines.length;
    await sleep(500);
    assert.equal(lines.length, n);
});
//# sourceMappingURL=dev-chain-reconnect.test.js.map