// The miner loop, one iteration per window c:
//   1. wait until the manifest of c−1 is applied (or its timeout passed: null round);
//   2. from θ_c, train H inner AdamW steps on the pool drawn for (runHash, uid, c);
//   3. Δ = θ_c − θ_end; error feedback + SparseLoCo compression; publish;
//   4. restore θ_c, so the next manifest applies to the shared model.
import type { NodeContext } from './context.js';
import { sleepUntil } from './window-driver.js';
import { innerLr } from './run-spec.js';
import { manifestWaitUntil } from './protocol/speakers.js';
import { samplePool, minerTrainingSamples, makeBatch } from '../train/data/index.js';
import { compressWithFeedbackAsync, compressWithFeedbackSharded, encodePayload, payloadDigest } from '../train/compress/index.js';
import { copyChunked, deltaAndRestore, sharedFloat32 } from '../train/compress/offload.js';

export interface MinerHooks {
  /** Adversarial modes (docs/adversarial.md) replace the honest payload here; null sends nothing. */
  transformPayload?: (bytes: Uint8Array, window: number) => Uint8Array | null | Promise<Uint8Array | null>;
  /** Adversarial "lazy" mode: train on other samples than the assigned ones. */
  trainingSamples?: (window: number, assigned: number[]) => number[];
}

export async function runMiner(ctx: NodeContext, hooks: MinerHooks = {}): Promise<void> {
  const { spec, engine, replica, driver, log, signal } = ctx;
  const B = spec.batch;
  const H = spec.innerSteps;
  const T = spec.seqLen;
  const numParams = engine.numParams;
  const delta = sharedFloat32(numParams);
  let window = driver.window;

  while (!signal.aborted) {
    const previous = window;
    window = await driver.waitFor(window + 1);
    if (window < 0 || signal.aborted) break;
    // Windows that began while the last one was still training get no payload.
    const skipped = previous >= 0 && window > previous + 1 && ctx.metrics.lastWindow === previous ? window - previous - 1 : 0;
    // The manifest of window−1 is due in the lead's slot; wait through every fallback
    // speaker's slot too (protocol/speakers.ts), so that a dead lead's stand-in is
    // applied before training rather than just after it.
    const start = driver.startOf(window) ?? Date.now();
    const due = manifestWaitUntil(start, ctx.speakers().length, spec.timing);
    while (replica.chain.head.window < window - 1 && Date.now() < due && !signal.aborted) {
      await Promise.race([ctx.manifestApplied(), sleepUntil(due, signal)]);
    }
    if (signal.aborted) break;
    if (ctx.warmupUntilWindow !== undefined && window < ctx.warmupUntilWindow) {
      log.info({ window }, 'warm-up: training without announcing');
    }

    const lockWaitStart = Date.now();
    await replica.lock.run(async () => {
      const startedMs = Date.now();
      const theta = replica.theta;
      const baseHash = replica.thetaHash;
      await copyChunked(engine.params, theta);
      const pool = samplePool(ctx.runHash, ctx.uid, window, B * H, ctx.trainSet.sampleCount(T));
      const assigned = minerTrainingSamples(pool, B, H);
      const samples = hooks.trainingSamples ? hooks.trainingSamples(window, assigned) : assigned;
      let lossSum = 0;
      const t0 = Date.now();
      for (let h = 0; h < H; h++) {
        if (signal.aborted) return;
        const { inputs, targets } = makeBatch(ctx.trainSet, samples.slice(h * B, (h + 1) * B), T);
        const lr = innerLr(spec, ctx.innerStep);
        const r = await engine.trainStep(inputs, targets, { ...spec.inner, lr });
        ctx.innerStep++;
        lossSum += r.loss;
      }
      const trainMs = Date.now() - t0;
      const t1 = Date.now();
      const trained = engine.params; // one look: on a GPU engine this is the one copy back of the window
      await deltaAndRestore(delta, theta, trained);
      // Error feedback + compression on a libuv thread. Under the replica lock: nothing
      // else writes the error buffer or delta until it returns (docs/engine.md).
      // On several ranks each compresses the tensors of its shard and the parts gather
      // into the same payload bytes (compress/sharded.ts).
      const copts = { chunk: spec.compression.chunk, k: spec.compression.k, demo: spec.compression.demo };
      const compressed = engine.ranks > 1
        ? await compressWithFeedbackSharded(ctx.errorBuffer, delta, engine.layout, spec.compression.errorDecay, copts, engine.ranks)
        : await compressWithFeedbackAsync(ctx.errorBuffer, delta, engine.layout, spec.compression.errorDecay, copts);
      let bytes: Uint8Array | null = encodePayload(
        { version: 1, runHash: ctx.runHash, window, uid: ctx.uid, modelShapeHash: ctx.modelShapeHash, baseThetaHash: Buffer.from(baseHash, 'hex') },
        compressed,
      );
      const compressMs = Date.now() - t1;
      if (hooks.transformPayload) bytes = await hooks.transformPayload(bytes, window);
      const meanLoss = lossSum / H;
      ctx.metrics.onTrain(window, meanLoss, (B * H * T) / (trainMs / 1000));
      const announce = ctx.warmupUntilWindow === undefined || window >= ctx.warmupUntilWindow;
      // Late: the validators close this window announceDeadlineMs into the next one
      // (measured from the next window's start, or a later one's if its notice was
      // skipped: then overByMs is a lower bound).
      const nextStart = driver.startOfAtLatest(window + 1);
      const deadline = nextStart !== undefined ? nextStart + spec.timing.announceDeadlineMs : undefined;
      const now = Date.now();
      const late = deadline !== undefined ? now > deadline : driver.window > window + 1;
      if (late || skipped > 0) {
        const timings = {
          window, trainMs, compressMs, steps: H, sPerStep: trainMs / 1000 / H,
          // from the window's start: when training began (after the manifest of window−1 and the lock)
          startedAfterMs: startedMs - start, lockWaitMs: startedMs - lockWaitStart,
          ...(deadline !== undefined ? { overByMs: now - deadline } : {}), skippedWindows: skipped,
        };
        ctx.metrics.onLate(window, late, skipped);
        log.warn({ event: 'late', ...timings },
          late
            ? `late: window ${window}'s payload is ready after the validators' deadline (${H} steps took ${(trainMs / 1000).toFixed(1)} s); it will likely not be aggregated`
            : `late: the last window's training ran into this one: ${skipped} window(s) skipped`);
      }
      if (bytes && announce && !signal.aborted) {
        const digest = payloadDigest(bytes);
        await ctx.p2p.store.put(bytes, { window, kind: 'payload' });
        const recipients = await ctx.p2p.publish('grad', {
          version: 1,
          runHash: ctx.runHash,
          window: BigInt(window),
          uid: ctx.uid,
          digest: Buffer.from(digest, 'hex'),
          size: BigInt(bytes.byteLength),
          baseThetaHash: Buffer.from(baseHash, 'hex'),
          announcedAtMs: BigInt(Date.now()),
        });
        ctx.metrics.onAnnounce(bytes.byteLength);
        log.info({ event: 'announced', window, loss: meanLoss, bytes: bytes.byteLength, digest, recipients, trainMs }, 'announced payload');
      }
      await ctx.saveState();
    });
  }
}
