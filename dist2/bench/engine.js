// `npm run bench -- engine [--steps N] [--batch B] [--seq T] [--model NAME] [--threads N]`
// Trains `small` (B=4, T=256) for a few steps after one warm-up step, then times
// OpenBLAS sgemm alone on exactly the GEMM shapes one step issues.
//
// FLOPs of a step (what "gflops" counts) = sum over the step's sgemm calls of 2·m·n·k
//   = 6·B·T·(L·(2·d² + 2·d·kv + 3·d·f) + V·d)       linear layers and LM head, fwd + bwd
//   + 12·L·B·T²·d                                      attention QK^T, PV (fwd), dP, dV, dQ, dK (bwd),
// with full T×T score matrices (the causal half is computed, not skipped), kv = the
// k/v width, and the embedding lookup not counted. Elementwise work (norms, RoPE,
// softmax, SwiGLU, cross-entropy, AdamW) is not counted but is inside step_ms.
import { Engine, benchSgemm } from '../src/train/engine.js';
import { headDim, loadModelConfig } from '../src/train/model-config.js';
import { loadNative } from '../src/native/index.js';
function option(args, name, fallback) {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}
export function stepFlops(c, B, T) {
    const d = c.hidden_size, f = c.intermediate_size, L = c.num_hidden_layers, V = c.vocab_size;
    const kv = c.num_key_value_heads * headDim(c);
    return 6 * B * T * (L * (2 * d * d + 2 * d * kv + 3 * d * f) + V * d) + 12 * L * B * T * T * d;
}
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
export async function main(args) {
    const config = loadModelConfig(option(args, 'model', 'small'));
    const B = Number(option(args, 'batch', '4'));
    const T = Number(option(args, 'seq', '256'));
    const rounds = Number(option(args, 'steps', '4'));
    const threads = Number(option(args, 'threads', String(loadNative().getThreads())));
    const engine = Engine.create(config, { batch: B, seqLen: T, threads });
    engine.initParams(1);
    const inputs = new Int32Array(B * T), targets = new Int32Array(B * T);
    for (let i = 0; i < B * T; i++) {
        inputs[i] = (i * 7919) % config.vocab_size;
        targets[i] = (i * 104729 + 13) % config.vocab_size;
    }
    const h = { lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };
    // Warm-up (page faults, OpenBLAS buffers), recording the step's sgemm shapes.
    const prof = engine.profileStep(inputs, targets);
    const shapes = prof.shapes;
    const flops = shapes.reduce((a, s) => a + 2 * s.m * s.n * s.k * s.count, 0);
    const formula = stepFlops(config, B, T);
    if (Math.abs(flops - formula) > 1e-9 * formula) {
        throw new Error(`the step issued ${flops} GEMM FLOPs but the stated formula gives ${formula}`);
    }
    await engine.trainStep(inputs, targets, h);
    // Train steps and sgemm replays of the same shapes alternate, so that load from
    // other processes on this shared machine hits both about equally.
    const stepTimes = [], sgemmTimes = [];
    let loss = 0;
    for (let r = 0; r < rounds; r++) {
        const t0 = process.hrtime.bigint();
        loss = (await engine.trainStep(inputs, targets, h)).loss;
        stepTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
        sgemmTimes.push(benchSgemm(shapes, 1).seconds * 1e3);
    }
    const stepMs = median(stepTimes), sgemmMs = median(sgemmTimes);
    const gflops = flops / (stepMs / 1e3) / 1e9;
    const sgemmGflops = flops / (sgemmMs / 1e3) / 1e9;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const numParams = engine.numParams;
    engine.dispose();
    const fmt = (xs) => xs.map((t) => t.toFixed(0)).join(', ');
    console.log(`engine bench: ${config.name} (${numParams.toLocaleString()} params), B=${B} T=${T}, ${threads} threads, ${rounds} rounds after 1 warm-up`);
    console.log(`  train step (ms)        ${fmt(stepTimes)}   median ${stepMs.toFixed(0)}   last loss ${loss.toFixed(4)}`);
    console.log(`  sgemm replay (ms)      ${fmt(sgemmTimes)}   median ${sgemmMs.toFixed(0)}`);
    console.log(`  tokens/s               ${((B * T) / (stepMs / 1e3)).toFixed(0)}`);
    console.log(`  GEMM FLOPs per step    ${(flops / 1e9).toFixed(2)} GFLOP in ${shapes.reduce((a, s) => a + s.count, 0)} sgemm calls (${shapes.length} shapes)`);
    console.log(`  achieved               ${gflops.toFixed(1)} GFLOP/s`);
    console.log(`  sgemm alone            ${sgemmGflops.toFixed(1)} GFLOP/s`);
    console.log(`  ratio                  ${(gflops / sgemmGflops).toFixed(3)}`);
    console.log(`  warm-up step profile   ${(prof.gemmSeconds * 1e3).toFixed(0)} of ${(prof.stepSeconds * 1e3).toFixed(0)} ms inside sgemm (forward+backward, no AdamW)`);
    console.log(`  peak RSS               ${rssMb.toFixed(0)} MB`);
    console.log(JSON.stringify({
        bench: 'engine',
        tokens_per_s: Math.round((B * T) / (stepMs / 1e3)),
        step_ms: Number(stepMs.toFixed(1)),
        gflops: Number(gflops.toFixed(2)),
        sgemm_gflops: Number(sgemmGflops.toFixed(2)),
        ratio: Number((gflops / sgemmGflops).toFixed(3)),
        rss_mb: Math.round(rssMb),
    }));
}
//# sourceMappingURL=engine.js.map