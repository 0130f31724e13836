// `gradmesh train` as a real process: a small custom model on a token file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    for (let i = 0; i < 512; i++) tokens.writeUInt16LE((i * 3) % 16, 2 * i);
    writeFileSync(join(dir, 'tokens.u16'), tokens);
    const r = spawnSync(process.execPath, [join(repoRoot(), 'bin', 'gradmesh.js'), 'train', '--model', model,
      '--tokens', join(dir, 'tokens.u16'), '--steps', '40', '--batch', '2', '--seq', '8', '--lr', '0.01', '--warmup', '2',
      '--threads', '1'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const steps = r.stdout.split('\n').filter((l) => /^step +\d+\/40 +loss \d+\.\d+ +grad \S+ +lr \S+ +[\d,]+ tok\/s$/.test(l));
    assert.equal(steps.length, 40, r.stdout);
    const loss = (l: string): number => Number(/loss (\S+)/.exec(l)![1]);
    assert.ok(loss(steps[39]!) < loss(steps[0]!) / 4, `${steps[0]} ... ${steps[39]}`);

  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
