#!/usr/bin/env python3
"""PyTorch side of the CUDA engine checks (no Node, no network, no transformers).

  torch_llama.py ref FIXTURE... [--device cpu|cuda] [--tol 1e-2]
      Reads fixtures written by `gm_engine_check --dump DIR` (the tiny model's params,
      tokens, and the loss + gradients of each backend that ran), recomputes loss and
      gradients with a float64 PyTorch LLaMA (HF LlamaForCausalLM math, written here)
      and compares every backend with it: loss relative error and gradients' relative
      L2 error (all, and the worst tensor) within --tol; NaN never passes. On cuda it
      also reports a bf16-autocast PyTorch run against the float64 one, for scale.
      Prints PASS / FAIL; exit 0 / 1.

  torch_llama.py bench --model config/models/150m.json --batch B --seq T [--compile]
      [--steps N] [--warmup N] [--peak-tflops 989]
      Training-step throughput of the same LLaMA shapes in PyTorch: fp32 master
      weights, bf16 autocast, SDPA causal attention, fused AdamW, grad clip 1.0.
      Prints one JSON line (same FLOP formula as gm_engine_bench).
"""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F


# ---------------------------------------------------------------- fixtures
def read_fixture(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"GMFIX001":
        raise ValueError(f"{path}: not a gradmesh fixture")
    off = 8
    hdr = struct.unpack_from("<10q", data, off)
    off += 80
    eps, theta = struct.unpack_from("<2d", data, off)
    off += 16
    V, d, f, L, H, KV, tied, B, T, total = hdr
    shape = dict(vocab=V, dim=d, ffn=f, layers=L, heads=H, kv_heads=KV, tied=bool(tied), eps=eps, theta=theta)

    def take(fmt_char, count):
        nonlocal off
        size = struct.calcsize("<" + fmt_char) * count
        t = torch.frombuffer(bytearray(data[off:off + size]), dtype={"i": torch.int32, "f": torch.float32}[fmt_char])
        off += size
        return t

    inputs = take("i", B * T).view(B, T).long()
    targets = take("i", B * T).view(B, T).long()
    params = take("f", total)
    results = {}
    while True:
        (tag,) = struct.unpack_from("<q", data, off)
        off += 8
        if tag == 0:
            break
        (loss,) = struct.unpack_from("<d", data, off)
        off += 8
        results[{1: "cpu", 2: "cuda", 3: "cuda-flash"}.get(tag, f"tag{tag}")] = (loss, take("f", total))
    return shape, inputs, targets, params, results


def layout(s):
    """(name, numel, shape) in the canonical order of parameterLayout()."""
    V, d, f, L = s["vocab"], s["dim"], s["ffn"], s["layers"]
    kv = s["kv_heads"] * (d // s["heads"])
    out = [("embed", V * d, (V, d))]
    for l in range(L):
        out += [(f"{l}.attn_norm", d, (d,)), (f"{l}.wq", d * d, (d, d)), (f"{l}.wk", kv * d, (kv, d)),
                (f"{l}.wv", kv * d, (kv, d)), (f"{l}.wo", d * d, (d, d)), (f"{l}.mlp_norm", d, (d,)),
                (f"{l}.wgate", f * d, (f, d)), (f"{l}.wup", f * d, (f, d)), (f"{l}.wdown", d * f, (d, f))]
    out.append(("final_norm", d, (d,)))
    if not s["tied"]:
        out.append(("lm_head", V * d, (V, d)))
    return out


def views(flat, s):
    p, off = {}, 0
    for name, n, shp in layout(s):
        p[name] = flat[off:off + n].view(*shp)
        off += n
    if s["tied"]:
        p["lm_head"] = p["embed"]
    return p


def rope_tables(T, hd, theta, dtype, device):
    half = hd // 2
    inv = 1.0 / (theta ** (torch.arange(half, dtype=torch.float64) * 2 / hd))
    ang = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = torch.cos(ang).float(), torch.sin(ang).float()  # rounded once to fp32, as the engine
    cos = torch.cat([cos, cos], -1).to(dtype=dtype, device=device)
    sin = torch.cat([sin, sin], -1).to(dtype=dtype, device=device)
    return cos, sin


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], -1)


def rmsnorm(x, w, eps):
    xf = x.float() if x.dtype != torch.float64 else x
    y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
    return w * y.to(x.dtype)


def functional_loss(p, s, inputs, targets):
    """HF LlamaForCausalLM forward with explicit causal softmax (works on torch 1.13)."""
    B, T = inputs.shape
    d, H, KV = s["dim"], s["heads"], s["kv_heads"]
    hd = d // H
    rep = H // KV
    dtype = p["embed"].dtype
    cos, sin = rope_tables(T, hd, s["theta"], dtype, inputs.device)
    mask = torch.ones(T, T, dtype=torch.bool, device=inputs.device).triu(1)
    x = p["embed"][inputs]
    for l in range(s["layers"]):
        h = rmsnorm(x, p[f"{l}.attn_norm"], s["eps"])
        q = (h @ p[f"{l}.wq"].t()).view(B, T, H, hd).transpose(1, 2)
        k = (h @ p[f"{l}.wk"].t()).view(B, T, KV, hd).transpose(1, 2)
        v = (h @ p[f"{l}.wv"].t()).view(B, T, KV, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + o @ p[f"{l}.wo"].t()
        h = rmsnorm(x, p[f"{l}.mlp_norm"], s["eps"])
        x = x + (F.silu(h @ p[f"{l}.wgate"].t()) * (h @ p[f"{l}.wup"].t())) @ p[f"{l}.wdown"].t()
    h = rmsnorm(x, p["final_norm"], s["eps"])
    logits = h @ p["lm_head"].t()
    return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), targets.view(-1), ignore_index=-100)


def rel_l2(a, b):
    a, b = a.double(), b.double()
    num = (a - b).norm().item()
    den = b.norm().item()
    return num / den if den > 0 else num


def cmd_ref(args):
    device = torch.device(args.device)
    failed = 0
    for path in args.fixtures:
        s, inputs, targets, params, results = read_fixture(path)
        flat = params.double().to(device).requires_grad_(True)
        loss = functional_loss(views(flat, s), s, inputs.to(device), targets.to(device))
        loss.backward()
        ref_loss, ref_grad = loss.item(), flat.grad.detach().cpu()
        print(f"{path}: float64 torch loss {ref_loss:.6f} ({args.device})")
        if not math.isfinite(ref_loss):
            print("  FAIL reference loss is not finite")
            failed += 1
        names = layout(s)
        for backend, (bl, bg) in results.items():
            lerr = abs(bl - ref_loss) / abs(ref_loss)
            gerr = rel_l2(bg, ref_grad)
            worst, worst_name, off = 0.0, "", 0
            for name, n, _ in names:
                e = rel_l2(bg[off:off + n], ref_grad[off:off + n])
                if not math.isfinite(e) or e > worst:
                    worst, worst_name = e, name
                off += n
            finite = math.isfinite(bl) and bool(torch.isfinite(bg).all())
            ok = finite and lerr <= args.tol and gerr <= args.tol and worst <= 3 * args.tol
            failed += 0 if ok else 1
            print(f"  {'ok  ' if ok else 'FAIL'} {backend}: loss {bl:.6f} rel err {lerr:.2e}; grads rel L2 {gerr:.2e}, "
                  f"worst {worst_name} {worst:.2e}")
        if device.type == "cuda":  # scale of bf16 error in PyTorch itself, for context
            f32 = params.float().to(device).requires_grad_(True)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                l16 = functional_loss(views(f32, s), s, inputs.to(device), targets.to(device))
            l16.backward()
            print(f"  info torch bf16 autocast: loss rel err {abs(l16.item() - ref_loss) / abs(ref_loss):.2e}, "
                  f"grads rel L2 {rel_l2(f32.grad.cpu(), ref_grad):.2e}")
    print("PASS" if failed == 0 else f"FAIL ({failed})")
    return 0 if failed == 0 else 1


# ---------------------------------------------------------------- benchmark
class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        d, f, H, KV = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
        hd = d // H
        self.H, self.KV, self.hd, self.eps = H, KV, hd, c["rms_norm_eps"]
        self.attn_norm = torch.nn.Parameter(torch.ones(d))
        self.mlp_norm = torch.nn.Parameter(torch.ones(d))
        self.q = torch.nn.Linear(d, d, bias=False)
        self.k = torch.nn.Linear(d, KV * hd, bias=False)
        self.v = torch.nn.Linear(d, KV * hd, bias=False)
        self.o = torch.nn.Linear(d, d, bias=False)
        self.gate = torch.nn.Linear(d, f, bias=False)
        self.up = torch.nn.Linear(d, f, bias=False)
        self.down = torch.nn.Linear(f, d, bias=False)

    def forward(self, x, cos, sin):
        B, T, d = x.shape
        h = rmsnorm(x, self.attn_norm, self.eps)
        q = self.q(h).view(B, T, self.H, self.hd).transpose(1, 2)
        k = self.k(h).view(B, T, self.KV, self.hd).transpose(1, 2)
        v = self.v(h).view(B, T, self.KV, self.hd).transpose(1, 2)
        # cos/sin are fp32: cast back so SDPA sees bf16 (flash kernel) under autocast.
        q = (q * cos + rotate_half(q) * sin).to(v.dtype)
        k = (k * cos + rotate_half(k) * sin).to(v.dtype)
        if self.KV != self.H:
            k = k.repeat_interleave(self.H // self.KV, dim=1)
            v = v.repeat_interleave(self.H // self.KV, dim=1)
        if hasattr(F, "scaled_dot_product_attention"):
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # torch < 2.0
            mask = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1)
            att = ((q @ k.transpose(-1, -2)) / math.sqrt(self.hd)).masked_fill(mask, float("-inf")).softmax(-1)
            o = att @ v
        x = x + self.o(o.transpose(1, 2).reshape(B, T, d))
        h = rmsnorm(x, self.mlp_norm, self.eps)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Llama(torch.nn.Module):
    def __init__(self, c, T):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.blocks = torch.nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.norm = torch.nn.Parameter(torch.ones(c["hidden_size"]))
        self.head = torch.nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        if c.get("tie_word_embeddings"):
            self.head.weight = self.embed.weight
        cos, sin = rope_tables(T, c["hidden_size"] // c["num_attention_heads"], c["rope_theta"], torch.float32, "cpu")
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, x, y):
        h = self.embed(x)
        for b in self.blocks:
            h = b(h, self.cos, self.sin)
        logits = self.head(rmsnorm(h, self.norm, self.c["rms_norm_eps"]))
        return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), y.view(-1))


def cmd_bench(args):
    c = json.load(open(args.model))
    if not torch.cuda.is_available():
        print(json.dumps({"error": "torch sees no CUDA device", "torch": torch.__version__}))
        return 3
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = True
    model = Llama(c, args.seq).to(dev)
    for p in model.parameters():
        if p.dim() >= 2:
            torch.nn.init.normal_(p, std=0.02)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=3e-4, betas=(0.9, 0.95), eps=1e-8,
                            **({"fused": True} if torch.__version__ >= "2" else {}))
    if args.compile and not hasattr(torch, "compile"):
        print(json.dumps({"error": "torch.compile needs torch >= 2.0", "torch": torch.__version__}))
        return 3
    fwd = torch.compile(model) if args.compile else model
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, c["vocab_size"], (args.batch, args.seq), generator=g).to(dev)
    y = torch.randint(0, c["vocab_size"], (args.batch, args.seq), generator=g).to(dev)

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = fwd(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(args.warmup):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    torch.cuda.synchronize()
    sec = (time.perf_counter() - t0) / args.steps
    d, f, V, L = c["hidden_size"], c["intermediate_size"], c["vocab_size"], c["num_hidden_layers"]
    kv = c["num_key_value_heads"] * (d // c["num_attention_heads"])
    B, T = args.batch, args.seq
    flops = 6.0 * B * T * (L * (2 * d * d + 2 * d * kv + 3 * d * f) + V * d) + 12.0 * L * B * T * T * d
    tflops = flops / sec / 1e12
    print(json.dumps({"impl": "torch-compile" if args.compile else "torch-eager", "model": args.model,
                      "device": torch.cuda.get_device_name(), "batch": B, "seq": T, "step_s": round(sec, 5),
                      "tokens_per_s": round(B * T / sec, 1), "tflops": round(tflops, 2),
                      "mfu": round(tflops / args.peak_tflops, 4), "loss": round(loss.item(), 4),
                      "torch": torch.__version__}))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("ref")
    r.add_argument("fixtures", nargs="+")
    r.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    r.add_argument("--tol", type=float, default=1e-2)
    b = sub.add_parser("bench")
    b.add_argument("--model", required=True)
    b.add_argument("--batch", type=int, default=8)
    b.add_argument("--seq", type=int, default=1024)
    b.add_argument("--steps", type=int, default=10)
    b.add_argument("--warmup", type=int, default=3)
    b.add_argument("--compile", action="store_true")
    b.add_argument("--peak-tflops", type=float, default=989.0)
    args = ap.parse_args()
    return cmd_ref(args) if args.cmd == "ref" else cmd_bench(args)


if __name__ == "__main__":
    sys.exit(main())
