// Loads the PyTorch reference fixtures written by scripts/gen-engine-fixtures.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, validateModelConfig } from '../../src/train/model-config.js';
function decode(b64, make) {
    const bytes = Buffer.from(b64, 'base64');
    return make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
export function loadEngineFixture(name) {
    const raw = JSON.parse(readFileSync(join(repoRoot(), 'test', 'fixtures', 'engine', `${name}.json`), 'utf8'));
    return {
        config: validateModelConfig(raw.config, name),
        batch: raw.batch,
        seqLen: raw.seqLen,
        inputs: Int32Array.from(raw.inputs),
        targets: Int32Array.from(raw.targets),
        params: decode(raw.params_f32_b64, (b) => new Float32Array(b)),
        loss: raw.loss,
        perSeqLoss: raw.per_seq_loss,
        logits: decode(raw.logits_f64_b64, (b) => new Float64Array(b)),
        grads: new Map(Object.entries(raw.grads).map(([k, v]) => [k, decode(v, (b) => new Float64Array(b))])),
    };
}
/** max |a - b| / max(|b|) over the arrays: the error relative to the tensor's scale. */
export function scaledMaxError(a, b) {
    let err = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
        err = Math.max(err, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
    }
    return err / Math.max(scale, 1e-30);
}
//# sourceMappingURL=fixtures.js.map