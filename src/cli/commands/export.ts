// `gradmesh export`: writes a Hugging Face LlamaForCausalLM folder from what a node
// or `gradmesh train --save` left on disk (a node's data directory, a state file, a
// checkpoint file or directory: see export-source.ts), verified before anything is
// written. Random weights only with --init (the bare command used to export an
// initialisation without saying so), and a non-empty folder only with --force.
import { Option, type Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  CheckpointError, writeHfExport, type CheckpointIdentity, type ModelCardInfo,
} from '../../train/checkpoint/index.js';
import { loadExportSource } from '../../node/export-source.js';
import { writeReferenceLogits } from '../../train/checkpoint/reference.js';
import { Engine } from '../../train/engine.js';
import { loadModelConfig, type ModelConfig } from '../../train/model-config.js';
import { intArg } from '../flags.js';

interface ExportFlags {
  out: string;
  from?: string;
  checkpoint?: string;
  init?: boolean;
  run?: string;
  model?: string;
  seed?: number;
  force?: boolean;
  reference?: boolean;
}

interface Source {
  model: ModelConfig;
  params: Float32Array;
  identity?: CheckpointIdentity;
  from: string;
  card: ModelCardInfo;
}

function fromInit(modelName: string, seed: number): Source {
  const model = loadModelConfig(modelName);
  const engine = Engine.create(model, { batch: 1, seqLen: 1 });
  try {
    engine.initParams(BigInt(seed));
    const from = `initParams(${seed}) of model ${modelName}`;
    return { model, params: Float32Array.from(engine.params), from, card: { from, untrained: true } };
  } finally {
    engine.dispose();
  }
}

/** Refuses an --out that would lose data: a file, or a folder with anything in it (unless --force). */
function checkOut(out: string, force: boolean, sourcePath?: string): void {
  const st = statSync(out, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) throw new CheckpointError('invalid_input', `--out ${out} is a file, not a folder`);
  if (sourcePath !== undefined && resolve(sourcePath) === resolve(out)) {
    throw new CheckpointError('invalid_input', `--out ${out} is the folder exported from; choose another`);
  }
  const entries = readdirSync(out);
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new CheckpointError('invalid_input', `--out ${out} is not empty (${shown}); pass --force to overwrite the export's files in it, or choose an empty folder`);
  }
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a Hugging Face LlamaForCausalLM folder (config, safetensors, GPT-2 tokenizer, model card) from a node or a checkpoint')
    .requiredOption('--out <dir>', 'output folder (new or empty; see --force)')
    .option('--from <path>', "a node's data directory (its state.bin or newest checkpoint), a state file, a checkpoint file or directory")
    .addOption(new Option('--checkpoint <path>', 'old name of --from').hideHelp())
    .option('--init', 'export the untrained initialisation of --model instead (random weights, for testing pipelines)')
    .option('--run <name|file>', "the run spec of a node state that is not of a built-in run (its runHash is checked)")
    .option('--model <name|file>', 'with --init: the model (default tiny); otherwise: the model a state or checkpoint must have')
    .option('--seed <n>', 'initialisation seed for --init', intArg('--seed', { min: 0 }))
    .option('--force', 'write into a folder that is not empty (files of the same names are replaced, others kept)')
    .option('--reference', 'also write reference_tokens.json and reference_logits.bin computed by the engine (for bench/gpu/export_check.py)')
    .action(async (f: ExportFlags) => {
      if (f.from !== undefined && f.checkpoint !== undefined) throw new CheckpointError('invalid_input', 'give --from or --checkpoint (its old name), not both');
      const fromPath = f.from ?? f.checkpoint;
      if (fromPath !== undefined && f.init) throw new CheckpointError('invalid_input', '--init exports an untrained model: it takes no --from');
      if (fromPath === undefined && !f.init) {
        throw new CheckpointError('invalid_input',
          "nothing to export: give --from with a node's data directory (e.g. ~/.gradmesh/<run>/<wallet>-<hotkey>), a state file or a checkpoint, " +
          'or --init to export the untrained initialisation of --model');
      }
      if (f.seed !== undefined && !f.init) throw new CheckpointError('invalid_input', '--seed is the initialisation seed of --init');
      checkOut(f.out, f.force === true, fromPath);
      let src: Source;
      if (fromPath !== undefined) {
        const s = loadExportSource(fromPath, { ...(f.run !== undefined ? { run: f.run } : {}), ...(f.model !== undefined ? { model: f.model } : {}) });
        for (const skipped of s.skipped) console.error(`gradmesh export: passed over ${skipped}`);
        src = {
          model: s.model, params: s.params, identity: s.identity, from: s.path,
          card: {
            from: s.path,
            ...(s.runName !== undefined ? { runName: s.runName } : {}),
            // A `gradmesh train` checkpoint's window is its step count, said as such.
            ...(s.trainSteps === undefined ? { window: s.identity.window } : { trainSteps: s.trainSteps }),
            ...(s.tokensSeen !== undefined ? { tokensSeen: s.tokensSeen } : {}),
            ...(s.innerSteps !== undefined ? { innerSteps: s.innerSteps } : {}),
            ...(s.heldOutLoss !== undefined ? { heldOutLoss: s.heldOutLoss } : {}),
          },
        };
      } else {
        src = fromInit(f.model ?? 'tiny', f.seed ?? 0);
      }
      const result = writeHfExport({ outDir: f.out, model: src.model, params: src.params, ...(src.identity ? { source: src.identity } : {}), card: src.card });
      const files = [...result.files];
      if (f.reference) {
        await writeReferenceLogits(f.out, src.model, src.params, { thetaHash: result.thetaHash });
        files.push('reference_tokens.json', 'reference_logits.bin');
      }
      if (src.model.vocab_size <= 50256) {
        console.error(`gradmesh export: model "${src.model.name}" has ${src.model.vocab_size} tokens, fewer than the GPT-2 tokenizer written with it (see README.md in ${f.out})`);
      }
      console.log(JSON.stringify({
        out: result.outDir, from: src.from, model: src.model.name, numParams: result.numParams,
        thetaHash: result.thetaHash, window: src.identity?.window ?? null, files,
      }));
    });
}
