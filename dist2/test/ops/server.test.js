import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startOpsServer, OpsServerError } from '../../src/ops/server.js';
import { startTestnetDashboard } from '../../src/ops/node-ops.js';
import { fetchStatus, opsBaseUrl } from '../../src/ops/status-client.js';
import { StatusError } from '../../src/ops/status.js';
import { formatStatus, sparkline } from '../../src/ops/format-status.js';
import { sampleStatus } from './sample-status.js';
test('the node API serves status, metrics and the page, on loopback', async (t) => {
    let window = 5;
    let fail = false;
    const server = await startOpsServer({
        port: 0,
        name: 'miner 2',
        status: () => {
            if (fail)
                throw new Error('replica is busy');
            return sampleStatus({ window });
        },
    });
    t.after(() => server.close());
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const s1 = (await (await fetch(`${server.url}/api/status`)).json());
    assert.equal(s1.window, 5);
    window = 6;
    assert.equal((await fetchStatus(server.url)).window, 6, 'each request reads the provider afresh');
    const nodes = (await (await fetch(`${server.url}/api/nodes`)).json());
    assert.equal(nodes.nodes.length, 1);
    assert.equal(nodes.nodes[0].name, 'miner 2');
    assert.equal(nodes.nodes[0].status.window, 6);
    const metrics = await fetch(`${server.url}/metrics`);
    assert.match(metrics.headers.get('content-type'), /text\/plain/);
    assert.match(await metrics.text(), /^gradmesh_window\{role="miner"\} 6$/m);
    const page = await fetch(`${server.url}/`);
    assert.match(page.headers.get('content-type'), /text\/html/);
    assert.match(page.headers.get('content-security-policy'), /connect-src 'self'/);
    const html = await page.text();
    assert.match(html, /<title>gradmesh node<\/title>/);
    // Self-contained: nothing is loaded from elsewhere.
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /__GM_/);
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/status`, { method: 'POST' })).status, 405);
    // A failing provider gives 503 and the server carries on.
    fail = true;
    const bad = await fetch(`${server.url}/api/status`);
    assert.equal(bad.status, 503);
    assert.deepEqual(await bad.json(), { error: 'replica is busy' });
    const entries = (await (await fetch(`${server.url}/api/nodes`)).json());
    assert.equal(entries.nodes[0].error, 'replica is busy');
    fail = false;
    assert.equal((await fetch(`${server.url}/api/status`)).status, 200);
});
test('a port in use is a clear error', async (t) => {
    const first = await startOpsServer({ port: 0, status: () => sampleStatus() });
    t.after(() => first.close());
    await assert.rejects(startOpsServer({ port: first.port, status: () => sampleStatus() }), (e) => {
        assert.ok(e instanceof OpsServerError);
        assert.match(e.message, new RegExp(`ops port ${first.port} on 127.0.0.1 is in use`));
        return true;
    });
    await assert.rejects(startOpsServer({ port: 70000, status: () => sampleStatus() }), /expected an integer 0\.\.65535, got 70000/);
});
test('the status client validates what it receives and names the problem', async (t) => {
    const junk = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url === '/api/status' ? JSON.stringify({ ...sampleStatus(), window: 'five' }) : '{}');
    });
    await new Promise((r) => junk.listen(0, '127.0.0.1', r));
    t.after(() => new Promise((r) => junk.close(() => r())));
    const port = junk.address().port;
    await assert.rejects(fetchStatus(`127.0.0.1:${port}`), (e) => {
        assert.ok(e instanceof StatusError);
        assert.match(e.message, /window: .*expected number/i);
        return true;
    });
    // Nothing listens on a port we just released.
    const probe = createServer();
    await new Promise((r) => probe.listen(0, '127.0.0.1', r));
    const free = probe.address().port;
    await new Promise((r) => probe.close(() => r()));
    await assert.rejects(fetchStatus(`http://127.0.0.1:${free}`), /cannot reach the node at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    assert.equal(opsBaseUrl('localhost:9900/'), 'http://localhost:9900');
    assert.throws(() => opsBaseUrl('ftp://x'), /expected an http:\/\/ URL/);
});
test('the testnet dashboard aggregates every node and marks the ones that are down', async (t) => {
    const v = await startOpsServer({ port: 0, status: () => sampleStatus({ role: 'validator', uid: 0, window: 7 }) });
    const m = await startOpsServer({ port: 0, status: () => sampleStatus({ role: 'miner', uid: 2, window: 7 }) });
    t.after(() => Promise.all([v.close(), m.close()]));
    const list = [
        { name: 'validator0', url: v.url },
        { name: 'miner0', url: m.url },
        { name: 'miner1', url: 'http://127.0.0.1:1' },
    ];
    const dash = await startTestnetDashboard({ port: 0, nodes: () => list, timeoutMs: 1000 });
    t.after(() => dash.close());
    const body = (await (await fetch(`${dash.url}/api/nodes`)).json());
    assert.equal(body.title, 'gradmesh testnet');
    assert.deepEqual(body.nodes.map((n) => [n.name, n.status?.role ?? 'down']), [['validator0', 'validator'], ['miner0', 'miner'], ['miner1', 'down']]);
    assert.match(body.nodes[2].error, /cannot reach the node/);
    assert.equal((await fetch(`${dash.url}/api/status`)).status, 404);
    assert.match(await (await fetch(`${dash.url}/`)).text(), /<title>gradmesh testnet<\/title>/);
});
test('gradmesh status fits a node on one screen', () => {
    const text = formatStatus(sampleStatus({ role: 'validator', uid: 0, window: 8 }));
    const lines = text.split('\n');
    assert.ok(lines.length <= 24, `${lines.length} lines`);
    assert.ok(lines.every((l) => l.length <= 160), 'no line wider than a terminal');
    assert.match(text, /^gradmesh validator · uid 0 · run testnet-tiny/);
    assert.match(text, /window +8 +\(block 33, 2\/4 of the window\)/);
    assert.match(text, /in sync · manifest of window 6 applied/);
    assert.match(text, /held-out loss 7\.7000 \(window 7\)/);
    assert.match(text, /3 connected: 1 miner, 1 validator, 1 unregistered; gossip score min -3\.25, mean 4\.63/);
    assert.match(text, /weights set at block 16/);
    assert.match(text, /θ peers  at θ_7: 2 agree, none differ · 1 at another window/);
    assert.match(text, /uid 2 0\.750 \(w 0\.600\) · uid 3 0\.250 \(w 0\.400\)/);
    assert.match(text, /payloads window 7: 2 aggregated of 3 heard · fewer: 1 late, 1 out of sync/);
    assert.match(text, /loop +event-loop delay over the last window: max 41\.5 ms, p99 12\.3 ms, mean 10\.5 ms · max since start 180\.0 ms/);
    const miner = formatStatus({ ...sampleStatus({ role: 'miner', uid: 2, window: 4 }), inSync: false, manifestsMissed: 3 });
    assert.match(miner, /OUT OF SYNC/);
    assert.match(miner, /3 MISSED/);
    assert.match(miner, /loss 8\.4800 \(window 3\) · 1235 tok\/s · 40 inner steps/);
    assert.match(miner, /late +1 window\(s\) past the deadline, 0 skipped \(last: window 2\)/);
    assert.equal(sparkline([{ window: 0, loss: 3 }, { window: 1, loss: 2 }, { window: 2, loss: 1 }]), '█▅▁');
});
//# sourceMappingURL=server.test.js.map