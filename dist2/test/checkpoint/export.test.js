// Hugging Face export: export → our own safetensors reader → the engine gives the
// same logits as the original engine; the CLI exports a verified checkpoint with
// reference logits, refuses a lying one, and (where /usr/bin/python3 has PyTorch)
// bench/gpu/export_check.py --dry-run passes on the export and fails on a damaged one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, encodeCheckpoint, importHfFolder, modelConfigFromHf, readSafetensors, writeHfExport, hfLlamaConfig, META_KEYS, } from '../../src/train/checkpoint/index.js';
import { referenceTokens } from '../../src/train/checkpoint/reference.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { Engine } from '../../src/train/engine.js';
import { loadModelConfig, parameterLayout, repoRoot } from '../../src/train/model-config.js';
import { deterministicParams, smallModel, RUN_A, MANIFEST } from './helpers.js';
const tiny = loadModelConfig('tiny');
async function engineLogits(model, params, tokens) {
    const engine = Engine.create(model, { batch: tokens.length, seqLen: tokens[0].length, threads: 1 });
    try {
        engine.params.set(params);
        return await engine.logits(Int32Array.from(tokens.flat()), tokens.length);
    }
    finally {
        engine.dispose();
    }
}
function withDir(fn) {
    const dir = mkdtempSync(join(tmpdir(), 'gm-export-'));
    return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}
test('export → our safetensors reader → the engine gives the same logits as the original engine', () => withDir(async (dir) => {
    const original = Engine.create(tiny, { batch: 2, seqLen: 16, threads: 1 });
    const tokens = referenceTokens(tiny);
    let before;
    let params;
    try {
        original.initParams(42);
        params = Float32Array.from(original.params);
        before = await original.logits(Int32Array.from(tokens.flat()), 2);
    }
    finally {
        original.dispose();
    }
    const result = writeHfExport({ outDir: dir, model: tiny, params });
    assert.equal(result.thetaHash, thetaHash(params));
    const view = readSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    assert.deepEqual(view.header.tensors.map((t) => t.name), parameterLayout(tiny).map((t) => t.name));
    assert.ok(!view.header.byName.has('lm_head.weight'), 'a tied model stores only the embedding');
    assert.equal(view.header.metadata.format, 'pt');
    const imported = importHfFolder(dir);
    assert.deepEqual(imported.model, { ...tiny, name: 'hf-import' });
    assert.deepEqual(imported.dtypes, ['F32']);
    assert.equal(thetaHash(imported.params), thetaHash(params));
    const after = await engineLogits(imported.model, imported.params, tokens);
    assert.deepEqual(after, before);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual(config.architectures, ['LlamaForCausalLM']);
    assert.equal(config.model_type, 'llama');
    assert.equal(config.hidden_act, 'silu');
    assert.equal(config.torch_dtype, 'float32');
    assert.equal(config.tie_word_embeddings, true);
    assert.equal(config.bos_token_id, 50256);
    assert.equal(config.eos_token_id, 50256);
    assert.equal(config.head_dim, 16);
    for (const f of ['generation_config.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
        assert.ok(existsSync(join(dir, f)), f);
    }
}));
test('an untied model exports lm_head and imports back bit for bit', () => withDir(async (dir) => {
    const model = smallModel();
    const params = deterministicParams(model, 3);
    writeHfExport({ outDir: dir, model, params });
    const imported = importHfFolder(dir, model.name);
    assert.deepEqual(imported.model, model);
    assert.deepEqual(imported.params, params);
    assert.deepEqual(modelConfigFromHf(hfLlamaConfig(model), model.name), model);
    assert.throws(() => modelConfigFromHf({ ...hfLlamaConfig(model), model_type: 'gpt2' }), /model_type/);
}));
const CLI = join(repoRoot(), 'bin', 'gradmesh.js');
const PYTHON = '/usr/bin/python3';
const CHECK = join(repoRoot(), 'bench', 'gpu', 'export_check.py');
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
test('gradmesh export --checkpoint --reference writes a verified export with the engine\'s reference logits', () => withDir(async (dir) => {
    const params = deterministicParams(tiny, 11);
    const ckpt = join(dir, 'ckpt.safetensors');
    const bytes = encodeCheckpoint({
        params, layout: parameterLayout(tiny), model: tiny,
        meta: { window: 12, thetaHash: thetaHash(params), runHash: RUN_A, manifestDigest: MANIFEST },
    });
    writeFileSync(ckpt, bytes);
    const out = join(dir, 'hf');
    const line = execFileSync(process.execPath, [CLI, 'export', '--out', out, '--checkpoint', ckpt, '--reference'], { encoding: 'utf8' });
    const summary = JSON.parse(line.trim().split('\n').pop());
    assert.equal(summary.thetaHash, thetaHash(params));
    assert.equal(summary.window, 12);
    const meta = readSafetensors(new Uint8Array(readFileSync(join(out, 'model.safetensors')))).header.metadata;
    assert.equal(meta[META_KEYS.window], '12');
    assert.equal(meta[META_KEYS.runHash], RUN_A);
    const ref = JSON.parse(readFileSync(join(out, 'reference_tokens.json'), 'utf8'));
    assert.deepEqual(ref.tokens, referenceTokens(tiny));
    assert.deepEqual(ref.shape, [2, 16, tiny.vocab_size]);
    const refLogits = new Float32Array(new Uint8Array(readFileSync(join(out, 'reference_logits.bin'))).buffer);
    // Same engine, same params, same tokens: equal up to summation order (the engine's
    // thread settings may differ between processes); wrong params or tokens differ by O(1).
    const mine = await engineLogits(tiny, params, ref.tokens);
    assert.equal(refLogits.length, mine.length);
    let maxAbs = 0;
    let maxDiff = 0;
    for (let i = 0; i < mine.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(mine[i]));
        maxDiff = Math.max(maxDiff, Math.abs(mine[i] - refLogits[i]));
    }
    assert.ok(maxDiff <= 1e-5 * maxAbs, `reference logits differ from the engine's by ${maxDiff} (max |logit| ${maxAbs})`);
    if (hasTorch) {
        const pass = spawnSync(PYTHON, [CHECK, out, '--dry-run'], { encoding: 'utf8' });
        assert.equal(pass.status, 0, pass.stdout + pass.stderr);
        assert.match(pass.stdout, /\nPASS\n$/);
        // One weight of the final norm changed in the export: the check must notice.
        const st = new Uint8Array(readFileSync(join(out, 'model.safetensors')));
        const view = readSafetensors(st);
        const norm = view.header.byName.get('model.norm.weight');
        new DataView(st.buffer, st.byteOffset).setFloat32(view.header.dataStart + norm.begin + 4 * 5, 1.5, true);
        writeFileSync(join(out, 'model.safetensors'), st);
        const fail = spawnSync(PYTHON, [CHECK, out, '--dry-run'], { encoding: 'utf8' });
        assert.equal(fail.status, 1, fail.stdout + fail.stderr);
        assert.match(fail.stdout, /MISMATCH[\s\S]*\nFAIL\n$/);
    }
    // A lying checkpoint (one weight changed, metadata kept) is refused and nothing is exported.
    const lying = bytes.slice();
    lying[lying.length - 5] ^= 0x10;
    writeFileSync(ckpt, lying);
    const refused = spawnSync(process.execPath, [CLI, 'export', '--out', join(dir, 'hf2'), '--checkpoint', ckpt], { encoding: 'utf8' });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /theta_mismatch/);
    assert.ok(!existsSync(join(dir, 'hf2', 'model.safetensors')));
}));
test('HF import follows transformers: no tie_word_embeddings key means untied (lm_head kept), pad_token_id honoured', () => withDir(async (dir) => {
    const model = smallModel(); // untied: model.safetensors holds lm_head.weight
    const params = deterministicParams(model, 5);
    writeHfExport({ outDir: dir, model, params });
    const configPath = join(dir, 'config.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    delete config.tie_word_embeddings;
    config.pad_token_id = 7;
    writeFileSync(configPath, JSON.stringify(config));
    const { tie_word_embeddings: _omit, ...withoutTie } = hfLlamaConfig(model);
    assert.equal(modelConfigFromHf(withoutTie).tie_word_embeddings, false, 'LlamaConfig defaults tie_word_embeddings to False');
    const imported = importHfFolder(dir, model.name);
    assert.equal(imported.model.tie_word_embeddings, false);
    assert.deepEqual(imported.params, params, 'lm_head.weight is imported, not dropped');
    assert.deepEqual(imported.specialTokens, { bos: model.vocab_size - 1, eos: model.vocab_size - 1, pad: 7 });
    // Re-exported, the imported special tokens are kept.
    const again = join(dir, 'again');
    writeHfExport({ outDir: again, model: imported.model, params: imported.params, specialTokens: imported.specialTokens });
    const reexported = JSON.parse(readFileSync(join(again, 'config.json'), 'utf8'));
    assert.equal(reexported.pad_token_id, 7);
    assert.equal(JSON.parse(readFileSync(join(again, 'generation_config.json'), 'utf8')).pad_token_id, 7);
    for (const bad of [model.vocab_size, -1, 1.5, 'x']) {
        assert.throws(() => modelConfigFromHf({ ...config, pad_token_id: bad }), /pad_token_id/);
        writeFileSync(configPath, JSON.stringify({ ...config, pad_token_id: bad }));
        assert.throws(() => importHfFolder(dir), (e) => e instanceof CheckpointError && /pad_token_id .* vocabulary of 96|pad_token_id .* must be/.test(e.message));
    }
    // Tied in config.json but no lm_head anywhere is fine; untied (by default) without one names the key.
    writeFileSync(configPath, JSON.stringify({ ...config, pad_token_id: null }));
    const tied = smallModel({ tie_word_embeddings: true });
    writeHfExport({ outDir: join(dir, 'tied'), model: tied, params: deterministicParams(tied, 2) });
    const tiedConfig = JSON.parse(readFileSync(join(dir, 'tied', 'config.json'), 'utf8'));
    delete tiedConfig.tie_word_embeddings;
    writeFileSync(join(dir, 'tied', 'config.json'), JSON.stringify(tiedConfig));
    assert.throws(() => importHfFolder(join(dir, 'tied')), /lacks "lm_head\.weight".*tie_word_embeddings/);
}));
//# sourceMappingURL=export.test.js.map