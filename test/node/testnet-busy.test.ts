// A testnet sized to the machine (issue #18): on a busy machine the run spec's
// fixed 6 s windows aggregated nothing (every miner missed every deadline). With
// adaptive timing the testnet measures the step time under the load it finds and
// lengthens the windows; every window after the first two must aggregate payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testnet } from '../../src/testnet/testnet.js';
import { overheadSteps, sizeWindows } from '../../src/testnet/testnet-timing.js';
import { FLOOR_MARGIN } from '../../src/node/compute-floor.js';
import { loadRunSpec, runHash, toHex } from '../../src/node/run-spec.js';
import { loadModelConfig } from '../../src/train/model-config.js';

const tiny = loadRunSpec('testnet-tiny');

test('window sizing: a window holds (inner steps + the rest) × step × contention in the floor margin', () => {
  // 4 nodes × 1 thread on 2 cores: every step runs 2× slower than measured alone.
  const s = sizeWindows(tiny, { measuredSPerStep: 0.5, nodes: 4, threadsPerNode: 1, cores: 2 });
  const work = tiny.innerSteps + overheadSteps(tiny);
  assert.equal(s.contention, 2);
  assert.ok(Math.abs(s.neededMs - (work * 500 * 2) / FLOOR_MARGIN) < 1e-6);
  assert.equal(s.blockMs, Math.ceil(s.neededMs / tiny.timing.blocksPerWindow / 100) * 100);
  assert.equal(s.windowMs, s.blockMs * tiny.timing.blocksPerWindow);
  assert.ok(s.windowMs >= s.neededMs);
  assert.equal(s.changed, true);
  assert.match(s.message, /window sized to this machine: .* the run spec says 1000 ms blocks/);
  // Fewer nodes than cores: no contention.
  assert.equal(sizeWindows(tiny, { measuredSPerStep: 0.5, nodes: 2, threadsPerNode: 1, cores: 8 }).contention, 1);
  // A fast machine keeps the spec's window: sizing never shortens it.
  const fast = sizeWindows(tiny, { measuredSPerStep: 0.01, nodes: 4, threadsPerNode: 1, cores: 2 });
  assert.equal(fast.blockMs, tiny.timing.devBlockMs);
  assert.equal(fast.changed, false);
  assert.match(fast.message, /the run spec's 6\.0 s window fits this machine/);
  assert.throws(() => sizeWindows(tiny, { measuredSPerStep: Number.NaN, nodes: 1, threadsPerNode: 1 }), /measured step time/);
});

/** `count` processes that spin a core each, until killed. */
function busyLoops(count: number): ChildProcess[] {
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

test('a testnet started while the machine is busy still aggregates payloads', { timeout: 480_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-busy-'));
  const lines: string[] = [];
  // As many spinning processes as cores: the nodes get half the machine at best.
  const busy = busyLoops(availableParallelism());
  const net = new Testnet({
    run: 'testnet-tiny', dir, miners: 3, validators: 1, basePort: 20000 + Math.floor(Math.random() * 20000),
    threadsPerNode: 1, fresh: true, timing: 'adaptive', print: (l) => lines.push(l),
  });
  try {
    await net.start();
    await net.waitForEvaluatedWindows(6);
  } finally {
    await net.stop();
    for (const b of busy) b.kill('SIGKILL');
  }
  const out = lines.join('\n');
  const sizing = lines.find((l) => /window sized to this machine|window fits this machine/.test(l));
  assert.ok(sizing, `the testnet says how it sized its windows\n${out}`);
  if (/window sized to this machine/.test(sizing)) {
    // The nodes ran the spec with the measured block time (DIR/run.json), all of them.
    const sized = loadRunSpec(join(dir, 'run.json'));
    assert.ok(sized.timing.devBlockMs > tiny.timing.devBlockMs);
    assert.deepEqual({ ...sized, timing: { ...sized.timing, devBlockMs: tiny.timing.devBlockMs } }, tiny);
    assert.notEqual(toHex(runHash(sized, loadModelConfig(sized.model))), toHex(runHash(tiny, loadModelConfig(tiny.model))));
    const floor = readFileSync(join(dir, 'logs', 'miner0.log'), 'utf8').split('\n').find((l) => l.includes('"compute_floor"'));
    assert.ok(floor && JSON.parse(floor).windowMs === sized.timing.devBlockMs * sized.timing.blocksPerWindow, `the miner judged its floor on the sized window: ${floor}`);
  }
  const evaluated = [...net.windows.values()].filter((s) => s.evalLoss !== undefined).sort((a, b) => a.window - b.window);
  assert.ok(evaluated.length >= 6, out);
  for (const s of evaluated.slice(2)) {
    assert.ok((s.payloads ?? 0) >= 1, `window ${s.window} aggregated no payload\n${out}`);
    assert.equal(new Set(s.thetaHashes.values()).size, 1, `window ${s.window}: nodes disagree\n${out}`);
  }
  rmSync(dir, { recursive: true, force: true });
});
