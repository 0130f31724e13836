// Nodes in separate OS processes: a publisher and a fetcher, both knowing only a seed
// that runs in the test process, find each other; the announcement travels over
// gossip and the payload over the blob protocol, verified by digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_HASH, startNode, tempDir } from './helpers.js';
const polyfill = fileURLToPath(new URL('../../src/polyfill.js', import.meta.url));
const child = fileURLToPath(new URL('./child-node.js', import.meta.url));
function run(args) {
    const proc = spawn(process.execPath, ['--import', polyfill, child, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const seen = [];
    const waiting = [];
    createInterface({ input: proc.stdout }).on('line', (line) => {
        let m;
        try {
            m = JSON.parse(line);
        }
        catch {
            return;
        }
        const i = waiting.findIndex((w) => w.ev === m.ev);
        if (i >= 0)
            waiting.splice(i, 1)[0].resolve(m);
        else
            seen.push(m);
    });
    return {
        proc,
        next: (ev) => {
            const i = seen.findIndex((m) => m.ev === ev);
            if (i >= 0)
                return Promise.resolve(seen.splice(i, 1)[0]);
            return new Promise((resolve) => waiting.push({ ev, resolve }));
        },
    };
}
test('nodes in separate processes discover each other and move a verified blob', { timeout: 120_000 }, async () => {
    const root = await tempDir();
    const seed = await startNode(join(root, 'seed'), []);
    const procs = [];
    try {
        const bootstrap = [seed.multiaddrs()[0]];
        const size = 3 * 1024 * 1024 + 17;
        const fetcher = run({ dataDir: join(root, 'f'), bootstrap, runHash: RUN_HASH, role: 'fetcher', size });
        procs.push(fetcher.proc);
        await fetcher.next('ready');
        const publisher = run({ dataDir: join(root, 'p'), bootstrap, runHash: RUN_HASH, role: 'publisher', size });
        procs.push(publisher.proc);
        const pubReady = await publisher.next('ready');
        const stored = await publisher.next('stored');
        const fetched = await fetcher.next('fetched');
        assert.equal(fetched.digest, stored.digest);
        assert.equal(fetched.sha256, stored.digest, 'bytes verified against the digest');
        assert.equal(fetched.size, size);
        assert.equal(fetched.from, pubReady.peerId);
        const served = await publisher.next('served');
        assert.ok(served.bytes >= size);
    }
    finally {
        for (const p of procs)
            p.stdin?.end();
        await Promise.all(procs.map((p) => new Promise((r) => { if (p.exitCode !== null)
            r(null);
        else
            p.on('exit', r); setTimeout(() => { p.kill(); r(null); }, 10_000).unref(); })));
        await seed.stop();
        await rm(root, { recursive: true, force: true });
    }
});
//# sourceMappingURL=processes.test.js.map