// Golden vectors: fixed PRNG inputs give exact payload bytes (SHA-256) and exact
// aggregated parameters (thetaHash), in test/fixtures/compress/golden.json. Set
// GRADMESH_WRITE_GOLDEN=1 to rewrite the fixture after a deliberate format change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../src/train/model-config.js';
import { loadNative } from '../../src/native/index.js';
import { runScenario, SCENARIO_OPTIONS, type ScenarioResult } from './scenario.js';

const fixture = join(repoRoot(), 'test', 'fixtures', 'compress', 'golden.json');

function computeAll(): Record<string, ScenarioResult> {
  const out: Record<string, ScenarioResult> = {};
  for (const [name, o] of Object.entries(SCENARIO_OPTIONS)) out[name] = runScenario(o);
  return out;
}

test('golden vectors: payload digests and thetaHash after each window match the committed fixture', () => {
  const got = computeAll();
  if (process.env.GRADMESH_WRITE_GOLDEN === '1' || !existsSync(fixture)) {
    if (process.env.GRADMESH_WRITE_GOLDEN !== '1') assert.fail(`missing ${fixture}: run with GRADMESH_WRITE_GOLDEN=1`);
    writeFileSync(fixture, JSON.stringify(got, null, 2) + '\n');
  }
  const want = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, ScenarioResult>;
  assert.deepEqual(got, want);
});

test('same bits with 1 and 2 threads', () => {
  const native = loadNative();
  const before = native.getThreads();
  try {
    native.setThreads(1);
    const one = computeAll();
    native.setThreads(2);
    const two = computeAll();
    assert.deepEqual(one, two);
  } finally {
    native.setThreads(before);
  }
});

test('same bits in a separate process (child node process, 2 threads)', () => {
  const child = join(fileURLToPath(new URL('.', import.meta.url)), 'scenario-child.js');
  const r = spawnSync(process.execPath, [child, '2'], { encoding: 'utf8', cwd: repoRoot() });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), computeAll());
});
