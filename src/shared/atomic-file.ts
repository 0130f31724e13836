// Atomic file replacement: write to a temporary file in the same directory,
// fsync it, rename over the target, fsync the directory. A crash at any point
// leaves either the old file or the new one, never a torn mix.
import { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, existsSync, mkdirSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';

export function writeFileAtomic(path: string, chunks: Array<Uint8Array | string>): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    for (const c of chunks) {
      const buf = typeof c === 'string' ? Buffer.from(c, 'utf8') : c;
      let off = 0;
      while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    }
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/**
 * writeFileAtomic with every step on libuv's threads: a node's per-window state
 * writes must not hold its event loop (an fsync behind a busy disk's journal took
 * 350-450 ms in the soak bench). Concurrent calls for one path must be serialised by
 * the caller (they share the temporary name).
 */
export async function writeFileAtomicAsync(path: string, chunks: Array<Uint8Array | string>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    for (const c of chunks) await fh.write(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
  const dfh = await open(dir, 'r');
  try {
    await dfh.sync();
  } finally {
    await dfh.close();
  }
}
