#!/usr/bin/env node
// The CLI as one ESM file, dist/gradmesh.bundle.mjs (esbuild), written by `npm run build`
// after tsc. bin/gradmesh.js runs it when it is at least as new as dist/src/cli/main.js.
// Why: Node resolves and compiles the ~2,000 files of the unbundled program (libp2p,
// polkadot.js, …) one by one on every start: 2.4 s of CPU for `gradmesh --version` on
// the 2-core dev box, 0.8 s bundled. A testnet starts ten processes at once, and a
// restarted node on a busy machine took 20–30 s to come up in the chaos bench, most of
// it waiting for CPU: the bundle cuts what each start costs by about a factor of three.
// Without esbuild (a devDependency) nothing is written and the unbundled CLI runs.
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const out = join(root, 'dist', 'gradmesh.bundle.mjs');
const esbuild = [process.env.GRADMESH_ESBUILD, join(root, 'node_modules', '.bin', 'esbuild')].find((c) => c && existsSync(c));
if (!existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
  console.error('bundle-cli: dist/src/cli/main.js is missing: run tsc first');
  process.exit(1);
}
if (!esbuild) {
  rmSync(out, { force: true });
  console.error('bundle-cli: esbuild is not installed (a devDependency): the CLI runs unbundled');
  process.exit(0);
}
// The polyfill first (Promise.withResolvers for libp2p on Node 20), then the CLI, as
// bin/gradmesh.js does; `require` for the CommonJS packages inside; the .node addons
// stay outside (loaded from paths computed from the repository root).
const entry = "import './dist/src/polyfill.js';\nimport './dist/src/cli/main.js';\n";
const tmp = `${out}.tmp-${process.pid}`;
const r = spawnSync(esbuild, [
  '--bundle', '--platform=node', '--format=esm', '--target=node20', '--external:*.node',
  '--sourcefile=gradmesh-cli-entry.js', '--log-level=error', '--legal-comments=none',
  "--banner:js=// gradmesh CLI, bundled by scripts/bundle-cli.js\nimport { createRequire as __gmCreateRequire } from 'node:module';\nconst require = __gmCreateRequire(import.meta.url);",
  `--outfile=${tmp}`,
], { input: entry, cwd: root, encoding: 'utf8' });
if (r.status !== 0) {
  rmSync(tmp, { force: true });
  console.error(`bundle-cli: esbuild failed: ${r.error?.message ?? ''}${r.stderr ?? ''}`);
  process.exit(1);
}
renameSync(tmp, out);
