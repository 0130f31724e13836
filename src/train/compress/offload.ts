// O(parameters) work kept off the JS thread, so that a node at a real model size
// still answers gossip, serves blobs and sees blocks on time while it hashes, copies
// and writes θ (docs/engine.md, "Off the event loop").
//
// - thetaHashAsync: SHA-256 of θ on a worker thread. θ, the validator's scratch and
//   the error-feedback buffer live in SharedArrayBuffers (sharedFloat32), which a
//   worker reads in place: no copy, no time on the event loop. Memory a worker
//   cannot see (the engine's own buffers) is hashed here in slices of SLICE_BYTES,
//   yielding to the event loop between slices.
// - hashFileAsync: SHA-256 of a file's first bytes, read and hashed on the worker
//   (state files: their checksum covers what was written).
// - copyChunked / deltaAndRestore: the memcpy-sized loops, sliced.
// The worker is one per process, started on first use from an inline script (no
// separate file: the device bundle is one file), and does not keep the process alive
// while idle.
//
// Buffer rule: while a call here runs, no JS code may write the arrays it was given
// (the node runs every one of them under the replica lock). Each call claims them
// (claims.ts): a conflicting call or an assertWritable on them throws BufferBusyError.
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';
import { thetaHash } from './hash.js';
import { withClaims } from './claims.js';

const littleEndian = endianness() === 'LE';

/** Bytes hashed or copied on the JS thread at a time (then the time budget is checked). */
export const SLICE_BYTES = 1 << 20;
/** Work on the JS thread between two yields to the event loop, ms. */
export const BUDGET_MS = 4;

/** A Float32Array over a SharedArrayBuffer (readable in place by the hash worker). */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

/** Lets the event loop run timers and I/O before the next slice. */
export function yieldToLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Yields when the slice of work since the last yield used up BUDGET_MS. */
class Budget {
  private since = performance.now();

  async check(): Promise<void> {
    if (performance.now() - this.since < BUDGET_MS) return;
    await yieldToLoop();
    this.since = performance.now();
  }
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
parentPort.on('message', (job) => {
  try {
    const h = createHash('sha256');
    if (job.kind === 'views') {
      for (const v of job.views) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } else {
      const fd = openSync(job.path, 'r');
      try {
        const buf = Buffer.allocUnsafe(Math.min(8 << 20, Math.max(1, job.length)));
        let done = 0;
        while (done < job.length) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, job.length - done), done);
          if (n === 0) throw new Error(job.path + ': file is shorter than ' + job.length + ' bytes');
          h.update(n === buf.length ? buf : buf.subarray(0, n));
          done += n;
        }
      } finally {
        closeSync(fd);
      }
    }
    parentPort.postMessage({ id: job.id, digest: h.digest('hex') });
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String((e && e.message) || e) });
  }
});
`;

interface Job {
  resolve: (hex: string) => void;
  reject: (e: Error) => void;
}

class HashWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly jobs = new Map<number, Job>();

  run(job: Record<string, unknown>): Promise<string> {
    const w = this.start();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      // Pending work keeps the process alive; an idle worker does not.
      if (this.jobs.size === 1) w.ref();
      w.postMessage({ ...job, id });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, { eval: true, name: 'gradmesh-hash' });
    w.unref();
    w.on('message', (m: { id: number; digest?: string; error?: string }) => {
      const j = this.jobs.get(m.id);
      if (!j) return;
      this.jobs.delete(m.id);
      if (this.jobs.size === 0) w.unref();
      if (m.error !== undefined) j.reject(new Error(m.error));
      else j.resolve(m.digest!);
    });
    const fail = (e: Error): void => {
      if (this.worker === w) this.worker = undefined;
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const j of jobs) j.reject(e);
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`hash worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }
}

const pool = new HashWorker();

/** SHA-256 (hex) of byte ranges, in order: on the worker when all are shared, else sliced here. */
export function sha256Async(parts: ArrayBufferView[], name = 'hashed bytes'): Promise<string> {
  return withClaims('sha256Async', parts.map((view, i) => ({ name: parts.length > 1 ? `${name} [${i}]` : name, view, mode: 'read' as const })), () => sha256Parts(parts));
}

async function sha256Parts(parts: ArrayBufferView[]): Promise<string> {
  if (parts.every(isShared)) {
    return pool.run({ kind: 'views', views: parts.map((p) => ({ buffer: p.buffer, byteOffset: p.byteOffset, byteLength: p.byteLength })) });
  }
  const h = createHash('sha256');
  const budget = new Budget();
  for (const p of parts) {
    const bytes = new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
    for (let off = 0; off < bytes.byteLength; off += SLICE_BYTES) {
      h.update(bytes.subarray(off, Math.min(bytes.byteLength, off + SLICE_BYTES)));
      await budget.check();
    }
  }
  return h.digest('hex');
}

/** thetaHash (same value) without blocking the event loop. */
export async function thetaHashAsync(params: Float32Array): Promise<string> {
  if (!littleEndian) return thetaHash(params);
  return sha256Async([params], 'params');
}

/** SHA-256 (hex) of the first `length` bytes of a file, read and hashed on the worker. */
export function hashFileAsync(path: string, length: number): Promise<string> {
  return pool.run({ kind: 'file', path, length });
}

/** dst.set(src) in slices, yielding between them. */
export async function copyChunked(dst: Float32Array, src: Float32Array): Promise<void> {
  if (dst.length !== src.length) throw new RangeError(`copy of ${src.length} floats into ${dst.length}`);
  const uses = [{ name: 'the copy\'s destination', view: dst, mode: 'write' as const }, { name: 'the copy\'s source', view: src, mode: 'read' as const }];
  return withClaims('copyChunked', uses, () => copySlices(dst, src));
}

async function copySlices(dst: Float32Array, src: Float32Array): Promise<void> {
  const step = SLICE_BYTES / 4;
  const budget = new Budget();
  for (let i = 0; i < src.length; i += step) {
    const end = Math.min(src.length, i + step);
    dst.set(src.subarray(i, end), i);
    await budget.check();
  }
}

/**
 * The miner's end of window: delta = base − trained, then trained = base (so the
 * engine holds θ_c again), in slices, yielding between them.
 */
export async function deltaAndRestore(delta: Float32Array, base: Float32Array, trained: Float32Array): Promise<void> {
  const n = base.length;
  if (delta.length !== n || trained.length !== n) throw new RangeError('delta, base and trained must have the same length');
  const uses = [
    { name: 'delta', view: delta, mode: 'write' as const }, { name: 'base', view: base, mode: 'read' as const }, { name: 'trained', view: trained, mode: 'write' as const },
  ];
  return withClaims('deltaAndRestore', uses, () => deltaSlices(delta, base, trained));
}

async function deltaSlices(delta: Float32Array, base: Float32Array, trained: Float32Array): Promise<void> {
  const n = base.length;
  // Small blocks: the first ones run before V8 has optimised the loop.
  const step = 1 << 14;
  const budget = new Budget();
  for (let i = 0; i < n; i += step) {
    const end = Math.min(n, i + step);
    subtractInto(delta, base, trained, i, end);
    trained.set(base.subarray(i, end), i);
    await budget.check();
  }
}

function subtractInto(out: Float32Array, a: Float32Array, b: Float32Array, from: number, to: number): void {
  for (let j = from; j < to; j++) out[j] = a[j]! - b[j]!;
}

/** A copy of bytes in shared memory (small pieces, e.g. a file header, for sha256Async). */
export function sharedCopy(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
}

/** The pieces as one Uint8Array, copied in slices, yielding between them. */
export function concatChunked(chunks: Uint8Array[]): Promise<Uint8Array> {
  return withClaims('concatChunked', chunks.map((view, i) => ({ name: `chunk ${i}`, view, mode: 'read' as const })), () => concatSlices(chunks));
}

async function concatSlices(chunks: Uint8Array[]): Promise<Uint8Array> {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let at = 0;
  const budget = new Budget();
  for (const c of chunks) {
    for (let off = 0; off < c.byteLength; off += SLICE_BYTES) {
      const part = c.subarray(off, Math.min(c.byteLength, off + SLICE_BYTES));
      out.set(part, at);
      at += part.byteLength;
      await budget.check();
    }
  }
  return out;
}
