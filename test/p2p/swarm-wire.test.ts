// Swarm wire format (swarm-wire.ts): piece lists, frames, the frame reader, and the
// token bucket of the upload cap.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  Bitfield, buildPieceList, decodeFrame, decodePieceList, encodeFrame, encodePieceList, FrameReader, FrameType,
  MAX_FRAME_BYTES, pieceLength, pieceSizeFor, RefuseReason, SwarmWireError, type Frame,
} from '../../src/p2p/swarm-wire.js';
import { TokenBucket } from '../../src/p2p/token-bucket.js';
import { payload } from './helpers.js';

const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

describe('piece list', () => {
  test('pieces hash to the list, the last one short; the encoding round-trips', () => {
    const blob = payload(100_000, 3);
    const list = buildPieceList(blob, 16 * 1024);
    assert.equal(list.hashes.length, 7);
    assert.equal(pieceLength(list, 6), 100_000 - 6 * 16384);
    assert.deepEqual(Buffer.from(list.hashes[6]!), sha(blob.subarray(6 * 16384)));
    assert.deepEqual(Buffer.from(list.digest), sha(blob));
    const enc = encodePieceList(list);
    assert.equal(enc.byteLength, 49 + 7 * 32);
    const back = decodePieceList(enc, 1 << 20);
    assert.deepEqual(back, { ...list, digest: back.digest });
    assert.deepEqual(Buffer.from(back.digest), sha(blob));
  });

  test('piece size: 256 KiB, larger only for very large blobs, at most 1 MiB', () => {
    assert.equal(pieceSizeFor(8 << 20), 256 << 10);
    assert.equal(pieceSizeFor(1 << 30), 256 << 10);
    assert.equal(pieceSizeFor(3 * 2 ** 30), 1 << 20);
  });

  test('lists that lie about their geometry, version or size are refused', () => {
    const enc = encodePieceList(buildPieceList(payload(50_000, 4), 16384));
    const bad = (mutate: (b: Uint8Array, dv: DataView) => void, cap = 1 << 20): void => {
      const b = enc.slice();
      mutate(b, new DataView(b.buffer));
      assert.throws(() => decodePieceList(b, cap), SwarmWireError);
    };
    bad((b) => { b[0] = 2; });
    bad((_b, dv) => dv.setUint32(41, 3000)); // not a power of two
    bad((_b, dv) => dv.setUint32(45, 5)); // wrong count for the size
    bad((_b, dv) => dv.setBigUint64(33, 10_000_000n)); // count no longer matches
    bad(() => {}, 1000); // over the cap
    assert.throws(() => decodePieceList(enc.subarray(0, enc.byteLength - 1), 1 << 20), SwarmWireError);
  });
});

describe('frames', () => {
  const d = new Uint8Array(32).fill(9);
  const h = new Uint8Array(32).fill(4);

  test('every frame type round-trips', () => {
    const bits = new Bitfield(11);
    bits.set(0); bits.set(10);
    const frames: Frame[] = [
      { type: FrameType.WANT, digest: d, listHash: h },
      { type: FrameType.HAVE, digest: d, listHash: h, bits },
      { type: FrameType.REQUEST, digest: d, index: 70000, flags: 1 },
      { type: FrameType.PIECE, digest: d, index: 3, data: payload(1000, 1) },
      { type: FrameType.REFUSE, digest: d, index: 5, reason: RefuseReason.ELSEWHERE },
      { type: FrameType.CANCEL, digest: d, index: 6 },
      { type: FrameType.LIST_REQ, digest: d },
      { type: FrameType.LIST_REQ, digest: d, listHash: h },
      { type: FrameType.LIST, digest: d, list: encodePieceList(buildPieceList(payload(20_000, 2), 16384)) },
    ];
    for (const f of frames) {
      const enc = encodeFrame(f);
      assert.equal(new DataView(enc.buffer).getUint32(0), enc.byteLength - 4, 'length prefix');
      const back = decodeFrame(enc.subarray(4));
      assert.equal(back.type, f.type);
      assert.deepEqual(Buffer.from(back.digest), Buffer.from(d));
      if (back.type === FrameType.HAVE) {
        assert.equal(back.bits.count, 11);
        assert.deepEqual([...Array(11).keys()].filter((i) => back.bits.has(i)), [0, 10]);
      } else {
        assert.deepEqual({ ...back, digest: null }, { ...f, digest: null });
      }
    }
  });

  test('malformed frames are refused with a SwarmWireError', () => {
    const have = encodeFrame({ type: FrameType.HAVE, digest: d, listHash: h, bits: new Bitfield(11) }).subarray(4);
    const cases: Uint8Array[] = [
      new Uint8Array(10), // shorter than the header
      Uint8Array.from([99, ...d]), // unknown type
      Uint8Array.from([FrameType.REQUEST, ...d, 0, 0, 0]), // short body
      Uint8Array.from([FrameType.REFUSE, ...d, 0, 0, 0, 1, 77]), // unknown reason
      have.subarray(0, have.byteLength - 1), // bitfield too short
      Uint8Array.from([FrameType.LIST_REQ, ...d, ...h.subarray(0, 31)]), // list hash of 31 bytes
    ];
    const spare = have.slice();
    spare[spare.byteLength - 1] = 0x01; // a bit past piece 11
    cases.push(spare);
    const zero = have.slice();
    new DataView(zero.buffer).setUint32(33 + 32, 0); // HAVE of 0 pieces
    cases.push(zero);
    for (const c of cases) assert.throws(() => decodeFrame(c), SwarmWireError);
  });

  test('the frame reader splits and joins frames across chunks, and refuses oversized lengths', () => {
    const a = encodeFrame({ type: FrameType.CANCEL, digest: d, index: 1 });
    const b = encodeFrame({ type: FrameType.PIECE, digest: d, index: 2, data: payload(5000, 5) });
    const all = new Uint8Array([...a, ...b]);
    for (const cut of [1, 3, 4, 40, a.byteLength, a.byteLength + 2, all.byteLength - 1]) {
      const r = new FrameReader();
      const got = [...r.push(all.slice(0, cut)), ...r.push(all.slice(cut))].map((f) => decodeFrame(f.slice()));
      assert.deepEqual(got.map((f) => f.type), [FrameType.CANCEL, FrameType.PIECE], `cut at ${cut}`);
    }
    const huge = new Uint8Array(8);
    new DataView(huge.buffer).setUint32(0, MAX_FRAME_BYTES + 1);
    assert.throws(() => new FrameReader().push(huge), SwarmWireError);
    assert.throws(() => new FrameReader().push(new Uint8Array(4)), SwarmWireError, 'length 0');
  });
});

describe('token bucket (upload cap)', () => {
  test('over any stretch, bytes taken stay within rate × time + burst', async () => {
    let t = 0;
    const bucket = new TokenBucket({ rate: 1000, burst: 100, now: () => t });
    await bucket.take(100); // the burst
    assert.equal(bucket.waitMs(), 0);
    await bucket.take(500); // written whole: the balance goes to -500
    assert.equal(bucket.waitMs(), 500);
    t = 250;
    assert.equal(bucket.waitMs(), 250);
    t = 500;
    assert.equal(bucket.waitMs(), 0);
  });

  test('takers wait for tokens in real time', async () => {
    const bucket = new TokenBucket({ rate: 100_000, burst: 1000 });
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) await bucket.take(5000); // 30 kB at 100 kB/s: ≥ ~0.24 s after the burst
    assert.ok(performance.now() - t0 >= 200, `${(performance.now() - t0).toFixed(0)} ms`);
    assert.throws(() => new TokenBucket({ rate: 0 }), RangeError);
  });
});
