// The content store: digests, atomic writes, ranges, retention by window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from '../../src/p2p/content-store.js';
import { tempDir } from './helpers.js';

test('content store: sha256 names, ranges, prune by window, recovery from torn writes', async () => {
  const dir = await tempDir();
  try {
    const s = new ContentStore(dir);
    await s.open();
    const data = new Uint8Array(3_000_000).map((_, i) => (i * 31) & 0xff);
    const d1 = await s.put(data, { window: 5, kind: 'grad' });
    assert.equal(d1, createHash('sha256').update(data).digest('hex'));
    // SHA-256("abc"), a fixed vector
    const d2 = await s.put(new TextEncoder().encode('abc'), { window: 9, kind: 'grad' });
    assert.equal(d2, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const parts: Uint8Array[] = [];
    for await (const c of s.readRange(d1, 1000, 2_500_000, 1 << 20)) parts.push(c);
    assert.deepEqual(Buffer.concat(parts), Buffer.from(data.subarray(1000, 2_501_000)));
    await assert.rejects(async () => { for await (const _ of s.readRange(d1, 2_999_999, 2)) void _; }, { name: 'InvalidArgumentError' });
    await assert.rejects(s.putVerified('not-a-digest', data, { window: 1, kind: 'x' }), { name: 'InvalidArgumentError' });

    // a torn write (blob without metadata, leftover tmp file) is dropped on open
    await writeFile(join(dir, 'blobs', 'ab'.repeat(32)), 'torn');
    await writeFile(join(dir, 'blobs', `${d1}.123.0.tmp`), 'partial');
    const s2 = new ContentStore(dir);
    await s2.open();
    assert.deepEqual(s2.digests().sort(), [d1, d2].sort());
    assert.deepEqual((await readdir(join(dir, 'blobs'))).sort(), [d1, d2].sort());

    assert.equal(await s2.prune(6), 1);
    assert.ok(!s2.has(d1) && s2.has(d2));
    assert.equal(await s2.get(d1), null);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
