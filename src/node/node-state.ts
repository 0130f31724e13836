// The miner's persistent state: θ_w, the error-feedback buffer, AdamW moments and
// counters, saved atomically once per window so that a killed node resumes.
//
// File layout (little-endian):
//   8 bytes  magic "GMSTATE1"
//   u32      header length H
//   H bytes  header JSON (see StateHeader)
//   4 × N × 4 bytes  params, errorBuffer, adamM, adamV (fp32)
//   32 bytes SHA-256 of everything above
import { createHash, type Hash } from 'node:crypto';
import { openSync, readSync, closeSync, fstatSync, existsSync, mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../shared/atomic-file.js';
import { sha256Async } from '../train/compress/offload.js';

const MAGIC = Buffer.from('GMSTATE1', 'ascii');
/** magic + u32 header length */
const PREFIX_BYTES = 12;
const SUM_BYTES = 32;
/** A real header is a few hundred bytes; a larger length is corruption, not a reason to allocate. */
const MAX_HEADER_BYTES = 1 << 20;

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

const HEX64 = 'expected 64 lowercase hex digits';
const hex64 = z.string({ error: HEX64 }).regex(/^[0-9a-f]{64}$/, { error: HEX64 });
const integer = (min: number) => z.number({ error: 'expected integer' }).int({ error: 'expected integer' }).min(min, { error: `expected integer >= ${min}` });

/** What a header must be; checked only after the checksum holds. */
const StateHeaderSchema: z.ZodType<StateHeader> = z.object({
  runHash: hex64,
  numParams: integer(1),
  window: integer(-1),
  manifestDigest: hex64,
  thetaHash: hex64,
  adamStep: integer(0),
  innerStep: integer(0),
  savedAt: z.string({ error: 'expected string' }),
}, { error: 'expected an object' });

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

/** JSON, then the schema; the first problem becomes "header field X: why". */
function parseHeader(bytes: Uint8Array, path: string): StateHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new StateError(path, `header is not valid JSON (${(e as Error).message})`);
  }
  const r = StateHeaderSchema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.path.length === 0) throw new StateError(path, `header: ${issue.message}`);
  const field = issue.path.map(String).join('.');
  const missing = typeof raw === 'object' && raw !== null && !(String(issue.path[0]) in raw);
  throw new StateError(path, `header field ${field}: ${missing ? 'missing' : issue.message}`);
}

function stateChunks(path: string, header: StateHeader, b: NodeStateBuffers): Uint8Array[] {
  const n = header.numParams;
  for (const [name, arr] of Object.entries(b)) {
    if ((arr as Float32Array).length !== n) throw new StateError(path, `buffer ${name} has ${(arr as Float32Array).length} values, expected ${n}`);
  }
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length, 0);
  return [MAGIC, len, headerBytes, bytesOf(b.params), bytesOf(b.errorBuffer), bytesOf(b.adamM), bytesOf(b.adamV)];
}

export function saveNodeState(path: string, header: StateHeader, b: NodeStateBuffers): void {
  const chunks = stateChunks(path, header, b);
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  writeFileAtomic(path, [...chunks, h.digest()]);
}

/** At most this many bytes per write call (the kernel's limit is just under 2 GiB). */
const MAX_WRITE = 1 << 30;
let tmpSerial = 0;

/**
 * saveNodeState off the event loop, the same file: the buffers are written by libuv's
 * threads straight from memory while another libuv thread hashes the same memory (no
 * read-back of the file: 480 MB less to copy per save at `small`); the checksum is
 * appended, the file fsynced and renamed into place. The buffers must not be written
 * until the promise settles (the node saves under the replica lock; the hash claims
 * them for reading).
 */
export async function saveNodeStateAsync(path: string, header: StateHeader, b: NodeStateBuffers): Promise<void> {
  const chunks = stateChunks(path, header, b);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${tmpSerial++}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  let closed = false;
  const digest = sha256Async(chunks, 'node state');
  digest.catch(() => undefined); // awaited below; handled here so an early failure is no unhandled rejection
  try {
    let pos = 0;
    for (const c of chunks) {
      for (let off = 0; off < c.byteLength;) {
        const { bytesWritten } = await fh.write(c, off, Math.min(MAX_WRITE, c.byteLength - off), pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    }
    const sum = Buffer.from(await digest, 'hex');
    await fh.write(sum, 0, sum.byteLength, pos);
    await fh.sync();
    await fh.close();
    closed = true;
    await rename(tmp, path);
  } catch (e) {
    await digest.catch(() => undefined); // its claims end before the caller may write the buffers
    if (!closed) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  const dfd = await open(dir, 'r');
  try {
    await dfd.sync();
  } finally {
    await dfd.close();
  }
}

function readExact(fd: number, buf: Uint8Array, pos: number, path: string): void {
  let off = 0;
  while (off < buf.byteLength) {
    const n = readSync(fd, buf, off, buf.byteLength - off, pos + off);
    if (n === 0) throw new StateError(path, 'file is truncated');
    off += n;
  }
}

/** Feeds `length` bytes from `pos` into the hash through a bounded buffer. */
function hashRange(fd: number, pos: number, length: number, h: Hash, path: string): void {
  const buf = new Uint8Array(Math.min(length, 1 << 20));
  for (let done = 0; done < length;) {
    const part = buf.subarray(0, Math.min(buf.byteLength, length - done));
    readExact(fd, part, pos + done, path);
    h.update(part);
    done += part.byteLength;
  }
}

/**
 * Loads a state file into the given buffers and returns its header. Nothing the file
 * says is believed before its checksum holds: a flipped bit reads as corruption, not
 * as a foreign run or a strange header. Then the header must match the schema, the
 * run and the parameter count. Every refusal is a StateError naming the file and the
 * reason. If this throws, `into` may hold garbage.
 */
export function loadNodeState(path: string, expect: { runHash: string; numParams: number }, into: NodeStateBuffers): StateHeader {
  const buffers = [into.params, into.errorBuffer, into.adamM, into.adamV];
  if (!existsSync(path)) throw new StateError(path, 'no such file');
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < PREFIX_BYTES + SUM_BYTES) throw new StateError(path, `file is truncated (${size} bytes)`);
    const prefix = new Uint8Array(PREFIX_BYTES);
    readExact(fd, prefix, 0, path);
    if (!Buffer.from(prefix.subarray(0, 8)).equals(MAGIC)) throw new StateError(path, 'not a gradmesh state file (bad magic)');
    const hlen = Buffer.from(prefix).readUInt32LE(8);
    if (hlen > MAX_HEADER_BYTES || PREFIX_BYTES + hlen + SUM_BYTES > size) {
      throw new StateError(path, `header length ${hlen} is impossible for a ${size}-byte file: truncated or corrupt`);
    }
    const headerBytes = new Uint8Array(hlen);
    readExact(fd, headerBytes, PREFIX_BYTES, path);
    const bodyStart = PREFIX_BYTES + hlen;
    const bodyBytes = size - bodyStart - SUM_BYTES;

    const h = createHash('sha256').update(prefix).update(headerBytes);
    const fits = bodyBytes === 4 * 4 * expect.numParams && buffers.every((b) => b.length === expect.numParams);
    if (fits) {
      // the usual case: read straight into the buffers (no second copy of a large model)
      let pos = bodyStart;
      for (const arr of buffers) {
        const bytes = bytesOf(arr);
        readExact(fd, bytes, pos, path);
        h.update(bytes);
        pos += bytes.byteLength;
      }
    } else {
      // not our size: only hashed, so the refusal below can say why
      hashRange(fd, bodyStart, bodyBytes, h, path);
    }
    const sum = new Uint8Array(SUM_BYTES);
    readExact(fd, sum, size - SUM_BYTES, path);
    if (!Buffer.from(sum).equals(h.digest())) throw new StateError(path, 'checksum mismatch: the file is truncated or corrupt; refusing to train on it');

    const header = parseHeader(headerBytes, path);
    const expected = bodyStart + 4 * 4 * header.numParams + SUM_BYTES;
    if (size !== expected) throw new StateError(path, `size ${size} does not match the header (expected ${expected}): truncated or corrupt`);
    if (header.runHash !== expect.runHash) {
      throw new StateError(path, `belongs to run ${header.runHash.slice(0, 12)}…, not this run ${expect.runHash.slice(0, 12)}… (move it away to start fresh)`);
    }
    if (header.numParams !== expect.numParams) {
      throw new StateError(path, `holds ${header.numParams} parameters, the model has ${expect.numParams}`);
    }
    if (!fits) throw new StateError(path, `the buffers to load into do not have ${expect.numParams} values each`);
    return header;
  } finally {
    closeSync(fd);
  }
}
