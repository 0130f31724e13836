/** Fraction of a window the inner steps may take. */
export const FLOOR_MARGIN = 0.7;
/** Block time of a Bittensor (subtensor) chain, ms. */
export const SUBTENSOR_BLOCK_MS = 12_000;
export function computeFloor(spec, blockMs) {
    const windowMs = spec.timing.blocksPerWindow * blockMs;
    const availableMs = windowMs * FLOOR_MARGIN;
    return {
        steps: spec.innerSteps,
        tokens: spec.innerSteps * spec.batch * spec.seqLen,
        windowMs,
        availableMs,
        floorSPerStep: availableMs / 1000 / spec.innerSteps,
    };
}
export function judgeComputeFloor(spec, blockMs, measuredSPerStep) {
    const f = computeFloor(spec, blockMs);
    const neededMs = measuredSPerStep * 1000 * f.steps;
    const ok = measuredSPerStep <= f.floorSPerStep;
    const numbers = `measured ${measuredSPerStep.toFixed(3)} s/step × ${f.steps} inner steps = ${(neededMs / 1000).toFixed(1)} s per window; ` +
        `available ${(f.availableMs / 1000).toFixed(1)} s (${Math.round(FLOOR_MARGIN * 100)} % of a ${(f.windowMs / 1000).toFixed(1)} s window: ` +
        `${spec.timing.blocksPerWindow} blocks × ${(blockMs / 1000).toFixed(1)} s); floor ${f.floorSPerStep.toFixed(3)} s/step`;
    const message = ok
        ? `compute floor met: ${numbers}`
        : `this machine is below the run's compute floor: ${numbers}. Its payloads would arrive after the validators close each window. ` +
            'Use a faster device or more --threads, or pass --force to start anyway';
    return { ...f, ok, measuredSPerStep, neededMs, message };
}
/**
 * The exit status of a node that refused to start below the compute floor: 78
 * (EX_CONFIG, "configuration error"). Restarting it changes nothing, so supervisors
 * are told not to (systemd RestartPreventExitStatus, pm2 stop_exit_codes, the
 * testnet's add-miner), where any other failure is restarted.
 */
export const COMPUTE_FLOOR_EXIT_CODE = 78;
export class ComputeFloorError extends Error {
    verdict;
    constructor(verdict) {
        super(verdict.message);
        this.verdict = verdict;
        this.name = 'ComputeFloorError';
    }
}
/**
 * Seconds per inner step of this engine on the run's shapes: `warmup` untimed steps,
 * then the mean of `steps` timed ones, on dummy tokens. It trains the engine's
 * parameters and AdamW state: call it before they are initialised or loaded.
 */
export async function measureStepSeconds(engine, o = {}) {
    const steps = o.steps ?? 2;
    const warmup = o.warmup ?? 1;
    const n = engine.batch * engine.seqLen;
    const vocab = engine.config.vocab_size;
    const inputs = new Int32Array(n);
    const targets = new Int32Array(n);
    for (let i = 0; i < n; i++) {
        inputs[i] = (i * 7919) % vocab;
        targets[i] = (i * 7919 + 1) % vocab;
    }
    const h = { lr: 1e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1 };
    for (let i = 0; i < warmup; i++)
        await engine.trainStep(inputs, targets, h);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++)
        await engine.trainStep(inputs, targets, h);
    return (performance.now() - t0) / 1000 / steps;
}
//# sourceMappingURL=compute-floor.js.map