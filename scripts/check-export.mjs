#!/usr/bin/env node
// The held-out check of an export: loads a Hugging Face folder written by
// `gradmesh export --reference` with a LLaMA written here in plain float64 JavaScript —
// its own safetensors reader, its own forward pass in transformers' LlamaForCausalLM
// conventions (RMSNorm, rotate-half RoPE, grouped-query causal attention, SwiGLU), and
// no code shared with gradmesh's engine or its TypeScript — runs the two reference
// sentences the export carries and compares the logits with the engine's
// (reference_logits.bin). Where PyTorch exists, bench/gpu/export_check.py does the same
// with transformers itself; this one needs only Node.
//
//   node scripts/check-export.mjs DIR [--tolerance 1e-4]
//
// Prints the differences and PASS/FAIL, then one JSON line; exit 0 on PASS, 1 on FAIL,
// 2 when the folder is not a usable export (the reason is named).
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function fail(msg) {
  process.stderr.write(`check-export: ${msg}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const tolIdx = args.indexOf('--tolerance');
const tolerance = tolIdx >= 0 ? Number(args[tolIdx + 1]) : 1e-4;
if (!dir) fail('usage: node scripts/check-export.mjs DIR [--tolerance 1e-4]');
if (!(tolerance > 0)) fail('--tolerance must be a positive number');
for (const f of ['config.json', 'model.safetensors', 'reference_tokens.json', 'reference_logits.bin']) {
  if (!existsSync(join(dir, f))) fail(`${join(dir, f)} is missing${f.startsWith('reference') ? ' (export with --reference)' : ''}`);
}

const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
if (cfg.model_type !== 'llama') fail(`config.json model_type is ${JSON.stringify(cfg.model_type)}, not "llama"`);

// ---- safetensors: 8-byte LE header length, JSON header, then raw little-endian tensors
function bf16(u16) {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, u16 << 16, true);
  return b.getFloat32(0, true);
}
function f16(u16) {
  const s = u16 & 0x8000 ? -1 : 1, e = (u16 >> 10) & 0x1f, m = u16 & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
const file = readFileSync(join(dir, 'model.safetensors'));
const headerLen = Number(file.readBigUInt64LE(0));
if (headerLen > file.length - 8) fail(`model.safetensors: header length ${headerLen} exceeds the file (${file.length} bytes)`);
const header = JSON.parse(file.subarray(8, 8 + headerLen).toString('utf8'));
const base = 8 + headerLen;
function tensor(name, shape) {
  const t = header[name];
  if (!t) fail(`model.safetensors has no tensor ${name}`);
  if (JSON.stringify(t.shape) !== JSON.stringify(shape)) fail(`${name}: shape ${JSON.stringify(t.shape)}, config.json implies ${JSON.stringify(shape)}`);
  const [a, b] = t.data_offsets;
  const bytes = file.subarray(base + a, base + b);
  const n = shape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(n);
  if (t.dtype === 'F32') for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE(i * 4);
  else if (t.dtype === 'BF16') for (let i = 0; i < n; i++) out[i] = bf16(bytes.readUInt16LE(i * 2));
  else if (t.dtype === 'F16') for (let i = 0; i < n; i++) out[i] = f16(bytes.readUInt16LE(i * 2));
  else fail(`${name}: dtype ${t.dtype} not supported here`);
  return out;
}

const d = cfg.hidden_size, H = cfg.num_attention_heads, KV = cfg.num_key_value_heads ?? H;
const hd = cfg.head_dim ?? d / H, f = cfg.intermediate_size, V = cfg.vocab_size, L = cfg.num_hidden_layers;
const eps = cfg.rms_norm_eps, theta = cfg.rope_theta ?? 10000;
const tied = cfg.tie_word_embeddings === true; // transformers' LlamaConfig default is false
const emb = tensor('model.embed_tokens.weight', [V, d]);
const layers = Array.from({ length: L }, (_, i) => {
  const p = `model.layers.${i}.`;
  return {
    ln1: tensor(`${p}input_layernorm.weight`, [d]),
    q: tensor(`${p}self_attn.q_proj.weight`, [H * hd, d]),
    k: tensor(`${p}self_attn.k_proj.weight`, [KV * hd, d]),
    v: tensor(`${p}self_attn.v_proj.weight`, [KV * hd, d]),
    o: tensor(`${p}self_attn.o_proj.weight`, [d, H * hd]),
    ln2: tensor(`${p}post_attention_layernorm.weight`, [d]),
    gate: tensor(`${p}mlp.gate_proj.weight`, [f, d]),
    up: tensor(`${p}mlp.up_proj.weight`, [f, d]),
    down: tensor(`${p}mlp.down_proj.weight`, [d, f]),
  };
});
const normF = tensor('model.norm.weight', [d]);
const head = tied ? emb : tensor('lm_head.weight', [V, d]);

// ---- the forward pass, float64, one sequence at a time
const matvec = (W, x, rows, cols) => {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const o = r * cols;
    for (let c = 0; c < cols; c++) s += W[o + c] * x[c];
    y[r] = s;
  }
  return y;
};
const rms = (x, w) => {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, j) => w[j] * v * r);
};
// transformers' rotate_half: pairs (j, j + hd/2), frequency theta^(-2j/hd)
const rope = (vec, heads, t) => {
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      const a = t * theta ** ((-2 * j) / hd);
      const c = Math.cos(a), s = Math.sin(a);
      const i1 = h * hd + j, i2 = i1 + half;
      const x1 = vec[i1], x2 = vec[i2];
      vec[i1] = x1 * c - x2 * s;
      vec[i2] = x2 * c + x1 * s;
    }
  }
};
function logits(tokens) {
  const T = tokens.length;
  let xs = tokens.map((id) => {
    if (!Number.isInteger(id) || id < 0 || id >= V) fail(`reference token ${id} is outside the vocabulary (${V})`);
    return emb.slice(id * d, (id + 1) * d);
  });
  for (const l of layers) {
    const hn = xs.map((x) => rms(x, l.ln1));
    const q = hn.map((x, t) => { const y = matvec(l.q, x, H * hd, d); rope(y, H, t); return y; });
    const k = hn.map((x, t) => { const y = matvec(l.k, x, KV * hd, d); rope(y, KV, t); return y; });
    const v = hn.map((x) => matvec(l.v, x, KV * hd, d));
    xs = xs.map((x, t) => {
      const att = new Float64Array(H * hd);
      for (let h = 0; h < H; h++) {
        const kvh = Math.floor(h / (H / KV));
        const sc = new Float64Array(t + 1);
        let mx = -Infinity;
        for (let u = 0; u <= t; u++) {
          let s = 0;
          for (let j = 0; j < hd; j++) s += q[t][h * hd + j] * k[u][kvh * hd + j];
          sc[u] = s / Math.sqrt(hd);
          mx = Math.max(mx, sc[u]);
        }
        let z = 0;
        for (let u = 0; u <= t; u++) z += (sc[u] = Math.exp(sc[u] - mx));
        for (let u = 0; u <= t; u++) for (let j = 0; j < hd; j++) att[h * hd + j] += (sc[u] / z) * v[u][kvh * hd + j];
      }
      const o = matvec(l.o, att, d, H * hd);
      const x1 = x.map((a, j) => a + o[j]);
      const n2 = rms(x1, l.ln2);
      const g = matvec(l.gate, n2, f, d), u = matvec(l.up, n2, f, d);
      const m = g.map((a, j) => (a / (1 + Math.exp(-a))) * u[j]);
      const dn = matvec(l.down, m, d, f);
      return x1.map((a, j) => a + dn[j]);
    });
    void T;
  }
  return xs.map((x) => matvec(head, rms(x, normF), V, d));
}

const ref = JSON.parse(readFileSync(join(dir, 'reference_tokens.json'), 'utf8'));
const [B, T, RV] = ref.shape;
if (RV !== V) fail(`reference_logits.bin is for a vocabulary of ${RV}, config.json says ${V}`);
const rawLogits = readFileSync(join(dir, 'reference_logits.bin'));
if (rawLogits.length !== B * T * V * 4) fail(`reference_logits.bin holds ${rawLogits.length} bytes; [${B}, ${T}, ${V}] fp32 needs ${B * T * V * 4}`);
const started = Date.now();
let maxAbs = 0, maxDiff = 0, argmaxAgree = 0;
for (let b = 0; b < B; b++) {
  const out = logits(ref.tokens[b]);
  for (let t = 0; t < T; t++) {
    let am = 0, bm = 0;
    for (let i = 0; i < V; i++) {
      const engine = rawLogits.readFloatLE(((b * T + t) * V + i) * 4);
      const mine = out[t][i];
      maxAbs = Math.max(maxAbs, Math.abs(mine));
      maxDiff = Math.max(maxDiff, Math.abs(mine - engine));
      if (mine > out[t][am]) am = i;
      if (engine > rawLogits.readFloatLE(((b * T + t) * V + bm) * 4)) bm = i;
    }
    if (am === bm) argmaxAgree++;
  }
}
const rel = maxDiff / Math.max(maxAbs, 1e-30);
const pass = rel <= tolerance && argmaxAgree === B * T;
console.log(`export ${dir}: ${L} layers, hidden ${d}, vocab ${V}, ${tied ? 'tied' : 'untied'} lm_head, ${Object.keys(header).filter((k) => k !== '__metadata__').length} tensors`);
console.log(`float64 reference vs the engine's logits on ${B}×${T} tokens: max |diff| ${maxDiff.toExponential(3)}, relative ${rel.toExponential(3)} (tolerance ${tolerance}), argmax agrees ${argmaxAgree}/${B * T} · ${Date.now() - started} ms`);
console.log(pass ? 'PASS' : 'FAIL');
console.log(JSON.stringify({ dir, pass, max_abs_diff: maxDiff, max_rel_diff: rel, argmax_agree: argmaxAgree, positions: B * T, tolerance }));
process.exit(pass ? 0 : 1);
