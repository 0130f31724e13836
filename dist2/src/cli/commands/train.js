// `gradmesh train`: trains a model config on one node, with a progress bar and ETA
// (plain lines when not on a terminal), a held-out loss at the end and every
// --eval-every steps, and --save DIR writing a checkpoint that `gradmesh export
// --from DIR` turns into a Hugging Face folder.
// Data: --tokens FILE (flat uint16 or llm.c .bin), --data DIR (a prepared dataset),
// or by default the built-in dataset (built on first use). Held out: the last 10% of
// the token file or dataset (never trained on), --val DIR, or the built-in
// dataset's validation split.
import { Option } from 'commander';
import cliProgress from 'cli-progress';
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { intArg, numberArg, RANGES } from '../flags.js';
import { Engine } from '../../train/engine.js';
import { canonicalModelConfig, loadModelConfig } from '../../train/model-config.js';
import { readTokenFile } from '../../train/token-file.js';
import { HELD_OUT_SHARE, heldOutLossOf, splitHeldOut, trainLoop, windowBatchSource, } from '../../train/train-loop.js';
import { ensureDefaultDataset, makeBatch, openDataset } from '../../train/data/index.js';
import { CheckpointStore, encodeCheckpointChunks, TRAIN_META_KEYS } from '../../train/checkpoint/index.js';
import { thetaHash } from '../../train/compress/hash.js';
import { canonicalJson } from '../../node/run-spec.js';
/** Random samples from [0, count): the first `count` samples of the dataset are the training ones. */
function datasetSource(ds, batch, seqLen, seed, count) {
    if (count < 1)
        throw new Error(`the dataset ${ds.dir} has no sample of ${seqLen + 1} tokens to train on`);
    let state = seed >>> 0;
    const next = () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state / 4294967296;
    };
    return () => makeBatch(ds, Array.from({ length: batch }, () => Math.floor(next() * count)), seqLen);
}
/** Samples [from, from + count) of a dataset as fixed evaluation batches. */
function datasetHeldOut(ds, from, count, batch, seqLen) {
    const out = [];
    for (let i = 0; i < count; i += batch) {
        const idx = Array.from({ length: Math.min(batch, count - i) }, (_, j) => from + i + j);
        out.push({ ...makeBatch(ds, idx, seqLen), n: idx.length });
    }
    return out;
}
function duration(ms) {
    const s = Math.round(ms / 1000);
    return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
function progressLine(r) {
    return `step ${String(r.step).padStart(String(r.steps).length)}/${r.steps}  loss ${r.loss.toFixed(4)}  ` +
        `grad ${r.gradNorm.toFixed(3)}  lr ${r.lr.toExponential(2)}  ${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tok/s  ETA ${duration(r.etaMs)}`;
}
function evalLine(e, steps) {
    return `eval  step ${String(e.step).padStart(String(steps).length)}/${steps}  held-out loss ${e.loss.toFixed(4)}`;
}
/**
 * On a terminal: a bar on stderr (step, loss, last held-out loss, tok/s, ETA), the
 * evaluations printed under it when it is done. Otherwise: one plain line per step
 * and per evaluation on stdout, which logs and tests read.
 */
function trainProgress(steps) {
    if (process.stderr.isTTY) {
        const bar = new cliProgress.SingleBar({
            format: 'train [{bar}] {percentage}% | step {value}/{total} | loss {loss} | held-out {heldOut} | {tps} tok/s | ETA {etaText}',
            stream: process.stderr,
            hideCursor: true,
        }, cliProgress.Presets.shades_classic);
        const evals = [];
        let heldOut = '-';
        bar.start(steps, 0, { loss: '-', heldOut, tps: 0, etaText: '?' });
        let stopped = false;
        return {
            step(r) {
                bar.update(r.step, { loss: r.loss.toFixed(4), heldOut, tps: Math.round(r.tokensPerSecond).toLocaleString('en-US'), etaText: duration(r.etaMs) });
            },
            evaluated(e) {
                evals.push(e);
                heldOut = e.loss.toFixed(4);
                bar.update({ heldOut });
            },
            stop() {
                if (stopped)
                    return;
                stopped = true;
                bar.stop();
                for (const e of evals)
                    console.log(evalLine(e, steps));
            },
        };
    }
    return {
        step: (r) => console.log(progressLine(r)),
        evaluated: (e) => console.log(evalLine(e, steps)),
        stop() { },
    };
}
/** A --save folder must be new or empty: checked before training, so a bad one costs no training time. */
function checkSaveDir(dir) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (!st)
        return;
    if (!st.isDirectory())
        throw new Error(`--save ${dir} is a file, not a folder`);
    if (readdirSync(dir).length > 0)
        throw new Error(`--save ${dir} is not empty; give a new or empty folder (its checkpoint would mix with what is there)`);
}
/**
 * Writes θ as a checkpoint of the gradmesh format, so that export, and anything else
 * that reads checkpoints, verifies and loads it. There is no network run: runHash is
 * the hash of the model and the training settings, the manifest chain is empty
 * (zeros), and the window is the step count (its file name, ckpt-<steps>); steps,
 * tokens seen and held-out loss go into extra metadata for the model card.
 */
async function saveCheckpoint(dir, engine, info) {
    const params = Float32Array.from(engine.params);
    const runHash = createHash('sha256').update(canonicalJson({ kind: 'gradmesh train', model: canonicalModelConfig(info.config), ...info.settings })).digest('hex');
    const chunks = encodeCheckpointChunks({
        params, layout: engine.layout, model: info.config,
        meta: { window: info.steps, thetaHash: thetaHash(params), runHash, manifestDigest: '0'.repeat(64) },
        extraMetadata: {
            [TRAIN_META_KEYS.source]: 'gradmesh train',
            [TRAIN_META_KEYS.steps]: String(info.steps),
            [TRAIN_META_KEYS.tokensSeen]: String(info.tokensSeen),
            ...(info.heldOutLoss !== undefined ? { [TRAIN_META_KEYS.heldOutLoss]: String(info.heldOutLoss) } : {}),
        },
    });
    // Never prune: everything in this folder is this run's.
    return new CheckpointStore(dir, { keep: Number.MAX_SAFE_INTEGER }).write(info.steps, chunks);
}
export function registerTrain(program) {
    program
        .command('train')
        .description('train a model on one node (no network): a quick check of the engine and the data; --save keeps the result')
        .option('--model <name>', 'model config: tiny, small, 150m, 1b, 8b or a JSON file', 'tiny')
        .option('--tokens <file>', 'token file: flat little-endian uint16 or llm.c .bin')
        .option('--data <dir>', 'a dataset directory (gradmesh data prepare); default: the built-in dataset')
        .option('--val <dir>', 'held-out dataset (default: the last 10% of --tokens / --data, or the built-in validation split)')
        .option('--steps <n>', 'training steps', intArg('--steps', RANGES.positive), 100)
        .option('--batch <b>', 'sequences per step', intArg('--batch', RANGES.positive), 4)
        .option('--seq <t>', 'sequence length (default: the model\'s max_position_embeddings)', intArg('--seq', { min: 2 }))
        .option('--lr <x>', 'peak learning rate', numberArg('--lr', { min: 0, exclusiveMin: true }), 1e-3)
        .option('--warmup <n>', 'linear warm-up steps', intArg('--warmup', RANGES.nonNegative), 10)
        .option('--cosine', 'cosine decay to 0.1·lr after warm-up', false)
        .option('--weight-decay <x>', 'AdamW decoupled weight decay (2-D weights only)', numberArg('--weight-decay', { min: 0 }), 0.1)
        .option('--grad-clip <x>', 'global gradient-norm clip', numberArg('--grad-clip', { min: 0, exclusiveMin: true }), 1.0)
        .option('--threads <n>', 'CPU threads for the engine', intArg('--threads', RANGES.threads))
        .addOption(new Option('--device <device>', 'engine backend: cpu, cuda, or auto (CUDA when it loads and sees a GPU)').choices(['cpu', 'cuda', 'auto']).default('auto'))
        .option('--seed <s>', 'parameter init and data order seed', intArg('--seed', { min: 0, max: 0xffffffff }), 1)
        .option('--eval-every <n>', 'held-out loss every N steps (0: only at the end)', intArg('--eval-every', RANGES.nonNegative), 0)
        .option('--eval-sequences <n>', 'held-out sequences per evaluation (at most)', intArg('--eval-sequences', RANGES.positive), 32)
        .option('--save <dir>', 'write the trained model there as a checkpoint (new or empty folder; gradmesh export --from DIR reads it)')
        .action(async (flags) => {
        if (flags.save !== undefined)
            checkSaveDir(flags.save);
        if (flags.val !== undefined && flags.tokens !== undefined)
            throw new Error('--val goes with --data (a token file holds out its own last 10%)');
        const config = loadModelConfig(flags.model);
        const seqLen = flags.seq ?? config.max_position_embeddings;
        const engine = Engine.create(config, { batch: flags.batch, seqLen, threads: flags.threads, device: flags.device });
        const datasets = [];
        const open = (dir) => {
            const ds = openDataset(dir);
            datasets.push(ds);
            return ds;
        };
        try {
            engine.initParams(flags.seed);
            let source;
            let what;
            let heldOut = [];
            let heldOutFrom = '';
            const share = `${Math.round(HELD_OUT_SHARE * 100)}%`;
            if (flags.tokens) {
                const tokens = readTokenFile(flags.tokens);
                const split = splitHeldOut(tokens, seqLen, flags.evalSequences, flags.batch, config.vocab_size);
                heldOut = split.heldOut;
                heldOutFrom = `the last ${share} of the token file, not trained on`;
                source = windowBatchSource(split.train, flags.batch, seqLen, flags.seed, config.vocab_size);
                what = `${flags.tokens} (${tokens.length.toLocaleString('en-US')} tokens)`;
            }
            else {
                let dir = flags.data;
                let valDir = flags.val;
                if (!dir) {
                    process.stderr.write('preparing the built-in dataset (first run only)...\n');
                    const built = await ensureDefaultDataset();
                    dir = built.train;
                    valDir ??= built.val;
                    heldOutFrom = "the built-in dataset's validation split";
                }
                const ds = open(dir);
                const count = ds.sampleCount(seqLen);
                let trainCount = count;
                if (valDir !== undefined) {
                    const val = open(valDir);
                    heldOut = datasetHeldOut(val, 0, Math.min(flags.evalSequences, val.sampleCount(seqLen)), flags.batch, seqLen);
                    heldOutFrom ||= `from ${valDir}`;
                }
                else {
                    const k = Math.min(flags.evalSequences, Math.floor(count * HELD_OUT_SHARE));
                    trainCount = count - k;
                    heldOut = datasetHeldOut(ds, trainCount, k, flags.batch, seqLen);
                    heldOutFrom = `the last ${share} of ${dir}'s samples, not trained on`;
                }
                source = datasetSource(ds, flags.batch, seqLen, flags.seed, trainCount);
                what = `${dir} (${ds.totalTokens.toLocaleString('en-US')} tokens)`;
            }
            const heldOutCount = heldOut.reduce((a, b) => a + b.n, 0);
            console.log(`training ${config.name} (${engine.numParams.toLocaleString('en-US')} params) on ${what}: ` +
                `${flags.steps} steps of ${flags.batch}×${seqLen} tokens`);
            console.log(heldOutCount > 0
                ? `held out: ${heldOutCount} sequences of ${seqLen} tokens (${heldOutFrom})`
                : `held out: none (${share} of the data is shorter than one sequence of ${seqLen + 1} tokens): no held-out loss`);
            const progress = trainProgress(flags.steps);
            const abort = new AbortController();
            const onSigint = () => abort.abort();
            process.once('SIGINT', onSigint);
            let reports;
            try {
                reports = await trainLoop(engine, source, {
                    steps: flags.steps,
                    hparams: { lr: flags.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: flags.weightDecay, gradClip: flags.gradClip },
                    warmupSteps: flags.warmup,
                    cosine: flags.cosine,
                    signal: abort.signal,
                    ...(heldOutCount > 0 ? { evaluate: () => heldOutLossOf(engine, heldOut), evalEvery: flags.evalEvery } : {}),
                    onStep: (r) => progress.step(r),
                    onEval: (e) => progress.evaluated(e),
                });
            }
            finally {
                progress.stop();
                process.off('SIGINT', onSigint);
            }
            const last = reports[reports.length - 1];
            if (last) {
                const mean = reports.reduce((a, r) => a + r.tokensPerSecond, 0) / reports.length;
                console.log(`${reports.length < flags.steps ? 'stopped' : 'done'}: ${reports.length} steps, first loss ${reports[0].loss.toFixed(4)}, last loss ${last.loss.toFixed(4)}, ` +
                    `${last.heldOutLoss !== undefined ? `held-out loss ${last.heldOutLoss.toFixed(4)}, ` : ''}` +
                    `${Math.round(mean).toLocaleString('en-US')} tok/s on average, ${duration(last.elapsedMs)}`);
            }
            if (flags.save !== undefined) {
                if (!last) {
                    console.log(`nothing trained: ${flags.save} not written`);
                }
                else {
                    const path = await saveCheckpoint(flags.save, engine, {
                        config, steps: last.step, tokensSeen: last.step * flags.batch * seqLen,
                        ...(last.heldOutLoss !== undefined ? { heldOutLoss: last.heldOutLoss } : {}),
                        settings: {
                            data: flags.tokens ?? flags.data ?? 'default', seed: flags.seed, batch: flags.batch, seqLen, lr: flags.lr, warmup: flags.warmup,
                            cosine: flags.cosine, weightDecay: flags.weightDecay, gradClip: flags.gradClip, steps: last.step,
                        },
                    });
                    console.log(`saved ${path} (gradmesh export --from ${flags.save} --out DIR writes a Hugging Face folder of it)`);
                }
            }
        }
        finally {
            for (const ds of datasets)
                ds.close();
            engine.dispose();
        }
    });
}
//# sourceMappingURL=train.js.map