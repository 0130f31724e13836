import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelConfig, parameterLayout, parameterCount, validateModelConfig, ModelConfigError } from '../src/train/model-config.js';
test('built-in configs load and have the expected sizes', () => {
    const small = loadModelConfig('small');
    const n = parameterCount(small);
    // ~30M parameters: embedding 50304*384 (tied) + 6 layers of attention and SwiGLU.
    assert.equal(n, 50304 * 384 + 6 * (2 * 384 + 4 * 384 * 384 + 3 * 384 * 1024) + 384);
    assert.ok(n > 29e6 && n < 31e6, `small has ${n} parameters`);
    const eight = loadModelConfig('8b');
    // LLaMA-3-8B has 8,030,261,248 parameters.
    assert.equal(parameterCount(eight), 8_030_261_248);
});
test('layout is contiguous, canonical and uses Hugging Face names', () => {
    const c = loadModelConfig('tiny');
    const l = parameterLayout(c);
    assert.equal(l[0].name, 'model.embed_tokens.weight');
    assert.equal(l[1].name, 'model.layers.0.input_layernorm.weight');
    assert.equal(l[3].name, 'model.layers.0.self_attn.k_proj.weight');
    assert.deepEqual(l[3].shape, [c.num_key_value_heads * (c.hidden_size / c.num_attention_heads), c.hidden_size]);
    let off = 0;
    for (const t of l) {
        assert.equal(t.offset, off);
        off += t.numel;
    }
    assert.equal(l[l.length - 1].name, 'model.norm.weight', 'tiny is tied: no lm_head');
});
test('a wrong config names the field', () => {
    const good = loadModelConfig('tiny');
    assert.throws(() => validateModelConfig({ ...good, hidden_size: 65 }), (e) => e instanceof ModelConfigError && /divisible/.test(e.message));
    assert.throws(() => validateModelConfig({ ...good, vocab_size: -1 }), /"vocab_size" must be a positive integer/);
    assert.throws(() => loadModelConfig('nope'), /unknown model "nope"/);
});
//# sourceMappingURL=model-config.test.js.map