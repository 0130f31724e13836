#!/usr/bin/env python3
"""Checks a `gradmesh export --reference` folder against Hugging Face transformers.

Loads the folder with transformers.LlamaForCausalLM.from_pretrained, runs it on the
tokens in reference_tokens.json, and compares its logits with reference_logits.bin,
which gradmesh's own engine wrote. Also checks that AutoTokenizer, built from the
exported GPT-2 tokenizer files, gives the same token ids.

Needs Python 3, numpy and PyTorch; transformers for the real check. Without
transformers, --dry-run checks the files (safetensors header, tensor names and
shapes implied by config.json, reference sizes) and compares the engine's logits with
a small float64 PyTorch implementation of LlamaForCausalLM written here, which runs
on any CPU.

usage: python3 bench/gpu/export_check.py DIR [--dry-run] [--tol 1e-4] [--device cuda|cpu]
Exit status 0 on PASS, 1 on FAIL, 2 on unusable input.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch


class Unusable(Exception):
    pass


def expected_layout(cfg):
    d = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * (d // heads)
    f = cfg["intermediate_size"]
    v = cfg["vocab_size"]
    out = [("model.embed_tokens.weight", [v, d])]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", [d]),
            (p + "self_attn.q_proj.weight", [d, d]),
            (p + "self_attn.k_proj.weight", [kv, d]),
            (p + "self_attn.v_proj.weight", [kv, d]),
            (p + "self_attn.o_proj.weight", [d, d]),
            (p + "post_attention_layernorm.weight", [d]),
            (p + "mlp.gate_proj.weight", [f, d]),
            (p + "mlp.up_proj.weight", [f, d]),
            (p + "mlp.down_proj.weight", [d, f]),
        ]
    out.append(("model.norm.weight", [d]))
    if not cfg.get("tie_word_embeddings", True):
        out.append(("lm_head.weight", [v, d]))
    return out


def read_safetensors(path):
    """Our own minimal reader (no safetensors package needed): header + fp32 tensors."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
        if len(head) < 8:
            raise Unusable(f"{path}: shorter than 8 bytes")
        (n,) = struct.unpack("<Q", head)
        if n > size - 8 or n > 100_000_000:
            raise Unusable(f"{path}: header length {n} does not fit a {size}-byte file")
        header = json.loads(fh.read(n).decode("utf-8"))
        data = fh.read()
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    covered = 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = e["data_offsets"]
        if begin != covered or end > len(data):
            raise Unusable(f"{path}: tensor {name} offsets {begin}..{end} do not tile the data")
        covered = end
        if e["dtype"] != "F32":
            raise Unusable(f"{path}: tensor {name} is {e['dtype']}, the export writes F32")
        arr = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=begin)
        if arr.size != math.prod(e["shape"]):
            raise Unusable(f"{path}: tensor {name} shape {e['shape']} does not match its bytes")
        tensors[name] = arr.reshape(e["shape"])
    if covered != len(data):
        raise Unusable(f"{path}: {len(data) - covered} bytes after the last tensor")
    return meta, tensors


def check_files(folder):
    """Returns (config, reference info, reference logits, tensors); raises Unusable on any problem."""
    need = ["config.json", "generation_config.json", "model.safetensors", "vocab.json", "merges.txt",
            "tokenizer_config.json", "special_tokens_map.json", "reference_tokens.json", "reference_logits.bin"]
    missing = [f for f in need if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        raise Unusable(f"missing files in {folder}: {', '.join(missing)} (export with --reference)")
    with open(os.path.join(folder, "config.json")) as fh:
        cfg = json.load(fh)
    if cfg.get("model_type") != "llama" or cfg.get("architectures") != ["LlamaForCausalLM"]:
        raise Unusable("config.json is not a LlamaForCausalLM config")
    meta, tensors = read_safetensors(os.path.join(folder, "model.safetensors"))
    if meta.get("format") != "pt":
        raise Unusable('model.safetensors metadata lacks format "pt" (transformers refuses it)')
    layout = expected_layout(cfg)
    names = [n for n, _ in layout]
    if sorted(names) != sorted(tensors):
        raise Unusable(f"tensor names differ from the config's: extra {sorted(set(tensors) - set(names))}, "
                       f"missing {sorted(set(names) - set(tensors))}")
    for n, shape in layout:
        if list(tensors[n].shape) != shape:
            raise Unusable(f"{n}: shape {list(tensors[n].shape)}, config implies {shape}")
    with open(os.path.join(folder, "reference_tokens.json")) as fh:
        ref = json.load(fh)
    shape = ref["shape"]
    if shape[2] != cfg["vocab_size"] or [len(ref["tokens"]), len(ref["tokens"][0])] != shape[:2]:
        raise Unusable(f"reference shape {shape} does not match tokens / vocab")
    logits = np.fromfile(os.path.join(folder, "reference_logits.bin"), dtype="<f4")
    if logits.size != math.prod(shape):
        raise Unusable(f"reference_logits.bin has {logits.size} floats, expected {math.prod(shape)}")
    with open(os.path.join(folder, "vocab.json")) as fh:
        vocab = json.load(fh)
    with open(os.path.join(folder, "merges.txt"), encoding="utf-8") as fh:
        merges = fh.read().split("\n")
    if len(vocab) != 50257 or merges[0] != "#version: 0.2" or merges[-1] != "" or len(merges) != 50002:
        raise Unusable(f"tokenizer files look wrong: {len(vocab)} vocab entries, {len(merges) - 2} merges")
    return cfg, ref, logits.reshape(shape), tensors


def minimal_llama_logits(cfg, tensors, tokens):
    """LlamaForCausalLM's forward (RMSNorm, rotate_half RoPE, GQA, SwiGLU) in float64."""
    W = {k: torch.from_numpy(v.astype(np.float64)) for k, v in tensors.items()}
    d, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps, theta = d // H, cfg["rms_norm_eps"], cfg.get("rope_theta", 10000.0)
    B, T = tokens.shape
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.outer(torch.arange(T, dtype=torch.float64), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos(), emb.sin()

    def rms(x, w):
        return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def rope(x):
        x1, x2 = x[..., : hd // 2], x[..., hd // 2:]
        return x * cos + torch.cat([-x2, x1], dim=-1) * sin

    mask = torch.full((T, T), float("-inf"), dtype=torch.float64).triu(1)
    x = W["model.embed_tokens.weight"][tokens]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms(x, W[p + "input_layernorm.weight"])
        q = (h @ W[p + "self_attn.q_proj.weight"].T).view(B, T, H, hd).transpose(1, 2)
        k = (h @ W[p + "self_attn.k_proj.weight"].T).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ W[p + "self_attn.v_proj.weight"].T).view(B, T, KV, hd).transpose(1, 2)
        q, k = rope(q), rope(k)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + mask, dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + o @ W[p + "self_attn.o_proj.weight"].T
        h = rms(x, W[p + "post_attention_layernorm.weight"])
        g = torch.nn.functional.silu(h @ W[p + "mlp.gate_proj.weight"].T)
        x = x + (g * (h @ W[p + "mlp.up_proj.weight"].T)) @ W[p + "mlp.down_proj.weight"].T
    x = rms(x, W["model.norm.weight"])
    head = W.get("lm_head.weight", W["model.embed_tokens.weight"])
    return (x @ head.T).numpy()


def transformers_logits(folder, tokens, device):
    import transformers

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        model = transformers.LlamaForCausalLM.from_pretrained(folder, torch_dtype=torch.float32, attn_implementation="eager")
    except TypeError:
        model = transformers.LlamaForCausalLM.from_pretrained(folder, torch_dtype=torch.float32)
    model = model.to(device).eval()
    # Tied export: lm_head must be the embedding itself, not a fresh random matrix.
    if model.config.tie_word_embeddings:
        same = model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
        print(f"lm_head tied to embed_tokens: {same}")
        if not same:
            return None, "lm_head is not tied to embed_tokens"
    with torch.no_grad():
        out = model(torch.tensor(tokens, dtype=torch.long, device=device)).logits
    return out.float().cpu().numpy(), None


def tokenizer_check(folder, ref):
    from transformers import AutoTokenizer

    problems = []
    for kind, use_fast in (("slow", False), ("fast", True)):
        try:
            tok = AutoTokenizer.from_pretrained(folder, use_fast=use_fast)
        except Exception as e:  # a missing optional dependency (tokenizers) is reported, not fatal
            print(f"tokenizer ({kind}): could not load ({e})")
            continue
        for text, ids in zip(ref["texts"], ref["tokens"]):
            got = tok(text, add_special_tokens=False)["input_ids"][: len(ids)]
            if got != ids:
                problems.append(f"{kind} tokenizer: {got[:8]}… vs engine input {ids[:8]}…")
        print(f"tokenizer ({kind}, {type(tok).__name__}): {'ok' if not problems else 'MISMATCH'}")
    return problems


def compare(name, got, ref, tol):
    diff = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    scale = float(np.abs(ref).max()) or 1.0
    max_abs = float(diff.max())
    max_rel = max_abs / scale
    argmax_agree = float((got.argmax(-1) == ref.argmax(-1)).mean())
    ok = bool(np.isfinite(got).all()) and max_rel < tol
    print(f"{name}: max abs diff {max_abs:.3e}, max rel diff (to max |ref| {scale:.3e}) {max_rel:.3e}, "
          f"argmax agreement {argmax_agree:.4f}, tol {tol:g}: {'ok' if ok else 'MISMATCH'}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--dry-run", action="store_true", help="no transformers: check files and a float64 torch Llama")
    ap.add_argument("--tol", type=float, default=1e-4, help="max |diff| / max |ref| allowed")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    try:
        cfg, ref, ref_logits, tensors = check_files(args.dir)
    except (Unusable, KeyError, ValueError, OSError) as e:
        print(f"export_check: unusable export: {e}")
        print("FAIL")
        return 2
    print(f"files ok: {len(tensors)} tensors, reference {ref['shape']}, torch {torch.__version__}, device {args.device}")
    tokens = np.array(ref["tokens"], dtype=np.int64)
    ok = compare("float64 torch Llama vs engine", minimal_llama_logits(cfg, tensors, torch.from_numpy(tokens)), ref_logits, args.tol)
    if not args.dry_run:
        import transformers

        print(f"transformers {transformers.__version__}")
        got, problem = transformers_logits(args.dir, tokens, args.device)
        if problem:
            print(problem)
            ok = False
        else:
            ok = compare("transformers LlamaForCausalLM vs engine", got, ref_logits, args.tol) and ok
        problems = tokenizer_check(args.dir, ref)
        for p in problems:
            print(p)
        ok = ok and not problems
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
