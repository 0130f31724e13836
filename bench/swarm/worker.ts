// One node of the swarm bench, run as its own OS process inside its own network
// namespace (the parent forks it through `ip netns exec`). The parent drives it over
// IPC; it reports when it holds each payload. Only the p2p layer is loaded (no engine).
import '../../src/polyfill.js';
import { createHash } from 'node:crypto';
import { multiaddr } from '@multiformats/multiaddr';
import { createP2PNode, type P2PNode } from '../../src/p2p/index.js';

type Cmd =
  | { cmd: 'start'; dataDir: string; listen: string; bootstrap: string[]; runHash: string; uploadBytesPerSec?: number }
  | { cmd: 'status' }
  | { cmd: 'dial'; addrs: string[]; parallel?: number; timeoutMs?: number }
  | { cmd: 'usage' }
  | { cmd: 'prepare'; mib: number; seed: number; uid: number; window: number }
  | { cmd: 'publish' }
  | { cmd: 'stop' };

const now = (): number => performance.timeOrigin + performance.now();
const send = (m: unknown): void => { process.send?.(m); };
let node: P2PNode | null = null;
let prepared: { digest: string; size: number; uid: number; window: number } | null = null;
let runHash = '';

/** fast deterministic bytes: a hash chain */
function fill(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash('sha256').update(`swarm-payload-${seed}`).digest();
  for (let off = 0; off < size; off += 32) {
    out.set(block.subarray(0, Math.min(32, size - off)), off);
    block = (off & 0xfff) === 0 ? createHash('sha256').update(block).digest() : block;
    block[off & 31] ^= (off >>> 5) & 0xff;
  }
  return out;
}

/** Dials each address, at most `parallel` at once; returns the error of each failed dial. */
async function dialAll(addrs: string[], parallel: number, timeoutMs: number): Promise<string[]> {
  const errors: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < addrs.length) {
      const a = addrs[next++]!;
      try {
        await node!.libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(timeoutMs) });
      } catch (e) {
        errors.push(`${(e as Error).name}: ${(e as Error).message}`.slice(0, 160));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, addrs.length) }, lane));
  return errors;
}

async function handle(m: Cmd): Promise<void> {
  switch (m.cmd) {
    case 'start': {
      runHash = m.runHash;
      node = await createP2PNode({
        dataDir: m.dataDir, listen: [m.listen], bootstrap: m.bootstrap, network: 'swarmbench', runHash,
        // 32 processes on 2 shared cores: a handshake may wait seconds for its turn
        connectTimeoutMs: 60_000,
        ...(m.uploadBytesPerSec ? { uploadBytesPerSec: m.uploadBytesPerSec } : {}),
      });
      await node.start();
      const n = node;
      n.on('grad', (msg, from) => {
        const digest = Buffer.from(msg.digest).toString('hex');
        n.fetchBlob(digest, { from: [from], window: Number(msg.window), kind: 'grad', timeoutMs: 600_000 })
          .then((b) => send({ ev: 'have', digest, bytes: b.byteLength, t: now() }))
          .catch((e: unknown) => send({ ev: 'error', digest, error: (e as Error).message }));
      });
      send({ ev: 'ready', peerId: node.peerId, addrs: node.multiaddrs() });
      break;
    }
    case 'status': {
      const subs = node!.libp2p.services.pubsub.getSubscribers(`/gradmesh/run/${runHash}/grad/1`).length;
      const ids = node!.connectedPeers();
      send({ ev: 'status', peers: ids.length, ids, subs, penalised: node!.penalties().size });
      break;
    }
    case 'usage': {
      const u = process.cpuUsage();
      const s = node!.stats();
      send({ ev: 'usage', cpu: (u.user + u.system) / 1e6, blobOut: s.blobBytesOut, blobIn: s.blobBytesIn, swarm: s.swarm, rss: process.memoryUsage().rss });
      break;
    }
    case 'dial': {
      // the swarm's addresses, a few at a time: 32 processes each opening 31 handshakes
      // at once on 2 cores starved the slowest processes until every one of their
      // handshakes timed out (see dialAll)
      const errors = await dialAll(m.addrs, m.parallel ?? 2, m.timeoutMs ?? 60_000);
      send({ ev: 'dialled', failed: errors.length, errors: [...new Set(errors)].slice(0, 4) });
      break;
    }
    case 'prepare': {
      const bytes = fill(Math.round(m.mib * 1024 * 1024), m.seed);
      const digest = await node!.store.put(bytes, { window: m.window, kind: 'grad' });
      prepared = { digest, size: bytes.byteLength, uid: m.uid, window: m.window };
      send({ ev: 'prepared', digest, size: bytes.byteLength });
      break;
    }
    case 'publish': {
      const p = prepared!;
      await node!.publish('grad', {
        version: 1, runHash: new Uint8Array(Buffer.from(runHash, 'hex')), window: BigInt(p.window), uid: p.uid,
        digest: new Uint8Array(Buffer.from(p.digest, 'hex')), size: BigInt(p.size),
        baseThetaHash: new Uint8Array(32), announcedAtMs: BigInt(Date.now()),
      });
      send({ ev: 'published', t: now() });
      break;
    }
    case 'stop': {
      await node?.stop();
      send({ ev: 'stopped' });
      process.exit(0);
    }
  }
}

process.on('message', (m: Cmd) => {
  handle(m).catch((e: unknown) => send({ ev: 'error', error: (e as Error).stack ?? String(e) }));
});
process.on('disconnect', () => process.exit(0));
