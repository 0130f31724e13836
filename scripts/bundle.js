#!/usr/bin/env node
// The device bundle: everything a machine without Node, npm or network needs to run
// gradmesh (the lent GPU machine of bench/gpu/run.sh), in ONE folder of at most 60 MiB.
//   npm run bundle                         # tsc, then this script: writes .bundle/
//   node scripts/bundle.js [--out DIR]     # from an already built tree (dist/, build/Release/)
// Env: GRADMESH_ESBUILD=PATH (an esbuild binary; else node_modules/.bin/esbuild),
//      GRADMESH_BUNDLE_PARTS=DIR (cache of the xz-compressed node and libraries;
//      default $GRADMESH_CACHE/bundle-parts or ~/.cache/gradmesh/bundle-parts).
// Exit codes: 0 written, 1 failed, 3 esbuild not installed (the test skips on 3).
//
// Layout (docs/cuda.md, "Device bundle"): the folder looks like a repository root to
// repoRoot() (package.json + config/), so every path the code derives from it holds:
//   gradmesh                     bash launcher: unpacks node + libs once, runs the CLI
//   bin/gradmesh.js              the CLI, one esbuild ESM file (polyfill first); the
//                                testnet spawns <root>/bin/gradmesh.js with process.execPath
//   package.json config/ src/ops/dashboard/dashboard.html
//   build/Release/gradmesh_native.node   the CPU addon (build/cuda/ is where the CUDA
//                                addon goes once CMake has built it on the device)
//   lib/*.xz                     shared libraries the CPU addon needs beyond glibc/libstdc++
//   node.xz                      the running node binary, xz -6
//   cache/datasets/<id>/         the built-in dataset, already tokenised (GRADMESH_CACHE)
//   include/node, include/node-addon-api   headers to build the CUDA addon on the device
//   BUNDLE_ID MANIFEST.json
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync,
  renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const LIMIT = 60 * 1024 * 1024;
/** Libraries every Linux with a C++ toolchain has; never carried (a carried older libstdc++ would shadow a newer one). */
const SYSTEM_LIBS = /^(linux-vdso|linux-gate|ld-linux|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s)\.so/;

const args = process.argv.slice(2);
const outArg = args.indexOf('--out');
const out = resolve(outArg >= 0 ? args[outArg + 1] ?? '' : join(root, '.bundle'));
const say = (line) => process.stderr.write(`bundle: ${line}\n`);
let work; // the folder being written, removed on failure
const fail = (line, code = 1) => {
  if (work) rmSync(work, { recursive: true, force: true });
  say(`FAILED: ${line}`);
  process.exit(code);
};

function findEsbuild() {
  const cands = [process.env.GRADMESH_ESBUILD, join(root, 'node_modules', '.bin', 'esbuild')].filter(Boolean);
  for (const c of cands) {
    if (existsSync(c) && spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0) return c;
  }
  return null;
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')}: ${r.error?.message ?? ''}${r.stderr ?? ''}`);
  return r.stdout;
}

function sha256File(path) {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('end', () => res(h.digest('hex'))).on('error', rej);
  });
}

/** `xz -6` of a file, cached by (path, size, mtime): node's 99 MB take a minute to compress. */
function xzCached(src, dest) {
  const st = statSync(src);
  const key = createHash('sha256').update(`${resolve(src)}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
  const partsDir = process.env.GRADMESH_BUNDLE_PARTS
    || join(process.env.GRADMESH_CACHE || join(homedir(), '.cache', 'gradmesh'), 'bundle-parts');
  mkdirSync(partsDir, { recursive: true });
  const cached = join(partsDir, `${basename(src)}-${key}.xz`);
  if (!existsSync(cached)) {
    const t0 = Date.now();
    const tmp = `${cached}.tmp-${process.pid}`;
    const r = spawnSync('sh', ['-c', 'xz -6 -c -- "$1" > "$2"', 'sh', src, tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) fail(`xz -6 ${src} (is xz installed?)`);
    renameSync(tmp, cached);
    say(`compressed ${src} (${mib(st.size)}) -> ${mib(statSync(cached).size)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  copyFileSync(cached, dest);
}

const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;

function duBytes(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((a, n) => a + duBytes(join(path, n)), 0);
}

/** Highest GLIBC_ / GLIBCXX_ symbol versions these files need (objdump; null where it is missing). */
function symbolVersions(files) {
  const max = { GLIBC: null, GLIBCXX: null };
  const cmp = (a, b) => {
    const x = a.split('.').map(Number), y = b.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  for (const f of files) {
    const r = spawnSync('objdump', ['-T', f], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) return null;
    for (const m of r.stdout.matchAll(/\b(GLIBC|GLIBCXX)_([0-9.]+)\b/g)) {
      if (!max[m[1]] || cmp(m[2], max[m[1]]) > 0) max[m[1]] = m[2];
    }
  }
  return max;
}

/** Shared libraries of a .node file that are not part of every system (ldd's resolved paths). */
function carriedLibs(addon) {
  const text = run('ldd', [addon]);
  const libs = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+)\s+=>\s+(\S+)/.exec(line);
    if (!m) continue;
    if (m[2] === 'not') fail(`${addon} needs ${m[1]}, which is not found here`);
    if (!SYSTEM_LIBS.test(m[1])) libs.push({ soname: m[1], path: m[2] });
  }
  return libs;
}

// ---------------------------------------------------------------- preconditions
const esbuild = findEsbuild();
if (!esbuild) {
  fail('esbuild is not installed (a devDependency: npm ci; or set GRADMESH_ESBUILD to an esbuild binary)', 3);
}
const mainJs = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(mainJs)) fail(`${mainJs} is missing: run "npm run build" first`);
const addon = join(root, 'build', 'Release', 'gradmesh_native.node');
if (!existsSync(addon)) fail(`${addon} is missing: run "npm run build:native" first`);
if (spawnSync('xz', ['--version']).status !== 0) fail('xz is not installed (apt-get install xz-utils)');
if (out === root || root.startsWith(`${out}/`)) fail(`refusing to write the bundle over ${out}`);
if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, 'BUNDLE_ID'))) {
  fail(`${out} exists and is not a bundle: refusing to replace it`);
}

const t0 = Date.now();
work = `${out}.tmp-${process.pid}`;
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
try {
  // ---------------------------------------------------------------- the CLI, one file
  // The polyfill first (Promise.withResolvers for libp2p on Node 20), then the CLI,
  // exactly as bin/gradmesh.js does. `require` for the CommonJS packages inside; the
  // .node addons stay outside (they are loaded from computed paths anyway).
  mkdirSync(join(work, 'bin'));
  const entry = "import './dist/src/polyfill.js';\nimport './dist/src/cli/main.js';\n";
  run(esbuild, [
    '--bundle', '--platform=node', '--format=esm', '--target=node20', '--external:*.node',
    '--sourcefile=gradmesh-bundle-entry.js', '--log-level=error', '--legal-comments=none',
    "--banner:js=// gradmesh CLI, bundled by scripts/bundle.js\nimport { createRequire as __gmCreateRequire } from 'node:module';\nconst require = __gmCreateRequire(import.meta.url);",
    `--outfile=${join(work, 'bin', 'gradmesh.js')}`,
  ], { input: entry, cwd: root });

  // ---------------------------------------------------------------- what repoRoot() and the code read
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true, description: 'gradmesh device bundle (scripts/bundle.js)' }, null, 2) + '\n');
  cpSync(join(root, 'config'), join(work, 'config'), { recursive: true });
  mkdirSync(join(work, 'src', 'ops', 'dashboard'), { recursive: true });
  copyFileSync(join(root, 'src', 'ops', 'dashboard', 'dashboard.html'), join(work, 'src', 'ops', 'dashboard', 'dashboard.html'));

  // ---------------------------------------------------------------- the CPU addon and its libraries
  mkdirSync(join(work, 'build', 'Release'), { recursive: true });
  mkdirSync(join(work, 'build', 'cuda'), { recursive: true });
  copyFileSync(addon, join(work, 'build', 'Release', 'gradmesh_native.node'));
  mkdirSync(join(work, 'lib'));
  const libs = carriedLibs(addon);
  for (const l of libs) xzCached(l.path, join(work, 'lib', `${l.soname}.xz`));

  // ---------------------------------------------------------------- node
  xzCached(process.execPath, join(work, 'node.xz'));

  // ---------------------------------------------------------------- the built-in dataset, tokenised
  const data = await import(pathToFileURL(join(root, 'dist', 'src', 'train', 'data', 'index.js')).href);
  const ds = await data.ensureDefaultDataset();
  const dsDir = dirname(ds.train);
  cpSync(dsDir, join(work, 'cache', 'datasets', basename(dsDir)), { recursive: true });

  // ---------------------------------------------------------------- headers for the CUDA addon (CMake on the device)
  const nodeInclude = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node']
    .find((p) => existsSync(join(p, 'node_api.h')));
  const addonApi = join(root, 'node_modules', 'node-addon-api');
  if (!nodeInclude || !existsSync(join(addonApi, 'napi.h'))) {
    say('WARNING: node_api.h or node-addon-api not found: the device cannot build the CUDA addon from this bundle');
  } else {
    mkdirSync(join(work, 'include', 'node'), { recursive: true });
    mkdirSync(join(work, 'include', 'node-addon-api'), { recursive: true });
    for (const h of ['node_api.h', 'node_api_types.h', 'js_native_api.h', 'js_native_api_types.h']) {
      copyFileSync(join(nodeInclude, h), join(work, 'include', 'node', h));
    }
    for (const h of readdirSync(addonApi).filter((n) => n.endsWith('.h'))) {
      copyFileSync(join(addonApi, h), join(work, 'include', 'node-addon-api', h));
    }
  }

  // ---------------------------------------------------------------- the launcher
  copyFileSync(join(root, 'bench', 'gpu', 'bundle-launcher.sh'), join(work, 'gradmesh'));
  chmodSync(join(work, 'gradmesh'), 0o755);

  // ---------------------------------------------------------------- id, manifest, size
  const idHash = createHash('sha256');
  for (const f of ['node.xz', 'bin/gradmesh.js', 'build/Release/gradmesh_native.node', ...libs.map((l) => `lib/${l.soname}.xz`)]) {
    idHash.update(`${f}\0${await sha256File(join(work, f))}\n`);
  }
  const id = idHash.digest('hex').slice(0, 16);
  writeFileSync(join(work, 'BUNDLE_ID'), `${id}\n`);
  const parts = {};
  for (const name of readdirSync(work).sort()) parts[name] = duBytes(join(work, name));
  const manifest = {
    id,
    created: new Date().toISOString(),
    gradmesh: pkg.version,
    git: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim() || null,
    node: process.version,
    nodeBinary: process.execPath,
    esbuild: spawnSync(esbuild, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    libs: libs.map((l) => ({ soname: l.soname, from: l.path })),
    /** What the device's glibc and libstdc++ must provide for node, the CPU addon and the carried libraries. */
    requires: symbolVersions([process.execPath, addon, ...libs.map((l) => l.path)]),
    dataset: basename(dsDir),
    parts,
    totalBytes: 0,
  };
  manifest.totalBytes = Object.values(parts).reduce((a, b) => a + b, 0) + 4096;
  writeFileSync(join(work, 'MANIFEST.json'), JSON.stringify(manifest, null, 2) + '\n');
  const total = duBytes(work);
  if (total > LIMIT) fail(`the bundle is ${mib(total)}, over the ${mib(LIMIT)} limit`);

  rmSync(out, { recursive: true, force: true });
  renameSync(work, out);
  for (const [name, n] of Object.entries(parts)) say(`  ${name.padEnd(10)} ${mib(n).padStart(11)}`);
  say(`wrote ${out}: ${mib(total)} (limit ${mib(LIMIT)}), id ${id}, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} catch (e) {
  fail(e.stack ?? String(e));
}
