// `gradmesh export`: writes a Hugging Face LlamaForCausalLM folder from a verified
// checkpoint (a file, or the newest valid one in a checkpoint directory), or from the
// deterministic initialisation of a named model when no checkpoint is given.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import {
  CheckpointError, CheckpointStore, decodeCheckpointFile, peekCheckpointFile, writeHfExport,
  type CheckpointIdentity,
} from '../../train/checkpoint/index.js';
import { writeReferenceLogits } from '../../train/checkpoint/reference.js';
import { Engine } from '../../train/engine.js';
import { loadModelConfig, parameterLayout, type ModelConfig } from '../../train/model-config.js';

interface ExportFlags {
  out: string;
  checkpoint?: string;
  model?: string;
  seed: string;
  reference?: boolean;
}

interface Source {
  model: ModelConfig;
  params: Float32Array;
  identity?: CheckpointIdentity;
  from: string;
}

function sameShape(a: ModelConfig, b: ModelConfig): boolean {
  const la = parameterLayout(a);
  const lb = parameterLayout(b);
  return la.length === lb.length && la.every((t, i) => t.name === lb[i]!.name && t.shape.join() === lb[i]!.shape.join());
}

function fromCheckpoint(path: string, modelName?: string): Source {
  const isDir = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  let file = path;
  if (isDir) {
    const latest = new CheckpointStore(path).latest();
    if (!latest) throw new CheckpointError('not_found', `no checkpoint in ${path}`);
    file = latest.path;
  }
  const model = peekCheckpointFile(file).model;
  if (modelName !== undefined && !sameShape(model, loadModelConfig(modelName))) {
    throw new CheckpointError('shape_mismatch', `${file} holds model "${model.name}", not the shape of --model ${modelName}`);
  }
  // Full verification: tensor set, shapes and thetaHash, before anything is written.
  const { meta, params } = decodeCheckpointFile(file, { layout: parameterLayout(model) });
  const { window, thetaHash, runHash, manifestDigest } = meta;
  return { model, params, identity: { window, thetaHash, runHash, manifestDigest }, from: file };
}

function fromInit(modelName: string, seedText: string): Source {
  if (!/^\d+$/.test(seedText)) throw new Error(`--seed must be a non-negative integer, got "${seedText}"`);
  const model = loadModelConfig(modelName);
  const engine = Engine.create(model, { batch: 1, seqLen: 1 });
  try {
    engine.initParams(BigInt(seedText));
    return { model, params: Float32Array.from(engine.params), from: `initParams(${seedText}) of model ${modelName}` };
  } finally {
    engine.dispose();
  }
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a Hugging Face LlamaForCausalLM folder (config, safetensors, GPT-2 tokenizer) from a checkpoint')
    .requiredOption('--out <dir>', 'output folder')
    .option('--checkpoint <file|dir>', 'checkpoint file, or a checkpoint directory (its newest checkpoint)')
    .option('--model <name|file>', 'model config (without --checkpoint: export its initial parameters)')
    .option('--seed <n>', 'initialisation seed when no checkpoint is given', '0')
    .option('--reference', 'also write reference_tokens.json and reference_logits.bin computed by the engine (for bench/gpu/export_check.py)')
    .action(async (f: ExportFlags) => {
      const src = f.checkpoint !== undefined ? fromCheckpoint(f.checkpoint, f.model) : fromInit(f.model ?? 'tiny', f.seed);
      const result = writeHfExport({ outDir: f.out, model: src.model, params: src.params, source: src.identity });
      const files = [...result.files];
      if (f.reference) {
        await writeReferenceLogits(f.out, src.model, src.params, { thetaHash: result.thetaHash });
        files.push('reference_tokens.json', 'reference_logits.bin');
      }
      console.log(JSON.stringify({
        out: result.outDir, from: src.from, model: src.model.name, numParams: result.numParams,
        thetaHash: result.thetaHash, window: src.identity?.window ?? null, files,
      }));
    });
}
