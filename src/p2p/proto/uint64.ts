// protons-runtime 8.0.1's Writer.uint64 writes 2^31 <= v < 2^32 wrongly: LongBits keeps
// the low word signed, so writeVarint64 emits one byte (v & 0xff) of the five it
// reserved and a peer decodes v & 0x7f followed by stray bytes (offset 2^31 of a blob
// range request reads as offset 0; 2^32-1 does not decode at all). The generated codecs
// write every uint64 through here (generate.sh rewrites `w.uint64(...)`); the varint of
// a value below 2^32 is the same as its uint32 varint.
import type { Writer } from 'protons-runtime';

export function writeUint64(w: Writer, v: bigint): void {
  if (v >= 0x80000000n && v <= 0xffffffffn) w.uint32(Number(v));
  else w.uint64(v);
}
