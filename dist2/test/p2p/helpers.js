// Shared helpers of the p2p tests: real nodes on loopback, each with its own data dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createP2PNode } from '../../src/p2p/index.js';
export const RUN_HASH = 'ab'.repeat(32);
export async function tempDir(prefix = 'gm-p2p-') {
    return mkdtemp(join(tmpdir(), prefix));
}
export async function startNode(dataDir, bootstrap, extra = {}) {
    const node = await createP2PNode({
        dataDir,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        bootstrap,
        network: 'p2ptest',
        runHash: RUN_HASH,
        ...extra,
    });
    await node.start();
    return node;
}
/** A seed and n-1 nodes that know only the seed's address. */
export async function startSwarm(n, extra = {}) {
    const dirs = [];
    const nodes = [];
    const root = await tempDir();
    dirs.push(join(root, 'n0'));
    const seed = await startNode(dirs[0], [], extra);
    nodes.push(seed);
    const seedAddr = seed.multiaddrs()[0];
    const rest = await Promise.all(Array.from({ length: n - 1 }, (_, i) => {
        const d = join(root, `n${i + 1}`);
        dirs.push(d);
        return startNode(d, [seedAddr], extra);
    }));
    nodes.push(...rest);
    return {
        nodes,
        dirs,
        stop: async () => {
            await Promise.all(nodes.map((x) => x.stop().catch(() => { })));
            await rm(root, { recursive: true, force: true });
        },
    };
}
/** Polls cond until true; fails with the message after timeoutMs (a liveness bound, not a timing assertion). */
export async function waitFor(cond, what, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (await cond())
            return;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
}
export function bytes32(fill) {
    return new Uint8Array(32).fill(fill);
}
export function hexToBytes(hex) {
    return new Uint8Array(Buffer.from(hex, 'hex'));
}
/** Deterministic test bytes (an LCG), so a blob's digest is the same in every run. */
export function payload(size, seed) {
    const out = new Uint8Array(size);
    let x = seed >>> 0;
    for (let i = 0; i < size; i++) {
        x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
        out[i] = x >>> 24;
    }
    return out;
}
//# sourceMappingURL=helpers.js.map