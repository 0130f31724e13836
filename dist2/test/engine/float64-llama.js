// A plain float64 LLaMA loss (the same definition as Hugging Face's LlamaForCausalLM),
// written with loops and no shared code with the engine, for finite differences.
import { headDim, parameterLayout } from '../../src/train/model-config.js';
export function float64Loss(c, params, inputs, targets, B, T) {
    const d = c.hidden_size, H = c.num_attention_heads, KV = c.num_key_value_heads, hd = headDim(c), f = c.intermediate_size;
    const V = c.vocab_size, rep = H / KV, eps = c.rms_norm_eps;
    const off = new Map(parameterLayout(c).map((s) => [s.name, s.offset]));
    const at = (name) => off.get(name);
    // y[out] = sum_i W[o, i] x[i] for W at offset w, shape [out, inDim]
    const linear = (x, w, out, inDim) => {
        const y = new Float64Array(out);
        for (let o = 0; o < out; o++) {
            let s = 0;
            for (let i = 0; i < inDim; i++)
                s += params[w + o * inDim + i] * x[i];
            y[o] = s;
        }
        return y;
    };
    const norm = (x, w) => {
        let ss = 0;
        for (const v of x)
            ss += v * v;
        const r = 1 / Math.sqrt(ss / x.length + eps);
        return x.map((v, j) => params[w + j] * v * r);
    };
    const rope = (v, nh, t) => {
        const half = hd / 2;
        for (let h = 0; h < nh; h++)
            for (let i = 0; i < half; i++) {
                const ang = t / Math.pow(c.rope_theta, (2 * i) / hd);
                const a = v[h * hd + i], b = v[h * hd + i + half];
                v[h * hd + i] = a * Math.cos(ang) - b * Math.sin(ang);
                v[h * hd + i + half] = b * Math.cos(ang) + a * Math.sin(ang);
            }
    };
    const headName = c.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    let total = 0;
    let count = 0;
    for (let b = 0; b < B; b++) {
        let xs = [];
        for (let t = 0; t < T; t++) {
            const tok = inputs[b * T + t];
            xs.push(Float64Array.from(params.subarray(at('model.embed_tokens.weight') + tok * d, at('model.embed_tokens.weight') + (tok + 1) * d)));
        }
        for (let l = 0; l < c.num_hidden_layers; l++) {
            const p = `model.layers.${l}`;
            const q = [], k = [], v = [];
            for (let t = 0; t < T; t++) {
                const h = norm(xs[t], at(`${p}.input_layernorm.weight`));
                q.push(linear(h, at(`${p}.self_attn.q_proj.weight`), d, d));
                k.push(linear(h, at(`${p}.self_attn.k_proj.weight`), KV * hd, d));
                v.push(linear(h, at(`${p}.self_attn.v_proj.weight`), KV * hd, d));
                rope(q[t], H, t);
                rope(k[t], KV, t);
            }
            const next = [];
            for (let t = 0; t < T; t++) {
                const att = new Float64Array(d);
                for (let h = 0; h < H; h++) {
                    const g = Math.floor(h / rep);
                    const s = [];
                    for (let u = 0; u <= t; u++) {
                        let dot = 0;
                        for (let i = 0; i < hd; i++)
                            dot += q[t][h * hd + i] * k[u][g * hd + i];
                        s.push(dot / Math.sqrt(hd));
                    }
                    const mx = Math.max(...s);
                    const e = s.map((z) => Math.exp(z - mx));
                    const sum = e.reduce((a, z) => a + z, 0);
                    for (let u = 0; u <= t; u++)
                        for (let i = 0; i < hd; i++)
                            att[h * hd + i] += (e[u] / sum) * v[u][g * hd + i];
                }
                const o = linear(att, at(`${p}.self_attn.o_proj.weight`), d, d);
                const x2 = xs[t].map((z, j) => z + o[j]);
                const h2 = norm(x2, at(`${p}.post_attention_layernorm.weight`));
                const gate = linear(h2, at(`${p}.mlp.gate_proj.weight`), f, d);
                const up = linear(h2, at(`${p}.mlp.up_proj.weight`), f, d);
                const act = gate.map((z, j) => (z / (1 + Math.exp(-z))) * up[j]);
                const down = linear(act, at(`${p}.mlp.down_proj.weight`), d, f);
                next.push(x2.map((z, j) => z + down[j]));
            }
            xs = next;
        }
        for (let t = 0; t < T; t++) {
            const target = targets[b * T + t];
            if (target === -100)
                continue;
            const logits = linear(norm(xs[t], at('model.norm.weight')), at(headName), V, d);
            const mx = Math.max(...logits);
            let sum = 0;
            for (const z of logits)
                sum += Math.exp(z - mx);
            total += Math.log(sum) + mx - logits[target];
            count++;
        }
    }
    return total / count;
}
//# sourceMappingURL=float64-llama.js.map