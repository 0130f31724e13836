// The blob protocol's request checks, at the parser and over real libp2p streams
// between two nodes on loopback: a request of a version this node does not speak is
// refused (BAD_REQUEST, no body) and counted; a response of an unknown version is
// refused by the client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { BLOB_PROTOCOL, BLOB_VERSION, checkRequest, fetchRange } from '../../src/p2p/blob-protocol.js';
import { BlobProtocolError } from '../../src/p2p/errors.js';
import { BlobRequest, BlobResponse } from '../../src/p2p/proto/messages.js';
import { hexToBytes, startNode, tempDir } from './helpers.js';
test('checkRequest refuses an unknown version and a digest that is not 32 bytes, naming the reason', () => {
    const digest = new Uint8Array(32).fill(1);
    assert.equal(checkRequest({ version: BLOB_VERSION, digest, offset: 0n, length: 0n }), undefined);
    assert.deepEqual(checkRequest({ version: BLOB_VERSION + 1, digest, offset: 0n, length: 0n }), { key: 'unsupported version', why: `blob request version ${BLOB_VERSION + 1}; this node speaks version ${BLOB_VERSION}` });
    // a request without the field decodes as version 0: refused too
    assert.equal(checkRequest(BlobRequest.decode(BlobRequest.encode({ version: 0, digest, offset: 0n, length: 0n })))?.key, 'unsupported version');
    assert.deepEqual(checkRequest({ version: BLOB_VERSION, digest: digest.subarray(0, 31), offset: 0n, length: 0n }), { key: 'bad digest', why: 'digest of 31 bytes, expected 32' });
});
describe('blob protocol between two real nodes', () => {
    let root;
    let server;
    let client;
    let digest;
    const blob = new Uint8Array(1000).map((_, i) => (i * 13) & 0xff);
    before(async () => {
        root = await tempDir();
        server = await startNode(join(root, 'server'), []);
        client = await startNode(join(root, 'client'), []);
        digest = await server.store.put(blob, { window: 1, kind: 'grad' });
    });
    after(async () => {
        await Promise.all([server.stop(), client.stop()]);
        await rm(root, { recursive: true, force: true });
    });
    /**
     * Sends one request on a fresh stream, closes our side, and reads everything the
     * server sends until it closes: the response header, then the body bytes.
     * (Headers are under 128 bytes, so each length prefix is one varint byte.)
     */
    async function ask(version) {
        const signal = AbortSignal.timeout(20_000);
        const stream = await client.libp2p.dialProtocol(multiaddr(server.multiaddrs()[0]), BLOB_PROTOCOL, { signal });
        const req = BlobRequest.encode({ version, digest: hexToBytes(digest), offset: 0n, length: 0n });
        assert.ok(req.byteLength < 128);
        stream.send(Uint8Array.from([req.byteLength, ...req]));
        await stream.close({ signal });
        const parts = [];
        for await (const chunk of stream)
            parts.push(chunk.subarray());
        const all = Buffer.concat(parts);
        assert.ok(all.length > 0 && all[0] < 128, 'a response header came back');
        return { res: BlobResponse.decode(all.subarray(1, 1 + all[0])), body: all.length - 1 - all[0] };
    }
    test('a request of an unknown version is answered BAD_REQUEST with no body, and counted', async () => {
        const before = server.stats().rejections['blob: unsupported version'] ?? 0;
        const refused = await ask(BLOB_VERSION + 1);
        assert.equal(refused.res.status, BlobResponse.Status.BAD_REQUEST);
        assert.equal(refused.res.version, BLOB_VERSION, 'the answer says which version the server speaks');
        assert.equal(refused.res.length, 0n);
        assert.equal(refused.body, 0);
        assert.equal((server.stats().rejections['blob: unsupported version'] ?? 0) - before, 1);
        // the same request in the right version is served: the refusal was the version's
        const served = await ask(BLOB_VERSION);
        assert.equal(served.res.status, BlobResponse.Status.OK);
        assert.equal(served.body, blob.byteLength);
        assert.equal((server.stats().rejections['blob: unsupported version'] ?? 0) - before, 1);
    });
    test('the client refuses a response of a version it does not speak', async () => {
        // the server node answers in a future version (its own handler swapped for the test)
        await server.libp2p.unhandle(BLOB_PROTOCOL);
        await server.libp2p.handle(BLOB_PROTOCOL, async (stream) => {
            const lp = lpStream(stream, { maxDataLength: 128 });
            await lp.read();
            await lp.write(BlobResponse.encode({ version: BLOB_VERSION + 1, status: BlobResponse.Status.OK, totalSize: 1000n, offset: 0n, length: 1000n }));
            await stream.close();
        });
        await client.libp2p.dial(multiaddr(server.multiaddrs()[0]));
        const dial = (peer, protocol, opts) => client.libp2p.dialProtocol(peer, protocol, opts);
        await assert.rejects(fetchRange(dial, peerIdFromString(server.peerId), {
            digest: hexToBytes(digest), offset: 0, length: 0, maxBytes: 1 << 20,
            signal: AbortSignal.timeout(20_000), sink: (h) => new Uint8Array(h.length),
        }), (e) => e instanceof BlobProtocolError && e.code === 'BLOB_VERSION' && /answered in blob protocol version 2; this node speaks version 1/.test(e.message));
    });
});
//# sourceMappingURL=blob-protocol.test.js.map