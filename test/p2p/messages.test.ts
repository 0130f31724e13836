// Wire format of the gossip messages (fixed vectors: every node must encode alike)
// and the validation rules applied before delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeAndCheck, encodeMessage, GradAnnouncement, Manifest, TOPIC_MAX_BYTES } from '../../src/p2p/messages.js';

const run = new Uint8Array(32).fill(0xab);
const ctx = { runHash: run, maxBlobBytes: 1 << 20 };
const grad = (): GradAnnouncement => ({
  version: 1, runHash: run, window: 7n, uid: 3, digest: new Uint8Array(32).fill(1), size: 100n,
  baseThetaHash: new Uint8Array(32).fill(2), announcedAtMs: 1_700_000_000_000n,
});

test('GradAnnouncement encodes to a fixed vector and round-trips', () => {
  const bytes = encodeMessage('grad', grad());
  const hex = Buffer.from(bytes).toString('hex');
  const expected = '0801' + '1220' + 'ab'.repeat(32) + '1807' + '2003' + '2a20' + '01'.repeat(32) + '3064' + '3a20' + '02'.repeat(32) + '4880d095ffbc31';
  assert.equal(hex, expected);
  const back = decodeAndCheck('grad', bytes, ctx);
  assert.ok(back.ok);
  assert.equal(back.msg.window, 7n);
  assert.equal(back.msg.uid, 3);
});

test('validation rejects malformed, oversized, other-run and inconsistent messages', () => {
  const reasonOf = (topic: 'grad' | 'manifest', data: Uint8Array): string => {
    const r = decodeAndCheck(topic, data, ctx);
    assert.ok(!r.ok, 'must be refused');
    return r.rejection.reason;
  };
  assert.match(reasonOf('grad', new Uint8Array([0x0a, 0xff, 0xff])), /malformed/);
  assert.match(reasonOf('grad', new Uint8Array(TOPIC_MAX_BYTES.grad + 1)), /oversized/);
  assert.match(reasonOf('grad', encodeMessage('grad', { ...grad(), runHash: new Uint8Array(32) })), /other run/);
  assert.match(reasonOf('grad', encodeMessage('grad', { ...grad(), version: 0 })), /missing version/);
  assert.match(reasonOf('grad', encodeMessage('grad', { ...grad(), digest: new Uint8Array(31) })), /32 bytes/);
  assert.match(reasonOf('grad', encodeMessage('grad', { ...grad(), size: 2n << 20n })), /bad size/);
  assert.match(reasonOf('grad', encodeMessage('grad', { ...grad(), pieceListHash: new Uint8Array(31) })), /pieceListHash must be 32 bytes/);
  assert.ok(decodeAndCheck('grad', encodeMessage('grad', { ...grad(), pieceListHash: new Uint8Array(32).fill(9) }), ctx).ok);
  const inline = new TextEncoder().encode('tiny payload');
  const good = { ...grad(), inline, size: BigInt(inline.length), digest: new Uint8Array(createHash('sha256').update(inline).digest()) };
  assert.ok(decodeAndCheck('grad', encodeMessage('grad', good), ctx).ok);
  assert.match(reasonOf('grad', encodeMessage('grad', { ...good, digest: new Uint8Array(32) })), /does not match digest/);
  const newer = decodeAndCheck('grad', encodeMessage('grad', { ...grad(), version: 2 }), ctx);
  assert.ok(!newer.ok && newer.rejection.action === 'ignore');

  const m: Manifest = { version: 1, runHash: run, window: 4n, validatorUid: 0, entries: [{ uid: 1, digest: new Uint8Array(32) }], nextThetaHash: new Uint8Array(32), issuedAtMs: 1n, prevDigest: new Uint8Array(0) };
  assert.ok(decodeAndCheck('manifest', encodeMessage('manifest', m), ctx).ok);
  assert.ok(decodeAndCheck('manifest', encodeMessage('manifest', { ...m, entries: [] }), ctx).ok, 'null round');
  assert.match(reasonOf('manifest', encodeMessage('manifest', { ...m, entries: [m.entries[0]!, m.entries[0]!] })), /twice/);
});
