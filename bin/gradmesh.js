#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`). It runs
// the one-file bundle (dist/gradmesh.bundle.mjs, scripts/bundle-cli.js) when that is at
// least as new as the compiled sources: a third of the CPU to start. GRADMESH_UNBUNDLED=1
// runs dist/src/cli/main.js instead (stack traces with the compiled files' lines).
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/main.js', import.meta.url);
const bundle = new URL('../dist/gradmesh.bundle.mjs', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('gradmesh is not built yet: run "npm ci && npm run build" in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(1);
}
const fresh = (() => {
  if (process.env.GRADMESH_UNBUNDLED === '1') return false;
  try {
    return statSync(fileURLToPath(bundle)).mtimeMs >= statSync(fileURLToPath(cli)).mtimeMs;
  } catch {
    return false;
  }
})();
if (fresh) {
  await import(bundle.href);
} else {
  await import('../dist/src/polyfill.js');
  await import(cli.href);
}
