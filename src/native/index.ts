// Loads the native engine addon. The CPU addon is always built by `npm ci`
// (node-gyp); the CUDA addon, where one was built, is picked first when it loads.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';

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

/** Device report of the CUDA addon (never throws; count 0 with `error` when none). */
export interface CudaProbe {
  count: number;
  name: string;
  major: number;
  minor: number;
  memoryBytes: number;
  error: string;
  /** Why cuBLAS cannot be loaded (empty when it can, or when there is no device). */
  cublasError: string;
}

/** The CUDA addon (build/cuda/gradmesh_cuda.node, built by CMake; docs/cuda.md). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CudaAddon = Record<string, any> & { backend: 'cuda'; probe(): CudaProbe };

export function cudaAddonPath(): string {
  return process.env.GRADMESH_CUDA_ADDON ?? join(repoRoot(), 'build', 'cuda', 'gradmesh_cuda.node');
}

export type NativeBackendChoice =
  | { backend: 'cuda'; addon: CudaAddon; device: CudaProbe; reason: string }
  | { backend: 'cpu'; addon: NativeAddon; reason: string };

let chosen: NativeBackendChoice | undefined;

/** Where the backend choice is reported: the line, and the same as fields for a structured logger. */
export type BackendLog = (line: string, fields: { event: 'engine_backend'; backend: 'cpu' | 'cuda'; reason: string }) => void;

/**
 * Without a logger the choice goes to stderr once per process: as a JSON line when
 * GRADMESH_LOG_JSON is set (a node under `gradmesh testnet`, whose stderr is its JSON
 * log file: a plain line there broke every `jq` over the file), else as plain text.
 */
const stderrBackendLog: BackendLog = (line, fields) => {
  if (process.env.GRADMESH_LOG_JSON) {
    process.stderr.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, ...fields, msg: line })}\n`);
  } else {
    process.stderr.write(`gradmesh ${line}\n`);
  }
};

/**
 * Picks the engine backend once per process: the CUDA addon when it was built, loads,
 * sees a device and can load cuBLAS; otherwise the CPU addon (`loadNative()`).
 * `prefer: 'cpu'` skips the CUDA probe. The choice and its reason are reported through
 * `log` on every call that passes one (a node passes its logger), else once on stderr.
 */
export function selectNativeBackend(opts: { prefer?: 'cuda' | 'cpu'; log?: BackendLog } = {}): NativeBackendChoice {
  const first = chosen === undefined;
  const choice = chosen ?? (chosen = chooseBackend(opts.prefer));
  const report = opts.log ?? (first ? stderrBackendLog : undefined);
  report?.(`engine backend: ${choice.backend} — ${choice.reason}`, { event: 'engine_backend', backend: choice.backend, reason: choice.reason });
  return choice;
}

function chooseBackend(prefer: 'cuda' | 'cpu' | undefined): NativeBackendChoice {
  let reason: string;
  if (prefer === 'cpu') {
    reason = 'CPU requested';
  } else {
    const path = cudaAddonPath();
    if (!existsSync(path)) {
      reason = `no CUDA addon at ${path}`;
    } else {
      try {
        const addon = require(path) as CudaAddon;
        const device = addon.probe();
        if (device.count === 0) reason = `CUDA addon loaded but no device (${device.error})`;
        else if (device.cublasError) reason = `CUDA device ${device.name} but cuBLAS does not load: ${device.cublasError}`;
        else return { backend: 'cuda', addon, device, reason: `CUDA device ${device.name} (sm_${device.major}${device.minor})` };
      } catch (err) {
        reason = `CUDA addon failed to load: ${(err as Error).message}`;
      }
    }
  }
  return { backend: 'cpu', addon: loadNative(), reason };
}
