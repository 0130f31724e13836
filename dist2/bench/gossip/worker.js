// One node of the gossip bench, run as its own OS process (child_process.fork).
// The parent drives it over IPC: baseline stream test, payload publication, and
// reports of when each payload is held.
import '../../src/polyfill.js';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { createP2PNode } from '../../src/p2p/index.js';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
export const SINK_PROTOCOL = '/gradmesh/bench/sink/1.0.0';
const now = () => performance.timeOrigin + performance.now();
const send = (m) => { process.send?.(m); };
let node = null;
let prepared = null;
const held = [];
let runHash = '';
let profiler = null;
// garbage collections (minor; all other kinds: major, incremental marking, weak
// callbacks) with their wall-clock durations, for --per-node
const gc = { minorN: 0, minorMs: 0, majorN: 0, majorMs: 0 };
new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
        const kind = e.detail?.kind ?? 0;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
            gc.minorN++;
            gc.minorMs += e.duration;
        }
        else {
            gc.majorN++;
            gc.majorMs += e.duration;
        }
    }
}).observe({ entryTypes: ['gc'] });
function fill(size, seed) {
    // fast deterministic bytes: hash chain blocks
    const out = new Uint8Array(size);
    let block = createHash('sha256').update(`payload-${seed}`).digest();
    for (let off = 0; off < size; off += 32) {
        out.set(block.subarray(0, Math.min(32, size - off)), off);
        if ((off & 0xffff) === 0)
            block = createHash('sha256').update(block).digest();
        else
            block[off & 31] ^= (off >>> 5) & 0xff;
    }
    return out;
}
async function handle(m) {
    switch (m.cmd) {
        case 'start': {
            runHash = m.runHash;
            node = await createP2PNode({ dataDir: m.dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: m.bootstrap, network: 'bench', runHash });
            await node.start();
            // baseline sink: count bytes, report when the expected amount arrived
            await node.libp2p.handle(SINK_PROTOCOL, async (stream) => {
                let got = 0;
                for await (const chunk of stream)
                    got += chunk.byteLength;
                send({ ev: 'sunk', bytes: got, t: now() });
                await stream.close().catch(() => { });
            });
            const n = node;
            node.on('grad', (msg, from) => {
                const digest = Buffer.from(msg.digest).toString('hex');
                n.fetchBlob(digest, { from: [from], window: Number(msg.window), kind: 'grad' })
                    .then((b) => {
                    held.push(digest);
                    send({ ev: 'have', digest, bytes: b.byteLength, t: now() });
                })
                    .catch((e) => send({ ev: 'error', digest, error: e.message }));
            });
            send({ ev: 'ready', peerId: node.peerId, addrs: node.multiaddrs() });
            break;
        }
        case 'status': {
            const subs = node.libp2p.services.pubsub.getSubscribers(`/gradmesh/run/${runHash}/grad/1`).length;
            send({ ev: 'status', peers: node.connectedPeers().length, subs });
            break;
        }
        case 'cpu': {
            const u = process.cpuUsage();
            send({ ev: 'cpu', s: (u.user + u.system) / 1e6, user: u.user / 1e6, sys: u.system / 1e6, gc: { ...gc }, walks: node?.stats().dhtWalks ?? 0 });
            break;
        }
        case 'settle': {
            // background work of the last round (DHT provider records) finishes before the next
            await Promise.all(held.splice(0).map((d) => node.whenProvided(d)));
            send({ ev: 'settled' });
            break;
        }
        case 'stream': {
            const addr = multiaddr(m.target);
            const id = addr.getComponents().find((c) => c.name === 'p2p')?.value;
            const stream = await node.libp2p.dialProtocol(id ? peerIdFromString(id) : addr, SINK_PROTOCOL);
            void id;
            const chunk = new Uint8Array(256 * 1024).fill(7);
            let sent = 0;
            while (sent < m.bytes) {
                const n = Math.min(chunk.byteLength, m.bytes - sent);
                if (!stream.send(n === chunk.byteLength ? chunk : chunk.subarray(0, n)))
                    await stream.onDrain();
                sent += n;
            }
            await stream.close();
            break;
        }
        case 'prepare': {
            const bytes = fill(m.mib * 1024 * 1024, m.seed);
            const digest = await node.store.put(bytes, { window: m.window, kind: 'grad' });
            held.push(digest);
            prepared = { digest, size: bytes.byteLength, uid: m.uid, window: m.window };
            send({ ev: 'prepared', digest });
            break;
        }
        case 'publish': {
            const p = prepared;
            const recipients = await node.publish('grad', {
                version: 1, runHash: new Uint8Array(Buffer.from(runHash, 'hex')), window: BigInt(p.window), uid: p.uid,
                digest: new Uint8Array(Buffer.from(p.digest, 'hex')), size: BigInt(p.size),
                baseThetaHash: new Uint8Array(32), announcedAtMs: BigInt(Date.now()),
            });
            send({ ev: 'published', digest: p.digest, recipients, t: now() });
            break;
        }
        case 'profile': {
            // --profile DIR: a V8 CPU profile of one phase of a round
            if (m.on) {
                profiler = new Session();
                profiler.connect();
                await profiler.post('Profiler.enable');
                await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
                await profiler.post('Profiler.start');
            }
            else if (profiler) {
                const { profile } = await profiler.post('Profiler.stop');
                await writeFile(`${m.dir}/${m.tag}.cpuprofile`, JSON.stringify(profile));
                profiler.disconnect();
                profiler = null;
            }
            send({ ev: 'profiled' });
            break;
        }
        case 'stop': {
            await node?.stop();
            send({ ev: 'stopped', stats: node?.stats() });
            process.exit(0);
        }
    }
}
process.on('message', (m) => {
    handle(m).catch((e) => send({ ev: 'error', error: e.stack ?? String(e) }));
});
process.on('disconnect', () => process.exit(0));
//# sourceMappingURL=worker.js.map