// Checkpoints in the running network. The lead validator writes one after every
// `checkpoint.everyWindows` windows (θ after a manifest, with the manifest chain's
// head in its metadata), serves it from its content store and re-announces the
// newest one every window, so that a node that joins — or fell far behind — hears of
// it within a window, fetches it (ranges from several providers), verifies it, and
// replays only the manifests after it.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ModelConfig, TensorSpec } from '../train/model-config.js';
import {
  CheckpointStore, encodeCheckpointChunksAsync, fetchVerifiedCheckpoint, type CheckpointCandidate,
} from '../train/checkpoint/index.js';
import { concatAsync, sha256Async } from '../train/compress/offload.js';
import { assertWritable } from '../train/compress/claims.js';
import type { P2PNode } from '../p2p/index.js';
import type { CheckpointAnnouncement } from '../p2p/proto/messages.js';
import { toHex } from './run-spec.js';

export interface CheckpointDeps {
  dataDir: string;
  keep: number;
  model: ModelConfig;
  layout: TensorSpec[];
  runHash: Uint8Array;
  runHashHex: string;
  p2p: P2PNode;
  log: Logger;
}

export class Checkpoints {
  readonly store: CheckpointStore;
  /** The newest checkpoint heard of (or written), with the peers known to hold it. */
  private newest?: CheckpointCandidate;

  constructor(private readonly d: CheckpointDeps) {
    this.store = new CheckpointStore(join(d.dataDir, 'checkpoints'), { keep: d.keep });
  }

  get latest(): CheckpointCandidate | undefined {
    return this.newest;
  }

  /** Records an announcement heard from a validator. */
  heard(msg: CheckpointAnnouncement, from: string): void {
    if (toHex(msg.runHash) !== this.d.runHashHex) return;
    const window = Number(msg.window);
    const digest = toHex(msg.digest);
    if (this.newest && this.newest.window > window) return;
    if (this.newest && this.newest.digest === digest) {
      if (!this.newest.providers.includes(from)) this.newest.providers.push(from);
      return;
    }
    this.newest = { window, digest, size: Number(msg.size), thetaHash: toHex(msg.thetaHash), providers: [from] };
  }

  /** Writes θ (after the manifest of `window`) as a checkpoint, stores and serves it. */
  async write(theta: Float32Array, head: { window: number; digest: string }, thetaHash: string): Promise<CheckpointCandidate> {
    // Off the event loop: the pieces (views of θ) are written, hashed and copied into
    // one blob for the content store by libuv's threads. θ must not change meanwhile
    // (the caller holds the replica lock).
    const chunks = await encodeCheckpointChunksAsync({
      params: theta, layout: this.d.layout, model: this.d.model,
      meta: { window: head.window, thetaHash, runHash: this.d.runHashHex, manifestDigest: head.digest },
    });
    await this.store.write(head.window, chunks);
    const digest = await sha256Async(chunks, 'checkpoint chunk');
    const bytes = await concatAsync(chunks);
    await this.d.p2p.store.putVerified(digest, bytes, { window: head.window, kind: 'checkpoint' });
    this.newest = { window: head.window, digest, size: bytes.byteLength, thetaHash, providers: [this.d.p2p.peerId] };
    this.d.log.info({ event: 'checkpoint_written', window: head.window, digest, bytes: bytes.byteLength }, 'wrote checkpoint');
    return this.newest;
  }

  async announce(): Promise<void> {
    const c = this.newest;
    if (!c) return;
    await this.d.p2p.publish('checkpoint', {
      version: 1, runHash: this.d.runHash, window: BigInt(c.window), digest: Buffer.from(c.digest, 'hex'),
      size: BigInt(c.size), thetaHash: Buffer.from(c.thetaHash, 'hex'),
    });
  }

  /**
   * If a checkpoint newer than `head` is known, fetches and verifies it into `theta`
   * and returns the manifest-chain head it corresponds to; otherwise null.
   */
  async jump(head: { window: number }, theta: Float32Array): Promise<{ digest: string; window: number } | null> {
    const c = this.newest;
    if (!c || c.window <= head.window) return null;
    const t0 = Date.now();
    let lastLog = 0;
    const r = await fetchVerifiedCheckpoint([c], { runHash: this.d.runHashHex, layout: this.d.layout }, {
      fetch: (cand) => this.d.p2p.fetchBlob(cand.digest, { from: cand.providers, timeoutMs: 120_000, window: cand.window }),
      store: this.store,
      onProgress: (_cand, received, total) => {
        if (Date.now() - lastLog > 1000) {
          lastLog = Date.now();
          this.d.log.info({ event: 'checkpoint_download', received, total }, `checkpoint ${((100 * received) / Math.max(1, total)).toFixed(0)}%`);
        }
      },
    });
    for (const rej of r.rejected) this.d.log.warn({ window: rej.candidate.window, err: rej.error.message }, 'rejected a checkpoint');
    assertWritable(theta, 'θ', 'loading a checkpoint');
    theta.set(r.checkpoint.params);
    const meta = r.checkpoint.meta;
    this.d.log.info(
      { event: 'checkpoint_loaded', window: meta.window, thetaHash: meta.thetaHash, ms: Date.now() - t0 },
      'joined from a verified checkpoint; replaying the manifests after it',
    );
    return { digest: meta.manifestDigest, window: meta.window };
  }

  /** Oldest window whose payloads and manifests must still be kept (to replay from the oldest checkpoint). */
  retentionFloor(): number | undefined {
    const list = this.store.list();
    if (list.length === 0) return undefined;
    return Math.min(...list);
  }
}
