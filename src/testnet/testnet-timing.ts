// A testnet's windows sized to the machine it runs on (issue #18). A run spec's
// dev-chain block time is a guess made on some other machine: `testnet-tiny`'s 6 s
// window fits its 5 inner steps on an idle 2-core box, but with the machine busy
// (a test suite, a build) every miner missed every deadline and every window
// aggregated nothing. So `gradmesh testnet` measures the run's step time once, here
// and now (under whatever load the machine carries), and lengthens the dev chain's
// block time until a window holds the inner steps of every node that shares the
// cores, with the compute floor's margin. It never shortens a window: the spec's
// timing is the least it uses. `--fixed-timing` keeps the spec's timing as it is.
import { availableParallelism } from 'node:os';
import { FLOOR_MARGIN } from '../node/compute-floor.js';
import type { RunSpec } from '../node/run-spec.js';

/**
 * Work in a window besides the inner steps, in step-equivalents: the error feedback
 * and compression, the validators' decode and aggregation, applying the manifest and
 * hashing θ (together about two steps' worth of O(parameters) passes at the sizes a
 * CPU testnet runs), and the held-out evaluation (a forward pass, about a third of a
 * training step, per batch of held-out sequences).
 */
export function overheadSteps(spec: Pick<RunSpec, 'batch' | 'eval'>): number {
  return 2 + spec.eval.heldOutSequences / spec.batch / 3;
}

export interface WindowSizingInput {
  /** Seconds per inner step of one node, measured on this machine now. */
  measuredSPerStep: number;
  /** Node processes that will share the machine (validators, miners, adversaries). */
  nodes: number;
  threadsPerNode: number;
  /** Cores of this machine (default: os.availableParallelism()). */
  cores?: number;
}

export interface WindowSizing {
  /** The block time the dev chain runs at. */
  blockMs: number;
  /** The run spec's block time, and whether blockMs differs from it. */
  specBlockMs: number;
  changed: boolean;
  /** blocksPerWindow × blockMs. */
  windowMs: number;
  /** The window the measurement asks for (before rounding and the spec's minimum). */
  neededMs: number;
  measuredSPerStep: number;
  /** How much slower a step runs with every node busy at once: nodes × threads / cores, at least 1. */
  contention: number;
  cores: number;
  /** One line with the numbers, for the testnet's output. */
  message: string;
}

/**
 * The dev chain's block time for a testnet: a window must hold (inner steps + the
 * window's other work) × the measured step time × contention, in FLOOR_MARGIN of
 * its length (the rest covers the manifest's round trip and the jitter of a busy
 * machine). Rounded up to 100 ms; never below the spec's block time.
 */
export function sizeWindows(spec: Pick<RunSpec, 'innerSteps' | 'batch' | 'eval' | 'timing'>, o: WindowSizingInput): WindowSizing {
  if (!(o.measuredSPerStep > 0) || !Number.isFinite(o.measuredSPerStep)) throw new RangeError(`measured step time must be a positive number of seconds, got ${o.measuredSPerStep}`);
  const cores = Math.max(1, o.cores ?? availableParallelism());
  const contention = Math.max(1, (o.nodes * o.threadsPerNode) / cores);
  const work = spec.innerSteps + overheadSteps(spec);
  const neededMs = (work * o.measuredSPerStep * 1000 * contention) / FLOOR_MARGIN;
  const bpw = spec.timing.blocksPerWindow;
  const specBlockMs = spec.timing.devBlockMs;
  const blockMs = Math.max(specBlockMs, Math.ceil(neededMs / bpw / 100) * 100);
  const windowMs = blockMs * bpw;
  const changed = blockMs !== specBlockMs;
  const numbers = `step ${(o.measuredSPerStep * 1000).toFixed(0)} ms × (${spec.innerSteps} inner steps + ${overheadSteps(spec).toFixed(1)} for the rest of a window) × ` +
    `${contention.toFixed(2)} (${o.nodes} nodes × ${o.threadsPerNode} thread(s) on ${cores} cores) / ${FLOOR_MARGIN} = ${(neededMs / 1000).toFixed(1)} s`;
  const message = changed
    ? `window sized to this machine: ${(windowMs / 1000).toFixed(1)} s (${bpw} blocks × ${blockMs} ms; the run spec says ${specBlockMs} ms blocks): ${numbers}`
    : `the run spec's ${(windowMs / 1000).toFixed(1)} s window fits this machine: ${numbers}`;
  return { blockMs, specBlockMs, changed, windowMs, neededMs, measuredSPerStep: o.measuredSPerStep, contention, cores, message };
}

/** The run spec with the dev chain's block time set to `blockMs` (the rest unchanged). */
export function withDevBlockMs<T extends Pick<RunSpec, 'timing'>>(spec: T, blockMs: number): T {
  return { ...spec, timing: { ...spec.timing, devBlockMs: blockMs } };
}
