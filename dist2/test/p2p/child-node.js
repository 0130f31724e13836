// A p2p node in its own OS process, for the multi-process test. Args (JSON):
// { dataDir, bootstrap, runHash, role: 'publisher' | 'fetcher', size }
// publisher: stores a payload and announces it until someone fetched it.
// fetcher: fetches every announced payload from its announcer and reports it.
// Reports go to stdout as JSON lines.
import '../../src/polyfill.js';
import { createHash } from 'node:crypto';
import { createP2PNode } from '../../src/p2p/index.js';
const o = JSON.parse(process.argv[2] ?? '{}');
const out = (m) => { process.stdout.write(`${JSON.stringify(m)}\n`); };
const node = await createP2PNode({ dataDir: o.dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: o.bootstrap, network: 'p2ptest', runHash: o.runHash });
await node.start();
out({ ev: 'ready', peerId: node.peerId });
const stop = async () => { await node.stop(); process.exit(0); };
process.stdin.on('data', () => { void stop(); });
process.stdin.on('end', () => { void stop(); });
if (o.role === 'fetcher') {
    node.on('grad', (msg, from) => {
        const digest = Buffer.from(msg.digest).toString('hex');
        node.fetchBlob(digest, { from: [from], timeoutMs: 60_000 })
            .then((b) => out({ ev: 'fetched', digest, from, sha256: createHash('sha256').update(b).digest('hex'), size: b.byteLength }))
            .catch((e) => out({ ev: 'error', error: e.message }));
    });
}
else {
    const payload = new Uint8Array(o.size).map((_, i) => (i * 131 + 7) & 0xff);
    const digest = await node.store.put(payload, { window: 1, kind: 'grad' });
    out({ ev: 'stored', digest });
    // announce until a peer has pulled the payload (announcements are idempotent)
    while (node.stats().blobBytesOut < o.size) {
        await node.publish('grad', {
            version: 1, runHash: new Uint8Array(Buffer.from(o.runHash, 'hex')), window: 1n, uid: 1,
            digest: new Uint8Array(Buffer.from(digest, 'hex')), size: BigInt(o.size), baseThetaHash: new Uint8Array(32), announcedAtMs: BigInt(Date.now()),
        }).catch(() => 0);
        await new Promise((r) => setTimeout(r, 1000));
    }
    out({ ev: 'served', bytes: node.stats().blobBytesOut });
}
//# sourceMappingURL=child-node.js.map