// Issue #18, "off the event loop": while a node at `small`'s size (30M parameters)
// compresses its pseudo-gradient, aggregates a window's payloads, hashes θ and saves
// its state, its event loop must stay responsive (gossip, blob requests and block
// notices wait on it). A timer measures its own lateness through the async pipeline
// the node runs (offload.ts, compressWithFeedbackAsync, aggregateAndStepAsync,
// thetaHashAsync, saveNodeStateAsync) and must stay under BOUND_MS; the same work
// done synchronously (what the node did before) blocks the loop for far longer,
// which the test also shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelConfig, parameterLayout, type TensorSpec } from '../../src/train/model-config.js';
import {
  aggregateAndStep, aggregateAndStepAsync, compressWithFeedback, compressWithFeedbackAsync, decodePayload, encodePayload,
  modelShapeHash, thetaHash, type CompressOptions, type UidPayload,
} from '../../src/train/compress/index.js';
import { copyAsync, deltaAndRestoreAsync, sharedFloat32, thetaHashAsync } from '../../src/train/compress/offload.js';
import { EventLoopMonitor } from '../../src/node/event-loop.js';
import { saveNodeState, saveNodeStateAsync, type StateHeader } from '../../src/node/node-state.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The timer's worst lateness allowed while the async pipeline runs. Measured on the
 * 2-core development box (load average 12–21 from other work): 18–80 ms; with two
 * busy-loop processes of our own on top, 107–170 ms. The same work synchronously
 * (three payloads compressed, aggregated, θ hashed, the 480 MB state saved) held the
 * timer 0.8–2.8 s. 500 ms leaves room for a loaded CI machine and stays well below
 * what the synchronous state save alone costs.
 */
const BOUND_MS = 500;
const OPTS: CompressOptions = { chunk: 64, k: 64, demo: false };
const PAYLOADS = 3;

/** A timer firing every `everyMs`, recording how late each firing was. */
function latenessProbe(everyMs = 5): { stop(): number } {
  let max = 0;
  let expected = performance.now() + everyMs;
  let t: NodeJS.Timeout;
  const tick = (): void => {
    const now = performance.now();
    max = Math.max(max, now - expected);
    expected = now + everyMs;
    t = setTimeout(tick, everyMs);
  };
  t = setTimeout(tick, everyMs);
  return {
    stop() {
      clearTimeout(t);
      // a firing that is overdue right now counts too
      return Math.max(max, performance.now() - expected);
    },
  };
}

function fill(a: Float32Array, seed: number): void {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    a[i] = ((x >>> 0) / 4294967296 - 0.5) * 1e-3;
  }
}

const header = (layout: TensorSpec[], uid: number) => ({
  version: 1 as const, runHash: new Uint8Array(32).fill(1), window: 7, uid, modelShapeHash: modelShapeHash(layout), baseThetaHash: new Uint8Array(32).fill(2),
});

interface World {
  dir: string;
  layout: TensorSpec[];
  theta: Float32Array;
  trained: Float32Array;
  delta: Float32Array;
  errorBuffers: Float32Array[];
}

function world(): World {
  const layout = parameterLayout(loadModelConfig('small'));
  const n = layout.reduce((a, t) => a + t.numel, 0);
  assert.ok(n > 29e6, `small has ${n} parameters`);
  const theta = sharedFloat32(n);
  const trained = sharedFloat32(n);
  fill(theta, 1);
  fill(trained, 2);
  return { dir: mkdtempSync(join(tmpdir(), 'gm-loop-')), layout, theta, trained, delta: sharedFloat32(n), errorBuffers: Array.from({ length: PAYLOADS }, () => sharedFloat32(n)) };
}

const stateHeader = (n: number): StateHeader => ({
  runHash: 'ab'.repeat(32), numParams: n, window: 7, manifestDigest: '00'.repeat(32), thetaHash: 'cd'.repeat(32), adamStep: 70, innerStep: 70, savedAt: 'now',
});
/** The node's state file: θ, the error buffer and (stand-ins for) the engine's two moments. */
const stateBuffers = (w: World) => ({ params: w.theta, errorBuffer: w.errorBuffers[0]!, adamM: w.trained, adamV: w.delta });

/** A window's O(parameters) work as the node now does it: off the event loop. */
async function asyncWindow(w: World): Promise<string> {
  const payloads: UidPayload[] = [];
  for (let uid = 0; uid < PAYLOADS; uid++) {
    // the miner: Δ = θ − θ_end, θ restored, error feedback + compression, encode
    await copyAsync(w.trained, w.theta);
    await deltaAndRestoreAsync(w.delta, w.theta, w.trained);
    const c = await compressWithFeedbackAsync(w.errorBuffers[uid]!, w.delta, w.layout, 0.95, OPTS);
    const bytes = encodePayload(header(w.layout, uid), c);
    payloads.push({ uid, payload: decodePayload(bytes, w.layout) });
    await new Promise((r) => setImmediate(r));
  }
  // the replica / the validator's buildManifest: aggregate, step, hash
  await aggregateAndStepAsync(w.theta, w.layout, payloads, 1.0);
  const hash = await thetaHashAsync(w.theta);
  // and the state save after the manifest (480 MB at this size)
  await saveNodeStateAsync(join(w.dir, 'state.bin'), stateHeader(w.theta.length), stateBuffers(w));
  return hash;
}

/** The same work as the node did it before: on the event loop. */
async function syncWindow(w: World): Promise<string> {
  const payloads: UidPayload[] = [];
  for (let uid = 0; uid < PAYLOADS; uid++) {
    w.trained.set(w.theta);
    for (let i = 0; i < w.theta.length; i++) w.delta[i] = w.theta[i]! - w.trained[i]!;
    const c = compressWithFeedback(w.errorBuffers[uid]!, w.delta, w.layout, 0.95, OPTS);
    const bytes = encodePayload(header(w.layout, uid), c);
    payloads.push({ uid, payload: decodePayload(bytes, w.layout) });
    await new Promise((r) => setImmediate(r));
  }
  aggregateAndStep(w.theta, w.layout, payloads, 1.0);
  const hash = thetaHash(w.theta);
  saveNodeState(join(w.dir, 'state.bin'), stateHeader(w.theta.length), stateBuffers(w));
  return hash;
}

test(`the event loop stays within ${BOUND_MS} ms while a small-model node compresses, aggregates and hashes`, async (t) => {
  const w = world();
  t.after(() => rmSync(w.dir, { recursive: true, force: true }));
  const monitor = new EventLoopMonitor(5);
  monitor.roll();
  const probe = latenessProbe();
  const t0 = performance.now();
  const hash = await asyncWindow(w);
  const asyncMs = performance.now() - t0;
  const lateAsync = probe.stop();
  const loop = monitor.roll();
  assert.equal(hash, thetaHash(w.theta), 'thetaHashAsync is thetaHash');
  console.log(`async: ${asyncMs.toFixed(0)} ms of work, timer at most ${lateAsync.toFixed(1)} ms late (monitorEventLoopDelay max ${loop.maxMs} ms, p99 ${loop.p99Ms} ms)`);
  assert.ok(lateAsync < BOUND_MS, `the timer was ${lateAsync.toFixed(1)} ms late while the work ran off the event loop (bound ${BOUND_MS} ms)`);
  assert.ok(loop.maxMs < BOUND_MS, `monitorEventLoopDelay saw ${loop.maxMs} ms`);

  // The old way: the same work on the event loop blocks it far beyond the bound.
  const probe2 = latenessProbe();
  const t1 = performance.now();
  await syncWindow(w);
  const syncMs = performance.now() - t1;
  const lateSync = probe2.stop();
  monitor.stop();
  console.log(`sync: ${syncMs.toFixed(0)} ms of work, timer at most ${lateSync.toFixed(1)} ms late`);
  assert.ok(lateSync > BOUND_MS, `the synchronous pipeline held the loop only ${lateSync.toFixed(1)} ms: the bound does not tell the two apart`);
});

test('thetaHashAsync equals thetaHash for shared, engine-like (non-shared) and sliced arrays', async () => {
  const a = sharedFloat32(3_000_001);
  fill(a, 9);
  const plain = Float32Array.from(a);
  assert.equal(await thetaHashAsync(a), thetaHash(a));
  assert.equal(await thetaHashAsync(plain), thetaHash(plain));
  assert.equal(await thetaHashAsync(a.subarray(5, 2_000_000)), thetaHash(a.subarray(5, 2_000_000)));
  assert.equal(await thetaHashAsync(new Float32Array(0)), thetaHash(new Float32Array(0)));
});
