// Loads the native engine addon. The CPU addon is always built by `npm ci`
// (node-gyp); the CUDA addon, where one was built, is picked first when it loads.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../train/model-config.js';

const require = createRequire(import.meta.url);

/** The raw addon object; each part of the engine adds its functions to it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeAddon = Record<string, any> & {
  backend: string;
  setThreads(n: number): void;
  getThreads(): number;
};

let cached: NativeAddon | undefined;

export function nativeAddonPath(): string {
  return join(repoRoot(), 'build', 'Release', 'gradmesh_native.node');
}

export function loadNative(): NativeAddon {
  if (cached) return cached;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    throw new Error(
      `the native engine is not built (${path} is missing): run "npm ci" or "npm run build:native" ` +
        '(needs g++, make, python3 and libopenblas-dev)',
    );
  }
  // libgomp reads its settings when the addon's shared library loads. By default its
  // threads spin at barriers, which starves every other process when several nodes
  // share few cores (a testnet, CI); passive waiting costs little here because the
  // heavy lifting happens inside OpenBLAS. An explicit setting is respected.
  if (process.env.OMP_WAIT_POLICY === undefined) process.env.OMP_WAIT_POLICY = 'passive';
  cached = require(path) as NativeAddon;
  return cached;
}
