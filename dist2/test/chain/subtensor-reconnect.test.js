// The subtensor connection's reconnect against a real WebSocket server that, after
// the first connection, accepts and drops every connection, then is gone (connections
// refused), then comes back: one backoff chain at a time, logged, ended by the
// reconnection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { openProvider } from '../../src/chain/subtensor-connect.js';
/** A WebSocket server on a fixed loopback port that can drop what it accepts, go away and come back. */
class FlakyServer {
    port;
    mode = 'keep';
    accepted = 0;
    wss;
    constructor(port = 0) {
        this.port = port;
    }
    async up() {
        const wss = new WebSocketServer({ host: '127.0.0.1', port: this.port });
        await new Promise((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
        this.port = wss.address().port;
        wss.on('connection', (socket) => {
            this.accepted++;
            socket.on('error', () => undefined);
            if (this.mode === 'drop')
                socket.terminate();
        });
        this.wss = wss;
    }
    /** Drops every open connection. */
    dropAll() {
        for (const c of this.wss?.clients ?? [])
            c.terminate();
    }
    open() {
        return this.wss?.clients.size ?? 0;
    }
    async down() {
        const wss = this.wss;
        this.wss = undefined;
        if (!wss)
            return;
        for (const c of wss.clients)
            c.terminate();
        await new Promise((resolve) => wss.close(() => resolve()));
    }
}
test('a lost subtensor connection is retried by one backoff chain, logged, which ends on reconnection', { timeout: 30_000 }, async (t) => {
    const server = new FlakyServer();
    await server.up();
    const lines = [];
    const log = {
        warn: (o, msg) => { lines.push({ level: 'warn', msg, ...o }); },
        info: (o, msg) => { lines.push({ level: 'info', msg, ...o }); },
    };
    const MIN = 100;
    const MAX = 800;
    const provider = await openProvider(`ws://127.0.0.1:${server.port}`, { minDelayMs: MIN, maxDelayMs: MAX, connectTimeoutMs: 5000, log });
    try {
        assert.ok(provider.isConnected);
        // every socket the client opens, whatever happens to it next
        const attempts = [];
        const t0 = Date.now();
        const connect = provider.connect.bind(provider);
        provider.connect = async () => {
            await connect();
            attempts.push(Date.now() - t0);
        };
        // 3 s of a server that accepts and at once drops, then 3 s with no server at all
        server.mode = 'drop';
        server.dropAll();
        await sleep(3000);
        await server.down();
        await sleep(3000);
        const duringOutage = attempts.length;
        server.mode = 'keep';
        await server.up();
        const back = Date.now();
        while (!provider.isConnected && Date.now() - back < 5000)
            await sleep(20);
        assert.ok(provider.isConnected, 'reconnected within 5 s of the server coming back');
        t.diagnostic(`attempts at ${attempts.join(', ')} ms; server back at ${back - t0} ms, accepted ${server.accepted} connections in all`);
        // One chain: each wait is twice the last (up to MAX), so about 10 attempts in 6 s;
        // chains started per 'disconnected' event multiply into hundreds.
        assert.ok(duringOutage >= 5 && duringOutage <= 14, `attempts during the 6 s outage: ${duringOutage} at ${attempts.join(', ')} ms`);
        for (let i = 1; i < attempts.length; i++) {
            const expected = Math.min(MIN * 2 ** i, MAX);
            // timers never fire early (1 ms of rounding aside); a busy machine only stretches gaps
            assert.ok(attempts[i] - attempts[i - 1] >= expected - 5, `gap ${i} of ${attempts[i] - attempts[i - 1]} ms, expected >= ${expected} ms: ${attempts.join(', ')}`);
        }
        // the chain ended: nothing more is attempted while connected
        const settled = attempts.length;
        await sleep(1500);
        assert.equal(attempts.length, settled, 'no attempt after reconnecting');
        assert.equal(server.open(), 1, 'exactly one live connection');
        // logged: the loss, each attempt with its number and the wait before it, the reconnection
        const tries = lines.filter((l) => l.msg === 'subtensor reconnect attempt');
        assert.equal(tries.length, attempts.length, JSON.stringify(lines));
        assert.deepEqual(tries.map((l) => l.attempt), tries.map((_, i) => i + 1));
        // a chain starts at each loss and ends at each connection (the dropping server's too)
        const lost = lines.filter((l) => l.msg === 'subtensor connection lost; reconnecting with backoff');
        const reconnected = lines.filter((l) => l.msg === 'subtensor reconnected');
        assert.equal(lost.length, reconnected.length, JSON.stringify(lines));
        assert.equal(reconnected.at(-1)?.attempt, attempts.length);
    }
    finally {
        await provider.disconnect();
        await server.down();
    }
});
test('the first connection keeps trying until a node that is still starting comes up', { timeout: 20_000 }, async () => {
    // a free port with nothing listening yet
    const probe = new FlakyServer();
    await probe.up();
    const port = probe.port;
    await probe.down();
    const lines = [];
    const log = {
        warn: (o, msg) => { lines.push({ msg, ...o }); },
        info: (o, msg) => { lines.push({ msg, ...o }); },
    };
    const opening = openProvider(`ws://127.0.0.1:${port}`, { connectTimeoutMs: 8000, log });
    await sleep(1000);
    const server = new FlakyServer(port);
    await server.up();
    const provider = await opening;
    try {
        assert.ok(provider.isConnected);
        assert.equal(server.open(), 1);
        // While it waits it says what for, and until when; then each attempt.
        assert.equal(lines[0].msg, `subtensor at ws://127.0.0.1:${port} not reachable yet: waiting for it, retrying with backoff for up to 8 s (check --subtensor.network / --subtensor.chain_endpoint)`);
        const tries = lines.filter((l) => l.msg === `subtensor connect attempt (waiting for ws://127.0.0.1:${port})`);
        assert.ok(tries.length >= 1, JSON.stringify(lines));
        assert.equal(lines.at(-1).msg, 'subtensor connected');
    }
    finally {
        await provider.disconnect();
        await server.down();
    }
});
//# sourceMappingURL=subtensor-reconnect.test.js.map