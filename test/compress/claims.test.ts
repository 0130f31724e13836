// The native boundary's buffer rule, enforced (src/train/compress/claims.ts): while
// an async call uses a buffer off the event loop, a conflicting call or a JS write
// announced with assertWritable throws a BufferBusyError that names the buffer and
// the call holding it; reads alongside reads are allowed; the claim ends when the
// call settles, whether it resolved or rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/train/compress/index.js';
import { BufferBusyError, assertWritable, claimBuffers, isClaimed, withClaims } from '../../src/train/compress/claims.js';
import { copyAsync, deltaAndRestoreAsync, sharedFloat32, thetaHashAsync } from '../../src/train/compress/offload.js';
import { awkwardLayout, layoutSize, testVector } from './helpers.js';

const layout = awkwardLayout();
const n = layoutSize(layout);
const opts = { chunk: 32, k: 8, demo: false };

function busy(name: string, heldBy: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof BufferBusyError, `expected a BufferBusyError, got ${String(e)}`);
    assert.equal(e.buffer, name);
    assert.equal(e.heldBy, heldBy);
    assert.match(e.message, new RegExp(`^${name.replace(/[()[\]]/g, '\\$&')} is busy: .* while ${heldBy} (reads|writes) it off the event loop`));
    return true;
  };
}

test('while compressWithFeedbackAsync runs, its error buffer cannot be written or claimed again; delta can still be read', async () => {
  const e = testVector(n, 1);
  const d = testVector(n, 2);
  const eRef = e.slice();
  const ref = C.compressWithFeedback(eRef, d.slice(), layout, 0.9, opts);

  const running = C.compressWithFeedbackAsync(e, d, layout, 0.9, opts);
  assert.ok(isClaimed(e) && isClaimed(d));
  assert.throws(() => assertWritable(e, 'errorBuffer'), busy('errorBuffer', 'compressWithFeedbackAsync'));
  // A view of part of the same memory is the same memory.
  assert.throws(() => assertWritable(e.subarray(100, 200), 'a slice of e'), busy('a slice of e', 'compressWithFeedbackAsync'));
  // The synchronous entry point writes e too.
  assert.throws(() => C.compressWithFeedback(e, d, layout, 0.9, opts), busy('errorBuffer', 'compressWithFeedbackAsync'));
  await assert.rejects(C.compressWithFeedbackAsync(e, testVector(n, 3), layout, 0.9, opts), busy('errorBuffer', 'compressWithFeedbackAsync'));
  // Hashing reads e: refused while it is written.
  await assert.rejects(thetaHashAsync(e), busy('params', 'compressWithFeedbackAsync'));
  // delta is only read: another reader may share it, a writer may not. (Checked
  // before awaiting the hash: the compression may settle first and end its claims.)
  const hashOfD = thetaHashAsync(d);
  assert.throws(() => assertWritable(d, 'delta'), busy('delta', 'compressWithFeedbackAsync'));
  assert.equal(await hashOfD, C.thetaHash(d));

  const got = await running;
  assert.ok(!isClaimed(e) && !isClaimed(d), 'the claims end when the call settles');
  assert.deepEqual([got.quant, got.indices, got.codes, e], [ref.quant, ref.indices, ref.codes, eRef], 'the refused calls changed nothing');
  assertWritable(e, 'errorBuffer');
});

test('aggregateAndStepAsync holds params for writing and the payloads for reading', async () => {
  const e = new Float32Array(n);
  const payload = C.compressWithFeedback(e, testVector(n, 4), layout, 0.9, opts);
  const params = sharedFloat32(n);
  params.set(testVector(n, 5));
  const ref = params.slice();
  C.aggregateAndStep(ref, layout, [{ uid: 7, payload }], 0.5);

  const running = C.aggregateAndStepAsync(params, layout, [{ uid: 7, payload }], 0.5);
  assert.throws(() => assertWritable(params, 'θ', 'loading a checkpoint'), (err: unknown) => {
    assert.ok(err instanceof BufferBusyError);
    assert.equal(err.message, 'θ is busy: loading a checkpoint of θ cannot use it while aggregateAndStepAsync writes it off the event loop; await aggregateAndStepAsync first (docs/engine.md, "Off the event loop")');
    return true;
  });
  assert.throws(() => C.aggregateAndStep(params, layout, [{ uid: 7, payload }], 0.5), busy('params', 'aggregateAndStepAsync'));
  await assert.rejects(copyAsync(params, new Float32Array(n)), busy("the copy's destination", 'aggregateAndStepAsync'));
  // Copying θ out (a read) while it is written: refused too.
  await assert.rejects(copyAsync(new Float32Array(n), params), busy("the copy's source", 'aggregateAndStepAsync'));
  assert.throws(() => assertWritable(payload.quant, 'quant'), busy('quant', 'aggregateAndStepAsync'));
  await running;
  assert.deepEqual(params, ref);
  assert.equal(isClaimed(params) || isClaimed(payload.quant), false);
});

test('a claim ends when its call rejects', async () => {
  const e = new Float32Array(n);
  const d = testVector(n, 6);
  d[17] = Number.NaN;
  await assert.rejects(C.compressWithFeedbackAsync(e, d, layout, 0.9, opts), (err: unknown) => !(err instanceof BufferBusyError));
  assert.equal(isClaimed(e) || isClaimed(d), false);
  await assert.rejects(withClaims('failing', [{ name: 'x', view: e, mode: 'write' }], () => Promise.reject(new Error('boom'))), /boom/);
  assertWritable(e, 'errorBuffer');
});

test('claims are per byte range: disjoint views of one buffer do not conflict, overlapping ones do', async () => {
  const a = new Float32Array(new SharedArrayBuffer(4096 * 4));
  const lo = a.subarray(0, 2048);
  const hi = a.subarray(2048);
  const release = claimBuffers('writer of lo', [{ name: 'lo', view: lo, mode: 'write' }]);
  assertWritable(hi, 'hi');
  const base = new Float32Array(2048).fill(3);
  const trained = new Float32Array(2048).fill(1);
  await deltaAndRestoreAsync(hi, base, trained);
  assert.equal(hi[0], 2);
  assert.equal(trained[5], 3);
  assert.throws(() => assertWritable(a.subarray(2047, 2049), 'the seam'), busy('the seam', 'writer of lo'));
  assert.throws(() => claimBuffers('a reader', [{ name: 'hi', view: hi, mode: 'read' }, { name: 'all', view: a, mode: 'read' }]), busy('all', 'writer of lo'));
  // The refused claim took nothing: hi is still free.
  assert.equal(isClaimed(hi), false);
  release();
  release();
  assertWritable(a, 'a');
});
