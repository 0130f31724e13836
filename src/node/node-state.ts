// The miner's persistent state: θ_w, the error-feedback buffer, AdamW moments and
// counters, saved atomically once per window so that a killed node resumes.
//
// File layout (little-endian):
//   8 bytes  magic "GMSTATE1"
//   u32      header length H
//   H bytes  header JSON (see StateHeader)
//   4 × N × 4 bytes  params, errorBuffer, adamM, adamV (fp32)
//   32 bytes SHA-256 of everything above
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync, fstatSync, existsSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.js';

const MAGIC = Buffer.from('GMSTATE1', 'ascii');

export interface StateHeader {
  runHash: string;
  numParams: number;
  /** θ in this file is the model after the manifest of this window (-1: genesis θ_0). */
  window: number;
  /** Digest of that manifest (all zeros at genesis): the head of the manifest chain. */
  manifestDigest: string;
  thetaHash: string;
  adamStep: number;
  /** Global inner-step count, for the LR schedule. */
  innerStep: number;
  savedAt: string;
}

export interface NodeStateBuffers {
  params: Float32Array;
  errorBuffer: Float32Array;
  adamM: Float32Array;
  adamV: Float32Array;
}

export class StateError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'StateError';
  }
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function saveNodeState(path: string, header: StateHeader, b: NodeStateBuffers): void {
  const n = header.numParams;
  for (const [name, arr] of Object.entries(b)) {
    if ((arr as Float32Array).length !== n) throw new StateError(path, `buffer ${name} has ${(arr as Float32Array).length} values, expected ${n}`);
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length, 0);
  const chunks = [MAGIC, len, headerBytes, bytesOf(b.params), bytesOf(b.errorBuffer), bytesOf(b.adamM), bytesOf(b.adamV)];
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  writeFileAtomic(path, [...chunks, h.digest()]);
}

function readExact(fd: number, buf: Uint8Array, pos: number, path: string): void {
  let off = 0;
  while (off < buf.byteLength) {
    const n = readSync(fd, buf, off, buf.byteLength - off, pos + off);
    if (n === 0) throw new StateError(path, 'file is truncated');
    off += n;
  }
}

function readHeaderFd(fd: number, path: string): { header: StateHeader; dataStart: number; size: number } {
  const size = fstatSync(fd).size;
  if (size < 12 + 32) throw new StateError(path, `file is truncated (${size} bytes)`);
  const head = new Uint8Array(12);
  readExact(fd, head, 0, path);
  if (!Buffer.from(head.subarray(0, 8)).equals(MAGIC)) throw new StateError(path, 'not a gradmesh state file (bad magic)');
  const hlen = Buffer.from(head).readUInt32LE(8);
  if (hlen > 1 << 20 || 12 + hlen + 32 > size) throw new StateError(path, `header length ${hlen} is impossible for a ${size}-byte file`);
  const hb = new Uint8Array(hlen);
  readExact(fd, hb, 12, path);
  let header: StateHeader;
  try {
    header = JSON.parse(Buffer.from(hb).toString('utf8')) as StateHeader;
  } catch {
    throw new StateError(path, 'header is not valid JSON');
  }
  if (!Number.isInteger(header.numParams) || header.numParams <= 0) throw new StateError(path, 'header has no valid numParams');
  const expected = 12 + hlen + 4 * header.numParams * 4 + 32;
  if (size !== expected) throw new StateError(path, `size ${size} does not match the header (expected ${expected}): truncated or corrupt`);
  return { header, dataStart: 12 + hlen, size };
}

/**
 * Loads a state file into the given buffers, verifying the checksum and that the
 * run and parameter count match. Throws StateError saying why it refuses.
 */
export function loadNodeState(path: string, expect: { runHash: string; numParams: number }, into: NodeStateBuffers): StateHeader {
  if (!existsSync(path)) throw new StateError(path, 'no such file');
  const fd = openSync(path, 'r');
  try {
    const { header, dataStart, size } = readHeaderFd(fd, path);
    if (header.runHash !== expect.runHash) {
      throw new StateError(path, `belongs to run ${header.runHash.slice(0, 12)}…, not this run ${expect.runHash.slice(0, 12)}… (move it away to start fresh)`);
    }
    if (header.numParams !== expect.numParams) {
      throw new StateError(path, `holds ${header.numParams} parameters, the model has ${expect.numParams}`);
    }
    const h = createHash('sha256');
    const pre = new Uint8Array(dataStart);
    readExact(fd, pre, 0, path);
    h.update(pre);
    let pos = dataStart;
    for (const arr of [into.params, into.errorBuffer, into.adamM, into.adamV]) {
      const bytes = bytesOf(arr);
      readExact(fd, bytes, pos, path);
      h.update(bytes);
      pos += bytes.byteLength;
    }
    const sum = new Uint8Array(32);
    readExact(fd, sum, size - 32, path);
    if (!Buffer.from(sum).equals(h.digest())) throw new StateError(path, 'checksum mismatch: the file is corrupt; refusing to train on it');
    return header;
  } finally {
    closeSync(fd);
  }
}
