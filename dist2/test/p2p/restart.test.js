// A restarted node keeps its PeerId (the key persists in its data dir) and its store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startNode, tempDir } from './helpers.js';
test('a restarted node keeps its PeerId and its stored blobs', async () => {
    const dir = await tempDir();
    try {
        const a = await startNode(dir, []);
        const id = a.peerId;
        const digest = await a.store.put(new TextEncoder().encode('kept across restarts'), { window: 2, kind: 'grad' });
        await a.stop();
        const b = await startNode(dir, []);
        try {
            assert.equal(b.peerId, id);
            assert.ok(b.store.has(digest));
            assert.equal(new TextDecoder().decode((await b.store.get(digest))), 'kept across restarts');
            // the same object can be stopped and started again
            await b.stop();
            await b.start();
            assert.equal(b.peerId, id);
            assert.ok(b.multiaddrs().length > 0);
        }
        finally {
            await b.stop();
        }
        const other = await startNode(await tempDir(), []);
        assert.notEqual(other.peerId, id, 'a fresh data dir gets a fresh identity');
        await other.stop();
    }
    finally {
        await rm(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=restart.test.js.map