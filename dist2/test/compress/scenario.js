// The golden scenario: 3 miners, 3 windows, awkward shapes, error feedback, payloads
// encoded to wire bytes, decoded and aggregated. Shared by the golden test, the
// cross-process test (run as a child) and the thread-count test.
import { aggregateAndStep, compressWithFeedback, decodePayload, encodePayload, modelShapeHash, payloadDigest, thetaHash, thetaHashBytes, } from '../../src/train/compress/index.js';
import { awkwardLayout, bytes32, layoutSize, testVector } from './helpers.js';
export const SCENARIO_OPTIONS = {
    plain: { chunk: 64, k: 8, demo: false },
    demo: { chunk: 16, k: 6, demo: true },
};
export function runScenario(o, uids = [7, 2, 11], windows = 3, beta = 0.95, lr = 0.5) {
    const layout = awkwardLayout();
    const n = layoutSize(layout);
    const params = testVector(n, 1);
    const errors = uids.map(() => new Float32Array(n));
    const shape = modelShapeHash(layout);
    const digests = [];
    const thetas = [];
    for (let w = 0; w < windows; w++) {
        const base = thetaHashBytes(params);
        const decoded = uids.map((uid, i) => {
            const delta = testVector(n, 1000 * uid + w);
            const c = compressWithFeedback(errors[i], delta, layout, beta, o);
            const bytes = encodePayload({ version: 1, runHash: bytes32(0xab), window: w, uid, modelShapeHash: shape, baseThetaHash: base }, c);
            digests.push(payloadDigest(bytes));
            return { uid, payload: decodePayload(bytes, layout, { window: w, uid, baseThetaHash: base }) };
        });
        aggregateAndStep(params, layout, decoded, lr);
        thetas.push(thetaHash(params));
    }
    return { digests, thetas };
}
//# sourceMappingURL=scenario.js.map