// `gradmesh train` as a real process: a small custom model on a token file; plain
// progress lines with an ETA when not on a terminal, a held-out loss (every
// --eval-every steps and at the end), and --save DIR, which `gradmesh export --from
// DIR` reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/train/model-config.js';
test('gradmesh train --tokens FILE prints a progress line per step and learns a repeating stream', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-train-cli-'));
    try {
        const model = join(dir, 'model.json');
        writeFileSync(model, JSON.stringify({
            name: 'cli-test', vocab_size: 16, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1,
            num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
            rope_theta: 10000, tie_word_embeddings: true,
        }));
        const tokens = Buffer.alloc(2 * 512);
        for (let i = 0; i < 512; i++)
            tokens.writeUInt16LE((i * 3) % 16, 2 * i);
        writeFileSync(join(dir, 'tokens.u16'), tokens);
        const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'gradmesh.js'), 'train', '--model', model,
            '--tokens', join(dir, 'tokens.u16'), '--steps', '40', '--batch', '2', '--seq', '8', '--lr', '0.01', '--warmup', '2',
            '--threads', '1'], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        const steps = r.stdout.split('\n').filter((l) => /^step +\d+\/40 +loss \d+\.\d+ +grad \S+ +lr \S+ +[\d,]+ tok\/s +ETA \d+(m\d\d)?s$/.test(l));
        assert.equal(steps.length, 40, r.stdout);
        const loss = (l) => Number(/loss (\S+)/.exec(l)[1]);
        assert.ok(loss(steps[39]) < loss(steps[0]) / 4, `${steps[0]} ... ${steps[39]}`);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
function cliModel(dir) {
    const model = join(dir, 'model.json');
    writeFileSync(model, JSON.stringify({
        name: 'cli-test', vocab_size: 16, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 1,
        num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
        rope_theta: 10000, tie_word_embeddings: true,
    }));
    const tokens = Buffer.alloc(2 * 512);
    for (let i = 0; i < 512; i++)
        tokens.writeUInt16LE((i * 3) % 16, 2 * i);
    writeFileSync(join(dir, 'tokens.u16'), tokens);
    return model;
}
test('gradmesh train --eval-every --save: held-out losses, then a checkpoint that gradmesh export --from reads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-train-cli-'));
    const CLI = join(repoRoot(), 'bin', 'gradmesh.js');
    try {
        const model = cliModel(dir);
        const args = ['train', '--model', model, '--tokens', join(dir, 'tokens.u16'), '--steps', '12', '--batch', '2', '--seq', '8',
            '--lr', '0.01', '--warmup', '2', '--threads', '1', '--eval-every', '5'];
        // A --save folder holding something else is refused before any training.
        const full = join(dir, 'full');
        mkdirSync(full);
        writeFileSync(join(full, 'notes.txt'), 'mine');
        const refused = spawnSync(process.execPath, [CLI, ...args, '--save', full], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(refused.status, 1);
        assert.match(refused.stderr, new RegExp(`--save ${full} is not empty`));
        assert.doesNotMatch(refused.stdout, /^step/m);
        assert.deepEqual(readdirSync(full), ['notes.txt']);
        const save = join(dir, 'run');
        const r = spawnSync(process.execPath, [CLI, ...args, '--save', save], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /held out: 5 sequences of 8 tokens \(the last 10% of the token file, not trained on\)/);
        const evals = [...r.stdout.matchAll(/^eval  step +(\d+)\/12  held-out loss (\d+\.\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
        assert.deepEqual(evals.map((e) => e[0]), [5, 10, 12], r.stdout);
        assert.ok(evals[2][1] < evals[0][1], `held-out loss goes down: ${JSON.stringify(evals)}`);
        assert.match(r.stdout, /done: 12 steps, first loss \d+\.\d+, last loss \d+\.\d+, held-out loss \d+\.\d+/);
        assert.match(r.stdout, new RegExp(`saved ${save}/ckpt-000000000012\\.safetensors`));
        assert.ok(existsSync(join(save, 'ckpt-000000000012.safetensors')));
        const out = join(dir, 'hf');
        const e = spawnSync(process.execPath, [CLI, 'export', '--from', save, '--out', out], { encoding: 'utf8', timeout: 60_000 });
        assert.equal(e.status, 0, e.stderr);
        const summary = JSON.parse(e.stdout.trim().split('\n').pop());
        assert.equal(summary.from, join(save, 'ckpt-000000000012.safetensors'));
        const card = readFileSync(join(out, 'README.md'), 'utf8');
        assert.match(card, /\| tokens seen \| 192 \|/); // 12 steps × 2 × 8
        assert.match(card, /\| training \| gradmesh train, one node: 12 steps \|/);
        assert.match(card, new RegExp(`\\| held-out loss \\| ${evals[2][1].toFixed(4)} \\|`));
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=train-cli.test.js.map