// `gradmesh train`: trains a model config on one node with a progress line.
// Data: --tokens FILE (flat uint16 or llm.c .bin), --data DIR (a prepared dataset),
// or by default the built-in dataset (built on first use).
import { Option, type Command } from 'commander';
import { intArg, numberArg, RANGES } from '../flags.js';
import { Engine, type EngineDevice } from '../../train/engine.js';
import { loadModelConfig } from '../../train/model-config.js';
import { readTokenFile } from '../../train/token-file.js';
import { trainLoop, windowBatchSource, type BatchSource, type StepReport } from '../../train/train-loop.js';
import { ensureDefaultDataset, makeBatch, openDataset, type Dataset } from '../../train/data/index.js';


interface TrainFlags {
  model: string; tokens?: string; data?: string; steps: number; batch: number; seq?: number; lr: number;
  warmup: number; cosine: boolean; weightDecay: number; gradClip: number; threads?: number; seed: number; device: EngineDevice;
}

function datasetSource(ds: Dataset, batch: number, seqLen: number, seed: number): BatchSource {
  const count = ds.sampleCount(seqLen);
  if (count < 1) throw new Error(`the dataset ${ds.dir} has no sample of ${seqLen + 1} tokens`);
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return () => makeBatch(ds, Array.from({ length: batch }, () => Math.floor(next() * count)), seqLen);
}

function progressLine(r: StepReport): string {
  return `step ${String(r.step).padStart(String(r.steps).length)}/${r.steps}  loss ${r.loss.toFixed(4)}  ` +
    `grad ${r.gradNorm.toFixed(3)}  lr ${r.lr.toExponential(2)}  ${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tok/s`;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model on one node (no network): a quick check of the engine and the data')
    .option('--model <name>', 'model config: tiny, small, 150m, 1b, 8b or a JSON file', 'tiny')
    .option('--tokens <file>', 'token file: flat little-endian uint16 or llm.c .bin')
    .option('--data <dir>', 'a dataset directory (gradmesh data prepare); default: the built-in dataset')
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
    .action(async (flags: TrainFlags) => {
      const config = loadModelConfig(flags.model);
      const seqLen = flags.seq ?? config.max_position_embeddings;
      const engine = Engine.create(config, { batch: flags.batch, seqLen, threads: flags.threads, device: flags.device });
      let dataset: Dataset | undefined;
      try {
        engine.initParams(flags.seed);
        let source: BatchSource;
        let what: string;
        if (flags.tokens) {
          const tokens = readTokenFile(flags.tokens);
          source = windowBatchSource(tokens, flags.batch, seqLen, flags.seed, config.vocab_size);
          what = `${flags.tokens} (${tokens.length.toLocaleString('en-US')} tokens)`;
        } else {
          let dir = flags.data;
          if (!dir) {
            process.stderr.write('preparing the built-in dataset (first run only)...\n');
            dir = (await ensureDefaultDataset()).train;
          }
          dataset = openDataset(dir);
          source = datasetSource(dataset, flags.batch, seqLen, flags.seed);
          what = `${dir} (${dataset.totalTokens.toLocaleString('en-US')} tokens)`;
        }
        console.log(`training ${config.name} (${engine.numParams.toLocaleString('en-US')} params) on ${what}: ` +
          `${flags.steps} steps of ${flags.batch}×${seqLen} tokens`);
        const tty = process.stdout.isTTY === true;
        const abort = new AbortController();
        const onSigint = (): void => abort.abort();
        process.once('SIGINT', onSigint);
        const reports = await trainLoop(engine, source, {
          steps: flags.steps,
          hparams: { lr: flags.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: flags.weightDecay, gradClip: flags.gradClip },
          warmupSteps: flags.warmup,
          cosine: flags.cosine,
          signal: abort.signal,
          onStep: (r) => {
            if (tty) process.stdout.write(`\r${progressLine(r)}\x1b[K`);
            else console.log(progressLine(r));
          },
        });
        process.off('SIGINT', onSigint);
        if (tty) process.stdout.write('\n');
        const last = reports[reports.length - 1];
        if (last) {
          const mean = reports.reduce((a, r) => a + r.tokensPerSecond, 0) / reports.length;
          console.log(`done: ${reports.length} steps, first loss ${reports[0]!.loss.toFixed(4)}, last loss ${last.loss.toFixed(4)}, ` +
            `${Math.round(mean).toLocaleString('en-US')} tok/s on average`);
        }
      } finally {
        dataset?.close();
        engine.dispose();
      }
    });
}
