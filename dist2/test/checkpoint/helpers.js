import { parameterCount } from '../../src/train/model-config.js';
/** Small enough for fast tests, with every tensor kind (untied head, GQA). */
export function smallModel(overrides = {}) {
    return {
        name: 'ckpt-test', vocab_size: 96, hidden_size: 16, intermediate_size: 40, num_hidden_layers: 2,
        num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 16, rms_norm_eps: 1e-5,
        rope_theta: 10000, tie_word_embeddings: false, ...overrides,
    };
}
/** Parameters from a fixed integer recipe (xorshift32), the same on every machine. */
export function deterministicParams(model, seed = 1) {
    const out = new Float32Array(parameterCount(model));
    let x = (seed * 2654435761) >>> 0 || 1;
    for (let i = 0; i < out.length; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        out[i] = (x / 2 ** 32 - 0.5) * 0.2;
    }
    return out;
}
export const RUN_A = 'a'.repeat(64);
export const RUN_B = 'b'.repeat(64);
export const MANIFEST = 'c'.repeat(64);
//# sourceMappingURL=helpers.js.map