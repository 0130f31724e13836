#!/usr/bin/env bash
# CI (nvcc, no GPU): build the CUDA backend and the C++ test/bench executables for
# sm_90 with CMake, check that nothing links cuBLAS or the shared cudart, and run the
# check executable's CPU side (its CUDA side must report "no device" cleanly).
# A few minutes on 2 cores. Usage: bash bench/gpu/compile-check.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD="${1:-build-cuda-check}"

command -v nvcc >/dev/null || { echo "compile-check: nvcc not found"; exit 1; }
command -v cmake >/dev/null || { echo "compile-check: cmake not found"; exit 1; }

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 -DGM_ADDON_OUTPUT_DIR="$BUILD" >"$BUILD.configure.log" 2>&1 \
  || { cat "$BUILD.configure.log"; exit 1; }
grep -q "CUDA backend ON" "$BUILD.configure.log" || { cat "$BUILD.configure.log"; echo "compile-check: CMake did not enable CUDA"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)"

for exe in gm_engine_check gm_engine_bench gm_compress_check gm_flash_check gm_nccl_check; do
  if ldd "$BUILD/$exe" | grep -E "libcublas|libcudart|libnccl" ; then
    echo "compile-check: $exe links cuBLAS, NCCL or the shared cudart (must be dlopen / static)"; exit 1
  fi
done

# Without a GPU: the CPU half of the comparison runs, the CUDA half says why it skipped.
out="$("$BUILD/gm_engine_check")" || { echo "$out"; echo "compile-check: gm_engine_check failed"; exit 1; }
echo "$out"
if ! echo "$out" | grep -q "^CUDA: [1-9][0-9]* device"; then
  echo "$out" | grep -q "^CUDA: no device" || { echo "compile-check: no clean 'no device' report"; exit 1; }
fi
"$BUILD/gm_compress_check" || { echo "compile-check: gm_compress_check failed"; exit 1; }
"$BUILD/gm_flash_check" || { echo "compile-check: gm_flash_check failed"; exit 1; }
set +e
"$BUILD/gm_engine_bench" --model config/models/tiny.json --batch 1 --seq 16 --steps 1 --warmup 0
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "compile-check: gm_engine_bench exited $rc"; exit 1; }
# The NCCL device check without a GPU (or without libnccl): a clean skip, exit 3, saying why.
set +e
out="$("$BUILD/gm_nccl_check" --model config/models/tiny.json --batch 2 --seq 16 --steps 1 --warmup 0)"
rc=$?
set -e
echo "$out"
if [ "$rc" = 3 ]; then
  echo "$out" | grep -q '"skipped"' || { echo "compile-check: gm_nccl_check exited 3 without saying why"; exit 1; }
else
  [ "$rc" = 0 ] || { echo "compile-check: gm_nccl_check exited $rc"; exit 1; }
fi
# The CUDA N-API addon (built when Node's headers exist) must load and report its
# device state without throwing.
if [ -f "$BUILD/gradmesh_cuda.node" ] && command -v node >/dev/null; then
  node -e "const a = require(process.argv[1]); const p = a.probe(); if (a.backend !== 'cuda' || typeof p.count !== 'number') process.exit(1); console.log('gradmesh_cuda.node probe:', JSON.stringify(p))" "$(cd "$BUILD" && pwd)/gradmesh_cuda.node" \
    || { echo "compile-check: gradmesh_cuda.node does not load"; exit 1; }
fi
echo "compile-check: PASS"
