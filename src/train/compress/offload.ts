// O(parameters) work kept off the JS thread, so that a node at a real model size
// still answers gossip, serves blobs and sees blocks on time while it hashes, copies
// and writes θ (docs/engine.md, "Off the event loop").
//
// - copyAsync / deltaAndRestoreAsync / concatAsync / sha256Async (and thetaHashAsync):
//   native passes over memory on libuv's worker threads (src/native/binding/memops.cc).
//   They read any memory in place, the engine's own parameters included (an external
//   ArrayBuffer, which a JS worker cannot see), so none of the 30M-float loops of a
//   `small` window runs on the event loop any more.
//
// Buffer rule: while a call here runs, no JS code may write the arrays it was given
// (the node runs every one of them under the replica lock). Each call claims them
// (claims.ts): a conflicting call or an assertWritable on them throws BufferBusyError.
import { endianness } from 'node:os';
import { thetaHash } from './hash.js';
import { withClaims } from './claims.js';
import { nativeMemops } from './native.js';

const littleEndian = endianness() === 'LE';

/** A Float32Array over a SharedArrayBuffer (θ, the error buffer, scratch: shareable with workers). */
export function sharedFloat32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(n * 4));
}

/** SHA-256 (hex) of byte ranges, in order, on a libuv thread (any memory, shared or not). */
export function sha256Async(parts: ArrayBufferView[], name = 'hashed bytes'): Promise<string> {
  const uses = parts.map((view, i) => ({ name: parts.length > 1 ? `${name} [${i}]` : name, view, mode: 'read' as const }));
  return withClaims('sha256Async', uses, () => nativeMemops().sha256Async(parts));
}

/** thetaHash (same value) without blocking the event loop. */
export async function thetaHashAsync(params: Float32Array): Promise<string> {
  if (!littleEndian) return thetaHash(params);
  return sha256Async([params], 'params');
}

/** dst.set(src) on a libuv thread (any typed arrays of the same byte length, not overlapping). */
export async function copyAsync(dst: ArrayBufferView, src: ArrayBufferView): Promise<void> {
  if (dst.byteLength !== src.byteLength) throw new RangeError(`copy of ${src.byteLength} bytes into ${dst.byteLength}`);
  const uses = [{ name: 'the copy\'s destination', view: dst, mode: 'write' as const }, { name: 'the copy\'s source', view: src, mode: 'read' as const }];
  return withClaims('copyAsync', uses, () => nativeMemops().copyAsync(dst, src));
}

/**
 * The miner's end of window: delta = base − trained, then trained = base (so the
 * engine holds θ_c again), on a libuv thread.
 */
export async function deltaAndRestoreAsync(delta: Float32Array, base: Float32Array, trained: Float32Array): Promise<void> {
  const n = base.length;
  if (delta.length !== n || trained.length !== n) throw new RangeError('delta, base and trained must have the same length');
  const uses = [
    { name: 'delta', view: delta, mode: 'write' as const }, { name: 'base', view: base, mode: 'read' as const }, { name: 'trained', view: trained, mode: 'write' as const },
  ];
  return withClaims('deltaAndRestoreAsync', uses, () => nativeMemops().deltaAndRestoreAsync(delta, base, trained));
}

/** The pieces as one Uint8Array, copied on a libuv thread. */
export function concatAsync(chunks: Uint8Array[]): Promise<Uint8Array> {
  const uses = chunks.map((view, i) => ({ name: `chunk ${i}`, view, mode: 'read' as const }));
  return withClaims('concatAsync', uses, async () => {
    const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      await nativeMemops().copyAsync(out.subarray(at, at + c.byteLength), c);
      at += c.byteLength;
    }
    return out;
  });
}
