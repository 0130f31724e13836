#!/usr/bin/env bash
# The CUDA engine's one script for a lent GPU machine (nvcc, CMake, PyTorch with
# cuBLAS; no Node, no network). At most ~8 minutes: every stage has a time limit
# taken from what is left, prints PASS/FAIL/SKIP, and a failed stage never stops the
# script; it always ends with the table (also written to $OUT/gpu-results.md).
#   bash bench/gpu/run.sh            # from the repository root or anywhere
#   bash bench/gpu/run.sh --quick    # build, checks and the 150m rows only (~2 min), for a rerun
# Env: GM_SKIP="stage names" skips those stages.
# Env: GM_BUDGET_S (default 460), GM_BENCH_150M="BATCH SEQ" (16 1024),
#      GM_BENCH_1B="BATCH SEQ" (8 1024), GM_PEAK_TFLOPS (989 = H100 SXM / H200 dense bf16),
#      GM_CUBLAS_PATH (else found in PyTorch's install), PYTHON (python3).
set -u
cd "$(dirname "$0")/../.."
if [ "${1:-}" = "--quick" ]; then
  GM_SKIP="${GM_SKIP:-} ours_1b eager_1b compile_150m compile_1b"
fi
GM_SKIP=" ${GM_SKIP:-} "
ROOT="$(pwd)"
START=$(date +%s)
BUDGET="${GM_BUDGET_S:-460}"
PY="${PYTHON:-python3}"
BUILD="$ROOT/build-gpu"
RES="$BUILD/results"
mkdir -p "$RES"
: >"$RES/stages.txt"
: >"$RES/bench.jsonl"
PEAK="${GM_PEAK_TFLOPS:-989}"
read -r B150 T150 <<<"${GM_BENCH_150M:-16 1024}"
read -r B1B T1B <<<"${GM_BENCH_1B:-8 1024}"

left() { echo $((BUDGET - ($(date +%s) - START))); }
# stage NAME LIMIT_S CMD...: runs CMD with min(LIMIT, time left), logs to $RES/NAME.log.
stage() {
  local name="$1" limit="$2"; shift 2
  local rem; rem=$(left)
  if [[ "$GM_SKIP" == *" $name "* ]]; then
    echo "== $name: SKIP (GM_SKIP)"; echo "$name SKIP asked" >>"$RES/stages.txt"; return 1
  fi
  if [ "$rem" -lt 20 ]; then
    echo "== $name: SKIP (out of time budget)"; echo "$name SKIP budget" >>"$RES/stages.txt"; return 1
  fi
  [ "$limit" -gt "$rem" ] && limit=$rem
  echo "== $name (limit ${limit}s)"
  local t0; t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" >"$RES/$name.log" 2>&1
  local rc=$?
  tail -n 25 "$RES/$name.log"
  local verdict=PASS
  [ $rc -ne 0 ] && verdict="FAIL(rc=$rc$([ $rc = 124 ] && echo ',timeout'))"
  echo "== $name: $verdict ($(( $(date +%s) - t0 ))s)"
  echo "$name $verdict $(( $(date +%s) - t0 ))s" >>"$RES/stages.txt"
  return $rc
}

# nvcc is often installed but not on PATH.
if ! command -v nvcc >/dev/null 2>&1; then
  for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do [ -x "$d/nvcc" ] && export PATH="$d:$PATH" && break; done
fi
echo "gradmesh GPU run $(date -u +%FT%TZ)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: unavailable"
nvcc --version | tail -n 1
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name() if torch.cuda.is_available() else 'no device')"

# cuBLAS for the engine's run-time loader: PyTorch's own copy when the system has none.
if [ -z "${GM_CUBLAS_PATH:-}" ] && ! ldconfig -p 2>/dev/null | grep -q "libcublas.so"; then
  GM_CUBLAS_PATH="$("$PY" - <<'PYEOF' 2>/dev/null
import glob, os, site, sys
roots = []
# site.getsitepackages is missing in some virtualenvs: never let that stop the search.
for f in ("getsitepackages", "getusersitepackages"):
    try:
        r = getattr(site, f)(); roots += r if isinstance(r, list) else [r]
    except Exception:
        pass
try:
    import torch; roots.append(os.path.dirname(os.path.dirname(torch.__file__)))
except Exception:
    pass
for r in roots:
    # CUDA 12 wheels: nvidia/cublas/lib; CUDA 13 wheels put every library in nvidia/cu13/lib.
    for pat in ("nvidia/cublas/lib/libcublas.so*", "nvidia/cu13/lib/libcublas.so*", "torch/lib/libcublas.so*"):
        hits = sorted(glob.glob(os.path.join(r, pat)))
        if hits:
            print(os.path.dirname(hits[0])); sys.exit(0)
PYEOF
)"
  export GM_CUBLAS_PATH
  # libcublas needs libcublasLt (same folder) and, for some builds, the CUDA runtime.
  [ -n "$GM_CUBLAS_PATH" ] && export LD_LIBRARY_PATH="$GM_CUBLAS_PATH:$(dirname "$GM_CUBLAS_PATH")/../cuda_runtime/lib:${LD_LIBRARY_PATH:-}"
fi
echo "GM_CUBLAS_PATH=${GM_CUBLAS_PATH:-<system>}"

stage build 240 bash -c "cmake -S '$ROOT' -B '$BUILD' -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build '$BUILD' -j \$(nproc)"
BUILT=$?

if [ $BUILT = 0 ]; then
  rm -rf "$RES/fixtures"; mkdir -p "$RES/fixtures"
  stage check 90 "$BUILD/gm_engine_check" --require-cuda --dump "$RES/fixtures"
  stage compress_check 60 "$BUILD/gm_compress_check" --require-cuda
  stage flash_check 60 "$BUILD/gm_flash_check" --require-cuda
else
  echo "check SKIP no-build" >>"$RES/stages.txt"
fi
if ls "$RES/fixtures/"*.fix >/dev/null 2>&1; then
  stage torch_ref 90 "$PY" bench/gpu/torch_llama.py ref "$RES/fixtures/"*.fix
else
  echo "torch_ref SKIP no-fixtures" >>"$RES/stages.txt"
fi

bench_ours() {  # name model batch seq [--attention flash]
  local name="$1" model="$2" b="$3" t="$4"; shift 4
  [ $BUILT = 0 ] || { echo "$name SKIP no-build" >>"$RES/stages.txt"; return; }
  stage "$name" 90 "$BUILD/gm_engine_bench" --model "$model" --batch "$b" --seq "$t" --steps 8 --warmup 2 --peak-tflops "$PEAK" "$@" \
    && grep '^{' "$RES/$name.log" | tail -n 1 >>"$RES/bench.jsonl"
}
bench_torch() {  # name limit model batch seq [--compile]
  local name="$1" limit="$2" model="$3" b="$4" t="$5"; shift 5
  stage "$name" "$limit" "$PY" bench/gpu/torch_llama.py bench --model "$model" --batch "$b" --seq "$t" --steps 8 --warmup 3 \
    --peak-tflops "$PEAK" "$@" && grep '^{' "$RES/$name.log" | tail -n 1 >>"$RES/bench.jsonl"
}
bench_ours  ours_150m config/models/150m.json "$B150" "$T150" --attention gemm
bench_ours  ours_150m_flash config/models/150m.json "$B150" "$T150" --attention flash
bench_torch eager_150m 60 config/models/150m.json "$B150" "$T150"
bench_ours  ours_1b config/models/1b.json "$B1B" "$T1B"
bench_torch eager_1b 75 config/models/1b.json "$B1B" "$T1B"
bench_torch compile_150m 120 config/models/150m.json "$B150" "$T150" --compile
bench_torch compile_1b 150 config/models/1b.json "$B1B" "$T1B" --compile

# ---- the table
"$PY" - "$RES" <<'PYEOF' >"$RES/gpu-results.md"
import json, sys, os, datetime
res = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(res, "bench.jsonl")) if l.strip().startswith("{")]
rows = [r for r in rows if "tokens_per_s" in r]
stages = [l.split() for l in open(os.path.join(res, "stages.txt")) if l.strip()]
dev = next((r.get("device") for r in rows if r.get("device")), "?")
print(f"## gradmesh CUDA engine — {dev}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC\n")  # utcnow() warns on Python 3.12+
print("| stage | result |\n|---|---|")
for s in stages:
    print(f"| {s[0]} | {' '.join(s[1:])} |")
print("\n| impl | model | B×T | step s | tokens/s | TFLOP/s | MFU | vs eager |\n|---|---|---|---|---|---|---|---|")
eager = {os.path.basename(r["model"]): r["tokens_per_s"] for r in rows if r["impl"] == "torch-eager"}
for r in rows:
    m = os.path.basename(r["model"])
    rel = f"{r['tokens_per_s'] / eager[m]:.2f}×" if m in eager else "–"
    print(f"| {r['impl']} | {m.replace('.json', '')} | {r['batch']}×{r['seq']} | {r['step_s']:.4f} | "
          f"{r['tokens_per_s']:.0f} | {r['tflops']:.1f} | {100 * r['mfu']:.1f}% | {rel} |")
ph = [r for r in rows if "phase_ms" in r]
if ph:
    print("\n| gradmesh phases (ms, one step) | forward | classifier+loss | backward | clip+AdamW | total |\n|---|---|---|---|---|---|")
    for r in ph:
        p = r["phase_ms"]
        print(f"| {r['impl']} {os.path.basename(r['model']).replace('.json', '')} | {p['forward']:.1f} | {p['head']:.1f} | "
              f"{p['backward']:.1f} | {p['optimizer']:.1f} | {p['total']:.1f} |")
print("\nFLOPs per step = 6·B·T·(L·(2d²+2d·kv+3d·f)+V·d) + 12·L·B·T²·d for every row; MFU against the peak given.")
PYEOF
echo
cat "$RES/gpu-results.md"
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  # The device tool returns at most 8 files: the table, the raw lines and one archive of every stage log.
  cp "$RES/gpu-results.md" "$RES/bench.jsonl" "$RES/stages.txt" "$OUT/" 2>/dev/null
  tar -C "$RES" -czf "$OUT/stage-logs.tgz" $(cd "$RES" && ls *.log 2>/dev/null) 2>/dev/null
fi
echo "total $(( $(date +%s) - START ))s"
