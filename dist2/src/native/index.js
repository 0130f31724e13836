// Loads the native engine addon. The CPU addon is always built by `npm ci`
// (node-gyp); the CUDA addon, where one was built, is picked first when it loads.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../shared/repo-root.js';
const require = createRequire(import.meta.url);
let cached;
export function nativeAddonPath() {
    return join(repoRoot(), 'build', 'Release', 'gradmesh_native.node');
}
export function loadNative() {
    if (cached)
        return cached;
    const path = nativeAddonPath();
    if (!existsSync(path)) {
        throw new Error(`the native engine is not built (${path} is missing): run "npm ci" or "npm run build:native" ` +
            '(needs g++, make, python3 and libopenblas-dev)');
    }
    // libgomp reads its settings when the addon's shared library loads. By default its
    // threads spin at barriers, which starves every other process when several nodes
    // share few cores (a testnet, CI); passive waiting costs little here because the
    // heavy lifting happens inside OpenBLAS. An explicit setting is respected.
    if (process.env.OMP_WAIT_POLICY === undefined)
        process.env.OMP_WAIT_POLICY = 'passive';
    cached = require(path);
    return cached;
}
export function cudaAddonPath() {
    return process.env.GRADMESH_CUDA_ADDON ?? join(repoRoot(), 'build', 'cuda', 'gradmesh_cuda.node');
}
let chosen;
/**
 * Without a logger the choice goes to stderr once per process: as a JSON line when
 * GRADMESH_LOG_JSON is set (a node under `gradmesh testnet`, whose stderr is its JSON
 * log file: a plain line there broke every `jq` over the file), else as plain text.
 */
const stderrBackendLog = (line, fields) => {
    if (process.env.GRADMESH_LOG_JSON) {
        process.stderr.write(`${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, ...fields, msg: line })}\n`);
    }
    else {
        process.stderr.write(`gradmesh ${line}\n`);
    }
};
/**
 * Picks the engine backend once per process: the CUDA addon when it was built, loads,
 * sees a device and can load cuBLAS; otherwise the CPU addon (`loadNative()`).
 * `prefer: 'cpu'` skips the CUDA probe. The choice and its reason are reported through
 * `log` on every call that passes one (a node passes its logger), else once on stderr.
 */
export function selectNativeBackend(opts = {}) {
    const first = chosen === undefined;
    const choice = chosen ?? (chosen = chooseBackend(opts.prefer));
    const report = opts.log ?? (first ? stderrBackendLog : undefined);
    report?.(`engine backend: ${choice.backend} — ${choice.reason}`, { event: 'engine_backend', backend: choice.backend, reason: choice.reason });
    return choice;
}
function chooseBackend(prefer) {
    let reason;
    if (prefer === 'cpu') {
        reason = 'CPU requested';
    }
    else {
        const path = cudaAddonPath();
        if (!existsSync(path)) {
            reason = `no CUDA addon at ${path}`;
        }
        else {
            try {
                const addon = require(path);
                const device = addon.probe();
                if (device.count === 0)
                    reason = `CUDA addon loaded but no device (${device.error})`;
                else if (device.cublasError)
                    reason = `CUDA device ${device.name} but cuBLAS does not load: ${device.cublasError}`;
                else
                    return { backend: 'cuda', addon, device, reason: `CUDA device ${device.name} (sm_${device.major}${device.minor})` };
            }
            catch (err) {
                reason = `CUDA addon failed to load: ${err.message}`;
            }
        }
    }
    return { backend: 'cpu', addon: loadNative(), reason };
}
//# sourceMappingURL=index.js.map