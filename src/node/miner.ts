// The miner, one pass per window c (the decisions: protocol/miner-window.ts):
//   1. wait until the manifest of c−1 is applied (or its timeout passed: null round);
//   2. from θ_c, train H inner AdamW steps on the pool drawn for (runHash, uid, c);
//   3. Δ = θ_c − θ_end; error feedback + SparseLoCo compression; publish;
//   4. restore θ_c, so the next manifest applies to the shared model.
import type { MinerDeps } from './context.js';
import { sleepUntil } from './window-driver.js';
import { innerLr } from './run-spec.js';
import { minerStart, minerStep, type MinerCommand, type MinerEvent, type MinerView } from './protocol/miner-window.js';
import { samplePool, minerTrainingSamples, makeBatch } from '../train/data/index.js';
import { compressWithFeedbackAsync, compressWithFeedbackSharded, encodePayload, payloadDigest } from '../train/compress/index.js';
import { copyAsync, deltaAndRestoreAsync, sharedFloat32 } from '../train/compress/offload.js';

export interface MinerHooks {
  /** Adversarial modes (docs/adversarial.md) replace the honest payload here; null sends nothing. */
  transformPayload?: (bytes: Uint8Array, window: number) => Uint8Array | null | Promise<Uint8Array | null>;
  /** Adversarial "lazy" mode: train on other samples than the assigned ones. */
  trainingSamples?: (window: number, assigned: number[]) => number[];
}

/**
 * The shell around protocol/miner-window.ts: turns the window clock, timers and
 * manifest notices into events, and carries out its commands: training (the engine,
 * under the replica lock, with the publishing and saving that follow it), logging.
 */
export async function runMiner(ctx: MinerDeps, hooks: MinerHooks = {}): Promise<void> {
  const { spec, engine, replica, driver, log, signal } = ctx;
  const B = spec.batch;
  const H = spec.innerSteps;
  const T = spec.seqLen;
  const numParams = engine.numParams;
  const delta = sharedFloat32(numParams);
  const view = (): MinerView => ({
    nowMs: Date.now(), currentWindow: driver.window, headWindow: replica.chain.head.window, speakers: ctx.speakers().length, warmupUntilWindow: ctx.warmupUntilWindow,
  });
  // The payload trained last, its base θ and loss: 'publish' sends it.
  let trained: { bytes: Uint8Array | null; baseHash: string; meanLoss: number; trainMs: number } | null = null;

  /** From θ_c: H inner steps, Δ, error feedback + compression, encode (under the lock). */
  const train = async (window: number, lockWaitStart: number): Promise<MinerEvent | null> => {
    const startedMs = Date.now();
    const theta = replica.theta;
    const baseHash = replica.thetaHash;
    await copyAsync(engine.params, theta);
    const pool = samplePool(ctx.runHash, ctx.uid, window, B * H, ctx.trainSet.sampleCount(T));
    const assigned = minerTrainingSamples(pool, B, H);
    const samples = hooks.trainingSamples ? hooks.trainingSamples(window, assigned) : assigned;
    let lossSum = 0;
    const t0 = Date.now();
    for (let h = 0; h < H; h++) {
      if (signal.aborted) return null;
      const { inputs, targets } = makeBatch(ctx.trainSet, samples.slice(h * B, (h + 1) * B), T);
      const lr = innerLr(spec, ctx.innerStep);
      const r = await engine.trainStep(inputs, targets, { ...spec.inner, lr });
      ctx.innerStep++;
      lossSum += r.loss;
    }
    const trainMs = Date.now() - t0;
    const t1 = Date.now();
    const trainedParams = engine.params; // one look: on a GPU engine this is the one copy back of the window
    await deltaAndRestoreAsync(delta, theta, trainedParams);
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
    trained = { bytes, baseHash, meanLoss, trainMs };
    return {
      kind: 'trained', payload: bytes !== null && !signal.aborted, nextStartMs: driver.startOfAtLatest(window + 1),
      // from the window's start: when training began (after the manifest of window−1 and the lock)
      timings: { trainMs, compressMs, steps: H, sPerStep: trainMs / 1000 / H, startedAfterMs: startedMs - step.state.startMs, lockWaitMs: startedMs - lockWaitStart },
    };
  };

  const exec = async (cmd: MinerCommand): Promise<MinerEvent | null | undefined> => {
    switch (cmd.kind) {
      case 'wait_window': {
        const w = await driver.waitFor(cmd.window);
        if (w < 0 || signal.aborted) return null;
        return { kind: 'window', window: w, startMs: driver.startOf(w) ?? Date.now() };
      }
      case 'wait': {
        // Which one ended the wait (a timer may fire a millisecond before Date.now()
        // reaches its time: the clock does not tell).
        const timer = sleepUntil(cmd.untilMs, signal).then(() => 'timer' as const);
        const woke = cmd.wakeOnManifest ? await Promise.race([ctx.manifestApplied().then(() => 'manifest' as const), timer]) : await timer;
        if (signal.aborted) return null;
        return { kind: woke };
      }
      case 'train': {
        // Training, publishing and saving hold the replica lock together: no manifest
        // changes θ under the engine, and the state saved is the one published from.
        const lockWaitStart = Date.now();
        return replica.lock.run(async () => {
          const ev = await train(cmd.window, lockWaitStart);
          if (!ev) return null;
          step = minerStep(step.state, ev, view(), spec.timing);
          return runCommands(step.commands);
        });
      }
      case 'publish': {
        const t = trained!;
        if (!t.bytes || signal.aborted) return undefined;
        const digest = payloadDigest(t.bytes);
        await ctx.p2p.store.put(t.bytes, { window: cmd.window, kind: 'payload' });
        const recipients = await ctx.p2p.publish('grad', {
          version: 1,
          runHash: ctx.runHash,
          window: BigInt(cmd.window),
          uid: ctx.uid,
          digest: Buffer.from(digest, 'hex'),
          size: BigInt(t.bytes.byteLength),
          baseThetaHash: Buffer.from(t.baseHash, 'hex'),
          announcedAtMs: BigInt(Date.now()),
        });
        ctx.metrics.onAnnounce(t.bytes.byteLength);
        log.info({ event: 'announced', window: cmd.window, loss: t.meanLoss, bytes: t.bytes.byteLength, digest, recipients, trainMs: t.trainMs }, 'announced payload');
        return undefined;
      }
      case 'save_state':
        await ctx.saveState();
        return { kind: 'saved' };
      case 'late': {
        ctx.metrics.onLate(cmd.window, cmd.late, cmd.skipped);
        const trainMs = trained?.trainMs ?? 0;
        log.warn({ event: 'late', ...cmd.fields },
          cmd.late
            ? `late: window ${cmd.window}'s payload is ready after the validators' deadline (${H} steps took ${(trainMs / 1000).toFixed(1)} s); it will likely not be aggregated`
            : `late: the last window's training ran into this one: ${cmd.skipped} window(s) skipped`);
        return undefined;
      }
      case 'log':
        log[cmd.level]({ event: cmd.event, ...cmd.fields }, cmd.msg);
        return undefined;
    }
  };

  /** Runs commands in order; returns the event the last blocking one produced (null: stopped). */
  const runCommands = async (cmds: MinerCommand[]): Promise<MinerEvent | null> => {
    let event: MinerEvent | null = null;
    for (const cmd of cmds) {
      const ev = await exec(cmd);
      if (ev === null) return null;
      if (ev) event = ev;
    }
    return event;
  };

  let step = minerStart(driver.window);
  while (!signal.aborted) {
    const event = await runCommands(step.commands);
    if (!event || signal.aborted) break;
    step = minerStep(step.state, event, view(), spec.timing);
  }
}
