import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveNodeState, loadNodeState, StateError, type StateHeader } from '../../src/node/node-state.js';

function buffers(n: number, seed: number) {
  const mk = (k: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7 + k * 13 + i));
  return { params: mk(0), errorBuffer: mk(1), adamM: mk(2), adamV: mk(3) };
}

const header = (n: number): StateHeader => ({
  runHash: 'ab'.repeat(32), numParams: n, window: 7, manifestDigest: '00'.repeat(32), thetaHash: 'cd'.repeat(32), adamStep: 70, innerStep: 70, savedAt: 'now',
});

test('state round-trips exactly and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
  const path = join(dir, 'state.bin');
  const src = buffers(1000, 1);
  saveNodeState(path, header(1000), src);
  const dst = { params: new Float32Array(1000), errorBuffer: new Float32Array(1000), adamM: new Float32Array(1000), adamV: new Float32Array(1000) };
  const h = loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 1000 }, dst);
  assert.equal(h.window, 7);
  assert.deepEqual(dst, src);
  assert.deepEqual(readdirSync(dir), ['state.bin']);
});

test('corrupt, truncated and foreign state files are refused with a reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-state-'));
  const path = join(dir, 'state.bin');
  saveNodeState(path, header(100), buffers(100, 2));
  const into = buffers(100, 3);
  const bytes = readFileSync(path);
  bytes[bytes.length - 100] ^= 1;
  writeFileSync(path, bytes);
  assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 100 }, into), (e: Error) => e instanceof StateError && /checksum mismatch/.test(e.message));
  saveNodeState(path, header(100), buffers(100, 2));
  assert.throws(() => loadNodeState(path, { runHash: 'ef'.repeat(32), numParams: 100 }, into), /belongs to run/);
  assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 99 }, into), /holds 100 parameters/);
  truncateSync(path, 500);
  assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 100 }, into), /truncated or corrupt/);
  writeFileSync(path, 'hello world, not a state file at all........');
  assert.throws(() => loadNodeState(path, { runHash: 'ab'.repeat(32), numParams: 100 }, into), /bad magic/);
  assert.ok(existsSync(path));
});
