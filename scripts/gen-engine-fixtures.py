#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures of the training engine (test/fixtures/engine/).

A small LLaMA written here in plain torch, exactly as Hugging Face's LlamaForCausalLM
computes it (RMSNorm, RoPE with rotate_half, grouped-query attention with a causal
mask, SwiGLU, final norm, tied or untied LM head), evaluated in float64 on parameters
that are float32 values. For each config the fixture holds the parameters (float32,
canonical layout of src/train/model-config.ts), inputs, targets (some -100), the
logits, the mean loss and the gradient of every parameter.

Run once with Debian's python3-torch (1.13): /usr/bin/python3 scripts/gen-engine-fixtures.py
CI never runs this; the tests read the committed JSON.
"""
import base64
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'engine')

CONFIGS = [
    dict(name='fd-untied', vocab_size=64, hidden_size=16, intermediate_size=40, num_hidden_layers=2,
         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8, rms_norm_eps=1e-6,
         rope_theta=500.0, tie_word_embeddings=False),
    dict(name='fd-tied', vocab_size=64, hidden_size=16, intermediate_size=40, num_hidden_layers=2,
         num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=8, rms_norm_eps=1e-5,
         rope_theta=10000.0, tie_word_embeddings=True),
]
BATCH, SEQ = 2, 8


def layout(c):
    d, f, V = c['hidden_size'], c['intermediate_size'], c['vocab_size']
    hd = d // c['num_attention_heads']
    kv = c['num_key_value_heads'] * hd
    specs = [('model.embed_tokens.weight', [V, d])]
    for l in range(c['num_hidden_layers']):
        p = f'model.layers.{l}'
        specs += [(f'{p}.input_layernorm.weight', [d]), (f'{p}.self_attn.q_proj.weight', [d, d]),
                  (f'{p}.self_attn.k_proj.weight', [kv, d]), (f'{p}.self_attn.v_proj.weight', [kv, d]),
                  (f'{p}.self_attn.o_proj.weight', [d, d]), (f'{p}.post_attention_layernorm.weight', [d]),
                  (f'{p}.mlp.gate_proj.weight', [f, d]), (f'{p}.mlp.up_proj.weight', [f, d]),
                  (f'{p}.mlp.down_proj.weight', [d, f])]
    specs.append(('model.norm.weight', [d]))
    if not c['tie_word_embeddings']:
        specs.append(('lm_head.weight', [V, d]))
    return specs


def rms_norm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(c, P, inputs):
    B, T = inputs.shape
    d, H, KV = c['hidden_size'], c['num_attention_heads'], c['num_key_value_heads']
    hd = d // H
    inv_freq = 1.0 / (c['rope_theta'] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x = P['model.embed_tokens.weight'][inputs]
    mask = torch.full((T, T), float('-inf'), dtype=torch.float64).triu(1)
    for l in range(c['num_hidden_layers']):
        p = f'model.layers.{l}'
        h = rms_norm(x, P[f'{p}.input_layernorm.weight'], c['rms_norm_eps'])
        q = (h @ P[f'{p}.self_attn.q_proj.weight'].T).view(B, T, H, hd).transpose(1, 2)
        k = (h @ P[f'{p}.self_attn.k_proj.weight'].T).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ P[f'{p}.self_attn.v_proj.weight'].T).view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)  # repeat_kv
        v = v.repeat_interleave(H // KV, dim=1)
        att = (q @ k.transpose(2, 3)) / math.sqrt(hd) + mask
        att = torch.softmax(att, dim=-1) @ v
        att = att.transpose(1, 2).reshape(B, T, d)
        x = x + att @ P[f'{p}.self_attn.o_proj.weight'].T
        h = rms_norm(x, P[f'{p}.post_attention_layernorm.weight'], c['rms_norm_eps'])
        g = h @ P[f'{p}.mlp.gate_proj.weight'].T
        u = h @ P[f'{p}.mlp.up_proj.weight'].T
        x = x + (torch.nn.functional.silu(g) * u) @ P[f'{p}.mlp.down_proj.weight'].T
    x = rms_norm(x, P['model.norm.weight'], c['rms_norm_eps'])
    head = P['model.embed_tokens.weight'] if c['tie_word_embeddings'] else P['lm_head.weight']
    return x @ head.T


def b64(t, dtype):
    return base64.b64encode(t.detach().contiguous().numpy().astype(dtype).tobytes()).decode()


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(20261126)
    for c in CONFIGS:
        specs = layout(c)
        P = {}
        for name, shape in specs:
            if len(shape) == 1:  # norm weights around 1, not exactly 1, so their gradients matter
                t = 1.0 + 0.2 * torch.randn(shape, generator=gen)
            else:  # larger than the 0.02 init so that attention and the head are far from uniform
                t = 0.3 * torch.randn(shape, generator=gen)
            P[name] = t.to(torch.float32).to(torch.float64).requires_grad_(True)
        inputs = torch.randint(0, c['vocab_size'], (BATCH, SEQ), generator=gen)
        targets = torch.randint(0, c['vocab_size'], (BATCH, SEQ), generator=gen)
        targets[0, 3] = -100
        targets[1, 0] = -100
        logits = forward(c, P, inputs)
        loss = torch.nn.functional.cross_entropy(logits.view(-1, c['vocab_size']), targets.view(-1), ignore_index=-100)
        loss.backward()
        per_seq = torch.nn.functional.cross_entropy(logits.view(-1, c['vocab_size']), targets.view(-1),
                                                    ignore_index=-100, reduction='none').view(BATCH, SEQ)
        valid = (targets != -100).to(torch.float64)
        per_seq = (per_seq * valid).sum(1) / valid.sum(1)
        flat = torch.cat([P[n].detach().view(-1) for n, _ in specs])
        out = dict(
            generator='scripts/gen-engine-fixtures.py (torch %s, float64 reference)' % torch.__version__,
            config=c, batch=BATCH, seqLen=SEQ,
            inputs=inputs.view(-1).tolist(), targets=targets.view(-1).tolist(),
            params_f32_b64=b64(flat, '<f4'),
            loss=loss.item(), per_seq_loss=per_seq.tolist(),
            logits_f64_b64=b64(logits.view(-1), '<f8'),
            grads={n: b64(P[n].grad.view(-1), '<f8') for n, _ in specs},
        )
        path = os.path.join(OUT, c['name'] + '.json')
        with open(path, 'w') as fh:
            json.dump(out, fh, indent=1)
        print(path, 'loss', loss.item())


if __name__ == '__main__':
    main()
