#!/usr/bin/env node
// Runs the compiled test files with Node's built-in test runner.
//   npm test                 every test
//   npm test -- engine p2p   only files whose path contains one of the words
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'dist', 'test');
if (!existsSync(testDir)) {
  console.error('no compiled tests in dist/test: run "npm run build" first');
  process.exit(1);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk(testDir)
  .filter((f) => filters.length === 0 || filters.some((w) => relative(testDir, f).includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}

const concurrency = process.env.GRADMESH_TEST_CONCURRENCY ?? '2';
const args = [
  '--import', join(root, 'dist', 'src', 'polyfill.js'),
  '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec',
  ...files,
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
