#!/usr/bin/env node
// Builds the CUDA addon (build/cuda/gradmesh_cuda.node) with CMake where nvcc exists;
// runs after node-gyp in `npm install` / `npm run build:native`. The CPU addon is
// always built by node-gyp; this step is optional: without nvcc or CMake it says so
// and exits 0, and if the build fails it warns and exits 0, so a machine without a
// working CUDA toolchain still installs and trains on the CPU. The engine's loader
// (src/native/index.ts) picks CUDA at run time only when the addon loads and sees a
// GPU. GRADMESH_NO_CUDA=1 skips the step.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const say = (line) => process.stderr.write(`gradmesh cuda build: ${line}\n`);

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

if (process.env.GRADMESH_NO_CUDA) {
  say('skipped (GRADMESH_NO_CUDA is set)');
  process.exit(0);
}
// nvcc is often installed without being on PATH.
const nvcc = onPath('nvcc') ?? ['/usr/local/cuda/bin/nvcc'].find((p) => existsSync(p)) ?? null;
const cmake = onPath('cmake');
if (!nvcc || !cmake) {
  say(`skipped (${!nvcc ? 'no nvcc' : 'no cmake'}): the CPU engine only`);
  process.exit(0);
}

// Node's own headers (node_api.h) sit beside the running binary in official builds and
// in /usr/include/node for distribution packages.
const nodeInclude = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'].find((p) =>
  existsSync(join(p, 'node_api.h')),
);
if (!nodeInclude) {
  say("skipped (Node's headers, node_api.h, not found): the CPU engine only");
  process.exit(0);
}

const buildDir = join(root, 'build-cmake');
const run = (args) => spawnSync(cmake, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0;
const configured = run([
  '-S', root, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Release',
  `-DCMAKE_CUDA_COMPILER=${nvcc}`,
  `-DGM_NODE_INCLUDE=${nodeInclude}`,
  `-DGM_ADDON_OUTPUT_DIR=${join(root, 'build', 'cuda')}`,
]);
if (!configured || !run(['--build', buildDir, '--target', 'gradmesh_cuda', '-j', String(Math.max(1, cpus().length))])) {
  say('FAILED — the CPU engine still works; see the CMake output above (GRADMESH_NO_CUDA=1 skips this step)');
  process.exit(0);
}
say(`built ${join('build', 'cuda', 'gradmesh_cuda.node')}`);
