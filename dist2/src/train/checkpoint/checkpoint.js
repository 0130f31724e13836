// A checkpoint is a safetensors file whose tensors carry the Hugging Face Llama names
// of parameterLayout (so the file itself loads in `transformers`), in canonical order,
// with the identity of the model state in its metadata. Decoding trusts nothing the
// file says: the tensor set and shapes must be the layout's, and the parameters must
// hash to the thetaHash the metadata claims, so a lying peer's checkpoint is refused.
import { thetaHash } from '../compress/hash.js';
import { thetaHashAsync } from '../compress/offload.js';
import { canonicalModelConfig, parameterLayout, validateModelConfig, ModelConfigError, } from '../model-config.js';
import { CheckpointError, namingFile } from './errors.js';
import { concatChunks, decodeTensorInto, encodeSafetensorsChunks, readSafetensors, SafetensorsFileReader, } from './safetensors.js';
/** The value of metadata key `gradmesh.format`; bump it when the meaning of the file changes. */
export const CHECKPOINT_FORMAT = 'gradmesh-checkpoint/1';
export const META_KEYS = {
    format: 'gradmesh.format',
    window: 'gradmesh.window',
    thetaHash: 'gradmesh.thetaHash',
    runHash: 'gradmesh.runHash',
    manifestDigest: 'gradmesh.manifestDigest',
    model: 'gradmesh.model',
};
const HEX64 = /^[0-9a-f]{64}$/;
function layoutTotal(layout) {
    const last = layout[layout.length - 1];
    return last ? last.offset + last.numel : 0;
}
function sameLayout(a, b) {
    return a.length === b.length && a.every((t, i) => {
        const u = b[i];
        return t.name === u.name && t.offset === u.offset && t.shape.length === u.shape.length && t.shape.every((d, j) => d === u.shape[j]);
    });
}
function checkIdentity(m) {
    if (!Number.isSafeInteger(m.window) || m.window < 0) {
        throw new CheckpointError('invalid_input', `window must be a non-negative integer, got ${m.window}`);
    }
    for (const k of ['thetaHash', 'runHash', 'manifestDigest']) {
        if (!HEX64.test(m[k]))
            throw new CheckpointError('invalid_input', `${k} must be 64 lowercase hex digits, got "${m[k]}"`);
    }
}
/** The metadata map written into every checkpoint (and, with format "pt", read by transformers). */
export function checkpointMetadata(model, meta) {
    return {
        format: 'pt',
        [META_KEYS.format]: CHECKPOINT_FORMAT,
        [META_KEYS.window]: String(meta.window),
        [META_KEYS.thetaHash]: meta.thetaHash,
        [META_KEYS.runHash]: meta.runHash,
        [META_KEYS.manifestDigest]: meta.manifestDigest,
        [META_KEYS.model]: JSON.stringify(canonicalModelConfig(model)),
    };
}
/**
 * The checkpoint as pieces (header, then views of each tensor of `params`), for
 * writing a large model without a second copy. Checks that the layout is the model's
 * and that thetaHash really is the hash of params, so we never publish a checkpoint
 * every honest peer would refuse.
 */
export function encodeCheckpointChunks(input) {
    checkInput(input);
    checkThetaHash(thetaHash(input.params), input.meta);
    return chunksOf(input);
}
/** encodeCheckpointChunks with θ hashed off the event loop (offload.ts); params must not change meanwhile. */
export async function encodeCheckpointChunksAsync(input) {
    checkInput(input);
    checkThetaHash(await thetaHashAsync(input.params), input.meta);
    return chunksOf(input);
}
function checkInput(input) {
    const { params, layout, model, meta } = input;
    checkIdentity(meta);
    if (!sameLayout(layout, parameterLayout(model))) {
        throw new CheckpointError('shape_mismatch', `layout is not parameterLayout of model "${model.name}"`);
    }
    if (params.length !== layoutTotal(layout)) {
        throw new CheckpointError('invalid_input', `params has ${params.length} floats, the layout ${layoutTotal(layout)}`);
    }
}
function checkThetaHash(actual, meta) {
    if (actual !== meta.thetaHash) {
        throw new CheckpointError('theta_mismatch', `params hash to ${actual}, not the stated ${meta.thetaHash}`);
    }
}
function chunksOf(input) {
    const { params, layout, model, meta } = input;
    const tensors = layout.map((t) => ({ name: t.name, shape: t.shape, data: params.subarray(t.offset, t.offset + t.numel) }));
    const metadata = checkpointMetadata(model, meta);
    for (const [k, v] of Object.entries(input.extraMetadata ?? {})) {
        if (k in metadata)
            throw new CheckpointError('invalid_input', `extra metadata key "${k}" is one of the checkpoint format's own`);
        metadata[k] = v;
    }
    return encodeSafetensorsChunks(tensors, metadata);
}
export function encodeCheckpoint(input) {
    return concatChunks(encodeCheckpointChunks(input));
}
/** Reads and validates the checkpoint metadata (not the tensors). */
export function parseCheckpointMeta(metadata) {
    const format = metadata[META_KEYS.format];
    if (format === undefined)
        throw new CheckpointError('metadata', `not a gradmesh checkpoint: no ${META_KEYS.format}`);
    if (format !== CHECKPOINT_FORMAT) {
        throw new CheckpointError('version', `checkpoint format "${format}" is not the supported "${CHECKPOINT_FORMAT}"`);
    }
    const get = (k) => {
        const v = metadata[META_KEYS[k]];
        if (v === undefined)
            throw new CheckpointError('metadata', `missing ${META_KEYS[k]}`);
        return v;
    };
    const windowText = get('window');
    if (!/^(0|[1-9][0-9]{0,15})$/.test(windowText) || !Number.isSafeInteger(Number(windowText))) {
        throw new CheckpointError('metadata', `${META_KEYS.window} "${windowText}" is not a window number`);
    }
    const ids = { thetaHash: get('thetaHash'), runHash: get('runHash'), manifestDigest: get('manifestDigest') };
    for (const [k, v] of Object.entries(ids)) {
        if (!HEX64.test(v))
            throw new CheckpointError('metadata', `gradmesh.${k} "${v.slice(0, 80)}" is not 64 lowercase hex digits`);
    }
    let model;
    try {
        model = validateModelConfig(JSON.parse(get('model')), `checkpoint ${META_KEYS.model}`);
    }
    catch (e) {
        if (e instanceof CheckpointError)
            throw e;
        const why = e instanceof ModelConfigError ? e.message : `not JSON (${e.message})`;
        throw new CheckpointError('metadata', why, { cause: e });
    }
    return { format, window: Number(windowText), ...ids, model };
}
/**
 * Shared by the in-memory and the on-disk decoders: checks metadata, run and tensor
 * set against what the caller expects, fills a fresh parameter buffer through
 * `readInto`, and verifies thetaHash.
 */
function decodeVerified(header, expect, readInto, into) {
    const meta = parseCheckpointMeta(header.metadata);
    if (expect.runHash !== undefined && meta.runHash !== expect.runHash) {
        throw new CheckpointError('run_mismatch', `checkpoint is of run ${meta.runHash}, expected ${expect.runHash}`);
    }
    // Every layer adds tensors, so a model of more layers than the expected layout has
    // tensors cannot match it; refused before its layout is built (a peer's claimed
    // 2^31 layers would exhaust memory building it).
    if (meta.model.num_hidden_layers > expect.layout.length || !sameLayout(parameterLayout(meta.model), expect.layout)) {
        throw new CheckpointError('shape_mismatch', `checkpoint model "${meta.model.name}" does not have the expected layout`);
    }
    if (header.tensors.length !== expect.layout.length) {
        throw new CheckpointError('tensor_set', `checkpoint has ${header.tensors.length} tensors, the layout ${expect.layout.length}`);
    }
    const total = layoutTotal(expect.layout);
    if (into !== undefined && into.length !== total) {
        throw new CheckpointError('invalid_input', `destination has ${into.length} floats, the layout ${total}`);
    }
    const params = into ?? new Float32Array(total);
    for (const spec of expect.layout) {
        const entry = header.byName.get(spec.name);
        if (!entry)
            throw new CheckpointError('tensor_set', `checkpoint lacks tensor "${spec.name}"`);
        if (entry.dtype !== 'F32')
            throw new CheckpointError('dtype', `tensor "${spec.name}" is ${entry.dtype}; checkpoints are F32`);
        if (entry.shape.length !== spec.shape.length || !entry.shape.every((d, i) => d === spec.shape[i])) {
            throw new CheckpointError('shape_mismatch', `tensor "${spec.name}" has shape [${entry.shape}], expected [${spec.shape}]`);
        }
        readInto(entry, params.subarray(spec.offset, spec.offset + spec.numel));
    }
    const actual = thetaHash(params);
    if (actual !== meta.thetaHash) {
        throw new CheckpointError('theta_mismatch', `parameters hash to ${actual}, the checkpoint claims ${meta.thetaHash}`);
    }
    return { meta, params };
}
/** Decodes and fully verifies a checkpoint held in memory (e.g. just fetched from peers). */
export function decodeCheckpoint(bytes, expect) {
    const view = readSafetensors(bytes);
    return decodeVerified(view.header, expect, (entry, dst) => decodeTensorInto(entry, view.data.subarray(entry.begin, entry.end), dst));
}
/**
 * Decodes and fully verifies a checkpoint file, reading one tensor at a time. With
 * `into` (e.g. the engine's parameter buffer) the parameters are read straight into
 * it, so a large model is not held twice; if this throws, `into` holds garbage.
 */
export function decodeCheckpointFile(path, expect, into) {
    const reader = new SafetensorsFileReader(path);
    try {
        return decodeVerified(reader.header, expect, (entry, dst) => reader.readInto(entry.name, dst), into);
    }
    catch (e) {
        throw namingFile(e, path);
    }
    finally {
        reader.close();
    }
}
/** The metadata of a checkpoint file without reading or verifying its tensors. */
export function peekCheckpointFile(path) {
    const reader = new SafetensorsFileReader(path);
    try {
        return parseCheckpointMeta(reader.header.metadata);
    }
    catch (e) {
        throw namingFile(e, path);
    }
    finally {
        reader.close();
    }
}
//# sourceMappingURL=checkpoint.js.map