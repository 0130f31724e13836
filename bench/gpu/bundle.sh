#!/usr/bin/env bash
# Builds the device bundle (.bundle/, ≤ 60 MiB) on a machine WITH Node and this repo's
# node_modules, for a lent GPU machine that has neither (docs/cuda.md, "Device bundle").
#   bash bench/gpu/bundle.sh                 # tsc, then scripts/bundle.js -> .bundle/
#   bash bench/gpu/bundle.sh --out DIR       # elsewhere
# Then carry it to the device: run(carry: [".bundle"]) — bench/gpu/run.sh finds it there.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p tsconfig.json
exec node scripts/bundle.js "$@"
