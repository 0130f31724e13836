// The native passes over memory (src/native/binding/memops.cc) that keep a window's
// O(parameters) copies, Δ and hashes off the event loop, against JS references:
// bit-exact copies, Δ equal to what JS computes float by float, SHA-256 equal to
// node:crypto's, on shared memory, plain memory and the engine's own (external)
// parameter buffer; and their argument checks and buffer claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Engine } from '../../src/train/engine.js';
import { loadModelConfig } from '../../src/train/model-config.js';
import { copyAsync, concatAsync, deltaAndRestoreAsync, sha256Async, sharedFloat32, thetaHashAsync } from '../../src/train/compress/offload.js';
import { nativeMemops } from '../../src/train/compress/native.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { BufferBusyError, claimBuffers, isClaimed } from '../../src/train/compress/claims.js';

/** Floats from random bit patterns: every exponent, subnormals and ±0 included; no NaN or ±Inf. */
function randomFloats(a: Float32Array, seed: number): Float32Array {
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    let b = x >>> 0;
    if (((b >>> 23) & 0xff) === 0xff) b &= ~(1 << 23); // exponent all ones (Inf/NaN) → a finite value
    bits[i] = b;
  }
  // Values of similar size too, where the subtraction rounds.
  for (let i = 0; i < a.length; i += 3) a[i] = 1 + (bits[i]! % 1000) / 997;
  return a;
}

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
const sha = (...parts: ArrayBufferView[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex');
};

test('copyAsync copies bit for bit: shared to plain, plain to shared, byte views at odd offsets', async () => {
  const n = 1_000_003;
  const src = randomFloats(sharedFloat32(n), 1);
  const dst = new Float32Array(n);
  await copyAsync(dst, src);
  assert.deepEqual(bitsOf(dst), bitsOf(src));
  const back = sharedFloat32(n);
  await copyAsync(back, dst);
  assert.deepEqual(bitsOf(back), bitsOf(src));

  const bytes = new Uint8Array(src.buffer, 0, 4 * n);
  const out = new Uint8Array(4 * n + 7);
  await copyAsync(out.subarray(3, 3 + 1001), bytes.subarray(5, 5 + 1001));
  assert.deepEqual(out.subarray(3, 3 + 1001), bytes.subarray(5, 5 + 1001));
  assert.deepEqual(out.subarray(0, 3), new Uint8Array(3), 'bytes before the destination are untouched');
  assert.equal(out[3 + 1001], 0, 'the byte after the destination is untouched');
  await copyAsync(new Float32Array(0), new Float32Array(0));
});

test('deltaAndRestoreAsync: Δ = base − trained exactly as JS computes it, and trained = base after', async () => {
  const n = 3 * (1 << 14) + 11; // several native blocks and a ragged end
  const base = randomFloats(sharedFloat32(n), 2);
  const trained = randomFloats(new Float32Array(n), 3);
  const expected = new Float32Array(n);
  for (let i = 0; i < n; i++) expected[i] = base[i]! - trained[i]!;
  const delta = sharedFloat32(n);
  await deltaAndRestoreAsync(delta, base, trained);
  assert.deepEqual(bitsOf(delta), bitsOf(expected));
  assert.deepEqual(bitsOf(trained), bitsOf(base));
});

test('sha256Async equals node:crypto on any memory: parts in order, empty parts, subarrays, shared and not', async () => {
  const a = randomFloats(sharedFloat32(700_001), 4);
  const b = randomFloats(new Float32Array(12_345), 5);
  const head = new Uint8Array([1, 2, 3]);
  const parts = [head, a.subarray(3, 500_000), new Uint8Array(0), b];
  assert.equal(await sha256Async(parts), sha(...parts));
  assert.equal(await sha256Async([]), sha());
  assert.equal(await thetaHashAsync(b), thetaHash(b));
  assert.equal(await thetaHashAsync(a), thetaHash(a));
});

test("the engine's own parameters (external memory, not shared) are copied into and hashed in place", async () => {
  const engine = Engine.create(loadModelConfig('tiny'), { batch: 1, seqLen: 8, threads: 1 });
  try {
    const theta = randomFloats(sharedFloat32(engine.numParams), 6);
    await copyAsync(engine.params, theta);
    assert.deepEqual(bitsOf(engine.params), bitsOf(theta));
    assert.equal(await thetaHashAsync(engine.params), thetaHash(theta));
    const delta = sharedFloat32(engine.numParams);
    const base = randomFloats(sharedFloat32(engine.numParams), 7);
    const expected = new Float32Array(engine.numParams);
    for (let i = 0; i < expected.length; i++) expected[i] = base[i]! - theta[i]!;
    await deltaAndRestoreAsync(delta, base, engine.params);
    assert.deepEqual(bitsOf(delta), bitsOf(expected));
    assert.deepEqual(bitsOf(engine.params), bitsOf(base));
  } finally {
    engine.dispose();
  }
});

test('concatAsync joins the pieces in order', async () => {
  const pieces = [new Uint8Array([9, 8]), new Uint8Array(0), new Uint8Array(new SharedArrayBuffer(5)).fill(7), new Uint8Array([1])];
  assert.deepEqual(await concatAsync(pieces), new Uint8Array([9, 8, 7, 7, 7, 7, 7, 1]));
});

test('bad arguments are refused with the call, the argument and the reason', async () => {
  const m = nativeMemops();
  assert.throws(() => m.copyAsync(new Float32Array(4), new Float32Array(5)), /copyAsync: dst has 16 bytes, src 20/);
  const a = new Float32Array(8);
  assert.throws(() => m.copyAsync(a.subarray(0, 4), a.subarray(2, 6)), /copyAsync: dst and src overlap/);
  assert.throws(() => m.copyAsync([1, 2] as unknown as Float32Array, a), /copyAsync: dst must be a typed array, got an array/);
  assert.throws(() => m.deltaAndRestoreAsync(new Float32Array(3), new Float32Array(3), new Float64Array(3) as unknown as Float32Array), /deltaAndRestoreAsync: trained must be a Float32Array/);
  assert.throws(() => m.deltaAndRestoreAsync(new Float32Array(3), new Float32Array(4), new Float32Array(4)), /same length \(3, 4, 4\)/);
  assert.throws(() => m.deltaAndRestoreAsync(a.subarray(0, 4), a.subarray(4), a.subarray(0, 4)), /the arrays overlap/);
  assert.throws(() => m.sha256Async([new Uint8Array(1), 'x' as unknown as Uint8Array]), /sha256Async: parts\[1\] must be a typed array, got "x"/);
  await assert.rejects(copyAsync(new Float32Array(4), new Float32Array(5)), RangeError);
});

test('each call claims its buffers: a write while it runs, or a second writer, is refused', async () => {
  const n = 2_000_000;
  const base = randomFloats(sharedFloat32(n), 8);
  const trained = new Float32Array(n);
  const delta = sharedFloat32(n);
  const running = deltaAndRestoreAsync(delta, base, trained);
  await assert.rejects(copyAsync(trained, base), (e: unknown) => e instanceof BufferBusyError && /the copy's destination is busy: copyAsync .* while deltaAndRestoreAsync writes it/.test(e.message));
  assert.throws(() => claimBuffers('a JS write', [{ name: 'base', view: base, mode: 'write' }]), BufferBusyError);
  // Reading base alongside is allowed: both only read it.
  const hash = sha256Async([base]);
  await running;
  assert.equal(await hash, sha(base));
  assert.equal(isClaimed(delta) || isClaimed(base) || isClaimed(trained), false);
});
