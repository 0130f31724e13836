// The device bundle (scripts/bundle.js, docs/cuda.md "Device bundle"): built from the
// current tree into a folder outside the repository, it must fit in 60 MiB and run a
// whole testnet with no node on PATH and no node_modules in reach — as on the lent GPU
// machine, which has neither. Skips when esbuild (a devDependency) is not installed.
// Slow on first use (~1.5 min: node is xz-compressed once, then cached in
// ~/.cache/gradmesh/bundle-parts); a testnet of several processes: run it alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/train/model-config.js';
import { randomBasePort } from '../../src/testnet/test-ports.js';

const LIMIT = 60 * 1024 * 1024;

function du(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((a, n) => a + du(join(path, n)), 0) : st.size;
}

/** A PATH of only the tools the launcher needs (no node), as symlinks. */
function toolPath(dir: string): string {
  mkdirSync(dir);
  for (const tool of ['bash', 'sh', 'xz', 'mkdir', 'mv', 'rm', 'chmod', 'ldconfig', 'ldd', 'grep']) {
    const found = spawnSync('/bin/sh', ['-c', `command -v ${tool} || { [ -x /sbin/${tool} ] && echo /sbin/${tool}; }`], { encoding: 'utf8' }).stdout.trim();
    if (found.startsWith('/')) symlinkSync(found, join(dir, tool));
  }
  return dir;
}

test('the device bundle: ≤ 60 MiB, and a testnet runs from it with no node on PATH', { timeout: 300_000 }, async (t) => {
  const root = repoRoot();
  const tmp = mkdtempSync(join(tmpdir(), 'gm-bundle-'));
  const bundle = join(tmp, 'bundle');
  let ok = false;
  try {
    // 1. Build it from this tree, outside the repository (so no node_modules above it).
    const t0 = Date.now();
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.js'), '--out', bundle], { encoding: 'utf8', timeout: 240_000 });
    if (b.status === 3) {
      t.skip(`esbuild is not installed (devDependency; or set GRADMESH_ESBUILD): ${b.stderr.trim()}`);
      ok = true;
      return;
    }
    assert.equal(b.status, 0, `scripts/bundle.js failed:\n${b.stderr}`);
    const size = du(bundle);
    t.diagnostic(`bundle built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(size / 1048576).toFixed(2)} MiB`);
    assert.ok(size <= LIMIT, `bundle is ${size} bytes, over 60 MiB`);
    for (const f of ['gradmesh', 'bin/gradmesh.js', 'node.xz', 'package.json', 'config/runs/testnet-tiny.json', 'build/Release/gradmesh_native.node', 'BUNDLE_ID']) {
      assert.ok(existsSync(join(bundle, f)), `bundle lacks ${f}`);
    }
    assert.ok(readdirSync(join(bundle, 'cache', 'datasets')).length > 0, 'bundle lacks the tokenised dataset');

    // 2. An environment without node: only the launcher's tools on PATH, a fresh HOME.
    const env: NodeJS.ProcessEnv = {
      PATH: toolPath(join(tmp, 'tools')),
      HOME: join(tmp, 'home'),
      TMPDIR: tmp,
      GRADMESH_RUNTIME_DIR: join(tmp, 'runtime'),
      // Carried libraries first on LD_LIBRARY_PATH even though this system has them: proves them.
      GRADMESH_BUNDLE_LIBS: 'all',
    };
    mkdirSync(env.HOME!);
    const probe = spawnSync('/bin/bash', ['-c', 'command -v node'], { env, encoding: 'utf8' });
    assert.notEqual(probe.status, 0, `node is still on PATH: ${probe.stdout}`);

    // 3. The bundled node runs, loads the CPU addon, and the addon's OpenBLAS is the carried one.
    const addon = join(bundle, 'build', 'Release', 'gradmesh_native.node');
    const code = "const a = require(process.argv[1]); const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');" +
      "console.log(JSON.stringify({ exec: process.execPath, backend: a.backend, blas: maps.split('\\n').filter((l) => l.includes('libopenblas')).map((l) => l.trim().split(/\\s+/).pop())[0] }))";
    const n = spawnSync('/bin/bash', [join(bundle, 'gradmesh'), '--bundle-node', '-e', code, addon], { env, cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    assert.equal(n.status, 0, `bundled node failed:\n${n.stderr}`);
    const info = JSON.parse(n.stdout.trim().split('\n').pop()!) as { exec: string; backend: string; blas?: string };
    assert.equal(info.exec, join(tmp, 'runtime', 'node'));
    assert.equal(info.backend, 'cpu');
    if (info.blas) assert.ok(info.blas.startsWith(join(tmp, 'runtime', 'lib')), `OpenBLAS loaded from ${info.blas}, not from the bundle`);

    // 4. A whole testnet from the bundle: a dev chain, 1 validator, 2 miners.
    const basePort = randomBasePort();
    const child = spawn('/bin/bash', [join(bundle, 'gradmesh'), 'testnet', '--windows', '3', '--miners', '2', '--port', String(basePort), '--dir', join(tmp, 'testnet')], {
      env, cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => {
      child.kill('SIGTERM'); // the testnet stops its nodes on SIGTERM
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    }, 150_000);
    const exit = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    clearTimeout(killer);
    const windows = stdout.split('\n').filter((l) => /^window\s+\d+\s+held-out loss \d/.test(l));
    t.diagnostic(`testnet from the bundle:\n${windows.join('\n')}`);
    assert.equal(exit, 0, `testnet exited ${exit}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    assert.ok(windows.length >= 3, `expected 3 window lines:\n${stdout}`);
    assert.ok(!windows.some((l) => l.includes('DISAGREE')), 'nodes disagree on θ');
    assert.ok(windows.some((l) => /payloads [1-9]/.test(l)), `no window applied a payload:\n${stdout}`);
    const logs = readdirSync(join(tmp, 'testnet', 'logs')).map((f) => readFileSync(join(tmp, 'testnet', 'logs', f), 'utf8')).join('\n');
    assert.match(logs, /engine backend: cpu/);
    ok = true;
  } finally {
    if (ok) rmSync(tmp, { recursive: true, force: true });
    else process.stderr.write(`bundle test: kept ${tmp} for inspection\n`);
  }
});
