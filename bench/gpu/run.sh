#!/usr/bin/env bash
# The CUDA engine's one script for a lent GPU machine (nvcc, CMake, PyTorch with
# cuBLAS; no Node, no network). At most ~8 minutes: every stage has a time limit
# taken from what is left, prints PASS/FAIL/SKIP, and a failed stage never stops the
# script; it always ends with the table (also written to $OUT/gpu-results.md).
#   bash bench/gpu/run.sh            # from the repository root or anywhere
#   bash bench/gpu/run.sh --quick    # build, checks and the 150m rows only (~2 min), for a rerun
#   bash bench/gpu/run.sh --node     # gradmesh itself from the device bundle (.bundle/, built
#                                    # elsewhere by bench/gpu/bundle.sh and carried here): the
#                                    # CUDA addon, node_smoke, testnet_gpu; no checks or benches
# Env: GM_SKIP="stage names" skips those stages.
# Env (--node stages): GM_BUNDLE (default .bundle), GM_TESTNET_WINDOWS (default: what the
#      time left allows, 3..12), GM_TESTNET_MINERS (4), GM_TESTNET_PORT (29700),
#      GM_TESTNET_RUN (testnet-150m-gpu; testnet-tiny for a dry run of the stage on a CPU).
# Env: GM_BUDGET_S (default 460), GM_BENCH_150M="BATCH SEQ" (16 1024),
#      GM_BENCH_1B="BATCH SEQ" (8 1024), GM_PEAK_TFLOPS (989 = H100 SXM / H200 dense bf16),
#      GM_CUBLAS_PATH and GM_NCCL_PATH (else found in PyTorch's install), PYTHON (python3).
set -u
cd "$(dirname "$0")/../.."
if [ "${1:-}" = "--quick" ]; then
  GM_SKIP="${GM_SKIP:-} ours_1b eager_1b compile_150m compile_1b"
fi
if [ "${1:-}" = "--node" ]; then
  GM_SKIP="${GM_SKIP:-} build check compress_check flash_check nccl_1rank torch_ref ours_150m ours_150m_flash eager_150m ours_1b eager_1b compile_150m compile_1b"
  GM_BUDGET_S="${GM_BUDGET_S:-540}"
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

# libnccl.so.2 for the NCCL loader (parallel/nccl_loader.cc), likewise from PyTorch's
# install when the system has none.
if [ -z "${GM_NCCL_PATH:-}" ] && ! ldconfig -p 2>/dev/null | grep -q "libnccl.so"; then
  GM_NCCL_PATH="$("$PY" - <<'PYEOF' 2>/dev/null
import glob, os, site, sys
roots = []
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
    for pat in ("nvidia/nccl/lib/libnccl.so*", "nvidia/cu13/lib/libnccl.so*", "torch/lib/libnccl.so*"):
        hits = sorted(glob.glob(os.path.join(r, pat)))
        if hits:
            print(hits[0]); sys.exit(0)
PYEOF
)"
  export GM_NCCL_PATH
fi
echo "GM_NCCL_PATH=${GM_NCCL_PATH:-<system>}"

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

# nccl_1rank (issue 19): the NCCL backend with one rank (CudaModel::trainStepDataParallel:
# reduce-scatter + all-gather of the gradient through NCCL) against the plain engine on the
# same step (loss, gradient, update), and its tokens/s over the plain engine's (target
# >= 0.97). Without a GPU it SKIPs and says so; on a GPU a missing libnccl is a FAIL.
: >"$RES/nccl.jsonl"
if [ $BUILT != 0 ] || [ ! -x "$BUILD/gm_nccl_check" ]; then
  echo "nccl_1rank SKIP no-build" >>"$RES/stages.txt"; echo "== nccl_1rank: SKIP (not built)"
elif ! nvidia-smi -L 2>/dev/null | grep -q "^GPU "; then
  echo "nccl_1rank SKIP no-gpu" >>"$RES/stages.txt"; echo "== nccl_1rank: SKIP (no GPU: nvidia-smi lists none)"
else
  stage nccl_1rank 120 "$BUILD/gm_nccl_check" --model config/models/150m.json --batch "$B150" --seq "$T150" --steps 8 --warmup 2 --require-cuda
  grep '^{' "$RES/nccl_1rank.log" 2>/dev/null | tail -n 1 >>"$RES/nccl.jsonl"
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

# ---- gradmesh itself on the device, from the bundle (docs/cuda.md, "Device bundle").
# The bundle carries node (xz), the CLI, config, the tokenised dataset, the CPU addon and
# its libraries, and the headers to build the CUDA addon here. Every stage SKIPs without it.
BUNDLE="${GM_BUNDLE:-$ROOT/.bundle}"
export BUNDLE B150 T150 RES BUILD
: >"$RES/node-summary.md"
rm -f "$RES"/testnet-*.log "$RES/testnet_samples.json" "$RES/node_tiny.out" "$RES/node_smoke.log" "$RES/testnet_gpu.log"
have_nvcc() { command -v nvcc >/dev/null 2>&1; }
if [ ! -f "$BUNDLE/gradmesh" ] || [ ! -f "$BUNDLE/BUNDLE_ID" ]; then
  echo "== node stages: no bundle at $BUNDLE (build one with bench/gpu/bundle.sh and carry .bundle)"
  for s in bundle_unpack cuda_addon node_smoke testnet_gpu; do echo "$s SKIP no-bundle" >>"$RES/stages.txt"; done
else
  # Unpacks node + libraries (once), says which carried libraries it puts on LD_LIBRARY_PATH,
  # what the addons cannot resolve, and loads the CPU addon.
  stage bundle_unpack 60 bash "$BUNDLE/gradmesh" --bundle-info
  UNPACKED=$?

  # The CUDA addon, where the loader looks (<bundle>/build/cuda/gradmesh_cuda.node), with
  # Node's and node-addon-api's headers from the bundle; only the addon's targets.
  if [ $UNPACKED = 0 ] && have_nvcc && [ -f "$BUNDLE/include/node/node_api.h" ]; then
    stage cuda_addon 240 bash -c "cmake -S '$ROOT' -B '$BUILD' -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
      -DGM_NODE_INCLUDE='$BUNDLE/include/node' -DGM_ADDON_API_INCLUDE='$BUNDLE/include/node-addon-api' \
      -DGM_ADDON_OUTPUT_DIR='$BUNDLE/build/cuda' && cmake --build '$BUILD' --target gradmesh_cuda -j \$(nproc) \
      && ls -l '$BUNDLE/build/cuda/gradmesh_cuda.node'"
  else
    echo "cuda_addon SKIP $([ $UNPACKED = 0 ] || echo no-node)$(have_nvcc || echo no-nvcc)$([ -f "$BUNDLE/include/node/node_api.h" ] || echo no-headers)" >>"$RES/stages.txt"
  fi

  # node_smoke: which backend the loader picks for `train --device auto`, then 150m tokens/s
  # through the whole Node path (data, engine, AdamW) when it picked CUDA.
  node_smoke_run() {
    local g="$BUNDLE/gradmesh"
    echo "-- train --model tiny --steps 5 --device auto"
    bash "$g" train --model tiny --steps 5 --device auto 2>&1 | tee "$RES/node_tiny.out"
    local rc=${PIPESTATUS[0]}; [ "$rc" = 0 ] || return "$rc"
    if ! grep -q "engine backend: cuda" "$RES/node_tiny.out"; then
      echo "-- 150m: SKIP (the loader picked the CPU; a 150m step there takes minutes)"; return 0
    fi
    echo "-- train --model 150m --steps 12 --batch $B150 --seq $T150 --device cuda"
    bash "$g" train --model 150m --steps 12 --warmup 2 --batch "$B150" --seq "$T150" --device cuda
  }
  export -f node_smoke_run
  if [ $UNPACKED = 0 ]; then stage node_smoke 180 bash -c node_smoke_run; else echo "node_smoke SKIP no-node" >>"$RES/stages.txt"; fi
  if [ -f "$RES/node_smoke.log" ]; then
    "$PY" - "$RES/node_smoke.log" "$RES/bench.jsonl" >>"$RES/node-summary.md" <<'PYEOF'
import json, re, sys
log = open(sys.argv[1], errors="replace").read()
print("\n## gradmesh on the device (from the bundle)\n")
for part in log.split("-- ")[1:]:
    head = part.splitlines()[0]
    backend = re.search(r"gradmesh engine backend: (.*)", part)
    steps = [(int(m.group(1)), int(m.group(2).replace(",", ""))) for m in re.finditer(r"^step\s+(\d+)/\d+ .* ([\d,]+) tok/s", part, re.M)]
    tps = [t for s, t in steps if s > 2]  # steps 1-2: CUDA init, cuBLAS handles, first allocations
    line = f"- `{head}`: backend {backend.group(1) if backend else '?'}"
    if tps: line += f"; {sum(tps) / len(tps):,.0f} tokens/s (mean of steps 3..{steps[-1][0]})"
    if "SKIP" in head: line = f"- {head}"
    print(line)
try:
    for r in (json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")):
        if str(r.get("impl", "")).startswith("gradmesh") and "150m" in r.get("model", ""):
            print(f"- for comparison, gm_engine_bench {r['impl']} 150m {r['batch']}x{r['seq']}: {r['tokens_per_s']:,.0f} tokens/s")
except OSError:
    pass
PYEOF
  fi

  # testnet_gpu: a whole network on the GPU — dev chain, 1 validator and N miners, all
  # sharing the device — on config/runs/testnet-150m-gpu.json. A sampler records GPU
  # memory per process (nvidia-smi), event-loop lag (each node's /metrics) and each node's
  # status; the summary reads the nodes' JSON logs.
  testnet_gpu_run() {
    local dir="${BUILD:?}/testnet" port="${GM_TESTNET_PORT:-29700}" miners="${GM_TESTNET_MINERS:-4}"
    rm -rf "$dir"; mkdir -p "$dir"
    "$PY" - "$dir" "$port" "$((miners + 1))" "$RES/testnet_samples.json" <<'PYEOF' &
import json, os, subprocess, sys, time, urllib.request
d, port, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
names = ["validator0"] + [f"miner{i}" for i in range(n - 1)]  # testnet order: ops ports port+100+i
agg = {"gpu_mem_mib": {}, "gpu_util": [], "gpu_used_mib": [], "lag_p99_s": {}, "lag_max_s": {}, "status": {}}
def pids():
    m = {}
    for nm in names:
        try: m[json.load(open(os.path.join(d, "nodes", nm, "node-info.json")))["pid"]] = nm
        except Exception: pass
    return m
while True:
    try:
        pm = pids()
        q = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=10).stdout
        for line in q.splitlines():
            p = [x.strip() for x in line.split(",")]
            if len(p) == 2 and p[1].isdigit():
                k = pm.get(int(p[0]), f"pid {p[0]}")
                agg["gpu_mem_mib"][k] = max(agg["gpu_mem_mib"].get(k, 0), int(p[1]))
        g = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=10).stdout.split(",")
        if len(g) == 2: agg["gpu_util"].append(int(g[0])); agg["gpu_used_mib"].append(int(g[1]))
    except Exception:
        pass
    for i, nm in enumerate(names):
        base = f"http://127.0.0.1:{port + 100 + i}"
        try:
            for line in urllib.request.urlopen(base + "/metrics", timeout=3).read().decode().splitlines():
                for key, slot in (("gradmesh_nodejs_eventloop_lag_p99_seconds", "lag_p99_s"), ("gradmesh_nodejs_eventloop_lag_max_seconds", "lag_max_s")):
                    if line.startswith(key + " "):
                        agg[slot][nm] = max(agg[slot].get(nm, 0.0), float(line.split()[-1]))
            agg["status"][nm] = json.load(urllib.request.urlopen(base + "/api/status", timeout=3))
        except Exception:
            pass
    json.dump(agg, open(out + ".tmp", "w")); os.replace(out + ".tmp", out)
    time.sleep(5)
PYEOF
    local sampler=$!
    bash "$BUNDLE/gradmesh" testnet --run "${GM_TESTNET_RUN:-testnet-150m-gpu}" --validators 1 --miners "$miners" --windows "$TESTNET_WINDOWS" \
      --threads 3 --port "$port" --dir "$dir" &
    local tn=$!
    trap 'kill -TERM $tn 2>/dev/null; wait $tn; kill $sampler 2>/dev/null' TERM INT
    wait $tn; local rc=$?
    kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
    for f in "$dir"/logs/*.log; do [ -e "$f" ] && cp "$f" "$RES/testnet-$(basename "$f")"; done
    return $rc
  }
  export -f testnet_gpu_run
  export PY
  if [ ! -f "$BUNDLE/build/cuda/gradmesh_cuda.node" ]; then
    echo "testnet_gpu SKIP no-cuda-addon" >>"$RES/stages.txt"; echo "== testnet_gpu: SKIP (no CUDA addon)"
  else
    # Windows of 30 s (config/runs/testnet-150m-gpu.json) after ~90 s of start-up, within the time left.
    tl=$(( $(left) - 10 )); [ $tl -gt 420 ] && tl=420
    w=$(( (tl - 90) / 32 )); [ $w -lt 3 ] && w=3; [ $w -gt 12 ] && w=12
    export TESTNET_WINDOWS="${GM_TESTNET_WINDOWS:-$w}"
    stage testnet_gpu "$tl" bash -c testnet_gpu_run
    [ -f "$RES/testnet_gpu.log" ] && "$PY" - "$RES" >>"$RES/node-summary.md" <<'PYEOF'
import glob, json, os, statistics, sys
res = sys.argv[1]
ev = {}
for f in sorted(glob.glob(os.path.join(res, "testnet-*.log"))):
    name = os.path.basename(f)[len("testnet-"):-len(".log")]
    ev[name] = []
    for line in open(f, errors="replace"):
        if line.startswith("{"):
            try: ev[name].append(json.loads(line))
            except ValueError: pass
if not ev:
    print("\n(testnet_gpu: no node logs)"); sys.exit(0)
print(f"\n### testnet_gpu (config/runs/{os.environ.get('GM_TESTNET_RUN', 'testnet-150m-gpu')}.json)\n")
for f in sorted(glob.glob(os.path.join(res, "testnet-*.log"))):
    b = [l.strip() for l in open(f, errors="replace") if l.startswith("gradmesh engine backend")]
    print(f"- {os.path.basename(f)[len('testnet-'):-len('.log')]}: {b[-1] if b else 'no backend line'}")
val = ev.get("validator0", [])
evals = {e["window"]: e for e in val if e.get("event") == "eval"}
pub = {e["window"]: e for e in val if e.get("event") == "manifest_published"}
applied = {e["window"]: e for e in val if e.get("event") == "manifest_applied"}
train = {}
for name, es in ev.items():
    for e in es:
        if e.get("event") == "announced": train.setdefault(e["window"], []).append(e["trainMs"])
print("\n| window | held-out loss | window s | miners' training ms (mean / max) | announced | manifest: heard / chosen | payloads applied |\n|---|---|---|---|---|---|---|")
prev = None
for w in sorted(evals):
    t = evals[w].get("time"); dt = f"{(t - prev) / 1000:.1f}" if prev and t else "–"; prev = t
    tm = train.get(w - 1, [])  # eval of θ_w follows the manifest of w-1, which carries the payloads trained in w-1
    p = pub.get(w - 1, {}); a = applied.get(w - 1, {})
    print(f"| {w} | {evals[w]['loss']:.4f} | {dt} | {f'{statistics.mean(tm):.0f} / {max(tm)}' if tm else '–'} | {len(tm)} | "
          f"{p.get('heard', '–')} / {len(p.get('chosen', [])) if p else '–'} | {a.get('payloads', '–')} |")
print("\nNot logged by the node yet (docs/cuda.md): time compressing, waiting for the deadline, fetching payloads, aggregating, evaluating.")
try:
    s = json.load(open(os.path.join(res, "testnet_samples.json")))
except (OSError, ValueError):
    s = None
if s:
    print("\n| node | GPU memory max MiB | event-loop lag p99 max ms | lag max ms | tokens/s (status) | bytes in / out MB | fetch failures |\n|---|---|---|---|---|---|---|")
    for nm in sorted(set(s["gpu_mem_mib"]) | set(s["lag_p99_s"]) | set(s["status"])):
        st = s["status"].get(nm, {}); by = st.get("bytes", {})
        tot = lambda t: sum(t.values()) / 1e6 if isinstance(t, dict) else 0
        print(f"| {nm} | {s['gpu_mem_mib'].get(nm, '–')} | {1000 * s['lag_p99_s'].get(nm, float('nan')):.0f} | {1000 * s['lag_max_s'].get(nm, float('nan')):.0f} | "
              f"{st.get('tokensPerSecond', 0):,.0f} | {tot(by.get('in', {})):.1f} / {tot(by.get('out', {})):.1f} | {st.get('fetchFailures', '–')} |")
    if s["gpu_util"]:
        print(f"\nGPU utilisation over the run: mean {statistics.mean(s['gpu_util']):.0f} %, max {max(s['gpu_util'])} %; memory used max {max(s['gpu_used_mib'])} MiB ({len(s['gpu_util'])} samples, every 5 s).")
PYEOF
  fi
fi

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
if [ -s "$RES/nccl.jsonl" ]; then
  "$PY" - "$RES/nccl.jsonl" >>"$RES/gpu-results.md" <<'PYEOF'
import json, sys
for r in (json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")):
    if "ratio" not in r:
        print(f"\nnccl_1rank: {r}"); continue
    print(f"\n## NCCL, one rank, against the plain CUDA engine ({r['model']}, {r['batch']}x{r['seq']}, NCCL {r['nccl_version']})\n")
    print(f"- same step: {r['same_step']} (loss {r['loss_plain']:.6f} vs {r['loss_nccl']:.6f}; gradient rel L2 {r['grad_rel_l2']:.1e}; update rel L2 {r['update_rel_l2']:.1e})")
    print(f"- tokens/s: plain {r['tokens_per_s_plain']:,.0f}, NCCL 1 rank {r['tokens_per_s_nccl']:,.0f}: ratio {r['ratio']:.4f} (target >= 0.97: {'met' if r['ratio'] >= 0.97 else 'NOT met'})")
PYEOF
fi
[ -s "$RES/node-summary.md" ] && cat "$RES/node-summary.md" >>"$RES/gpu-results.md"
echo
cat "$RES/gpu-results.md"
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT"
  # The device tool returns at most 8 files: the table, the raw lines and one archive of every stage log.
  cp "$RES/gpu-results.md" "$RES/bench.jsonl" "$RES/nccl.jsonl" "$RES/stages.txt" "$OUT/" 2>/dev/null
  tar -C "$RES" -czf "$OUT/stage-logs.tgz" $(cd "$RES" && ls *.log 2>/dev/null) 2>/dev/null
fi
echo "total $(( $(date +%s) - START ))s"
