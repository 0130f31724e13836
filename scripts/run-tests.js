#!/usr/bin/env node
// Runs the compiled test files with Node's built-in test runner.
//   npm test                 every test
//   npm test -- engine p2p   only files whose path contains one of the words
//
// Two phases: the ordinary test files run two at a time; the whole-network
// integration tests (real testnets of several processes, timing-sensitive on a
// 2-core machine) then run alone, so that no other test steals their CPU. The last
// line sums both phases: "N passed, N failed, N skipped".
import { readdirSync, statSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
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

/** Integration tests that start whole networks of processes: run alone. */
const SOLO = [/node\/testnet\.test\.js$/, /cli\/testnet-cli\.test\.js$/, /node\/testnet-supervision\.test\.js$/, /bundle\/bundle\.test\.js$/, /node\/hostile-testnet\.test\.js$/, /node\/testnet-busy\.test\.js$/, /node\/nat-testnet\.test\.js$/, /validate\/adversaries-testnet\.test\.js$/];

const filters = process.argv.slice(2);
const files = walk(testDir)
  .filter((f) => filters.length === 0 || filters.some((w) => relative(testDir, f).includes(w)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${JSON.stringify(filters)}`);
  process.exit(1);
}
const solo = files.filter((f) => SOLO.some((r) => r.test(f)));
const shared = files.filter((f) => !solo.includes(f));

const tapDir = mkdtempSync(join(tmpdir(), 'gm-tests-'));
const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0, todo: 0 };
let status = 0;

function runPhase(list, concurrency, name) {
  if (list.length === 0) return;
  const tap = join(tapDir, `${name}.tap`);
  const args = [
    '--import', join(root, 'dist', 'src', 'polyfill.js'),
    '--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...list,
  ];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) status = r.status ?? 1;
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  for (const key of Object.keys(totals)) {
    const m = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text);
    if (m) totals[key] += Number(m[1]);
  }
}

runPhase(shared, process.env.GRADMESH_TEST_CONCURRENCY ?? '2', 'shared');
runPhase(solo, 1, 'solo');
console.log(`\n${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(status);
