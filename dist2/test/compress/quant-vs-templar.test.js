// Where our SparseLoCo quantiser differs from Templar's, and the measured cost of each
// difference, as docs/compression.md states them. The doc's table must be what
// test/compress/quant-vs-templar.ts measures today (native compressor, deterministic).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunking, compressWithFeedback, decompressInto } from '../../src/train/compress/index.js';
import { repoRoot } from '../../src/train/model-config.js';
import { templarChunkK, templarDequantise, templarQuantise } from './templar-quant.js';
import { markdownTable, measure, OPTIONS } from './quant-vs-templar.js';
const layoutOf = (...shapes) => {
    let offset = 0;
    return shapes.map((shape, i) => {
        const numel = shape.reduce((a, b) => a * b, 1);
        const t = { name: `t${i}`, shape, offset, numel };
        offset += numel;
        return t;
    });
};
describe('our quantiser against Templar\'s', () => {
    it('Templar\'s bins are asymmetric around the shift; ours are symmetric', () => {
        // v = −3, −1, 1, 3: shift 0, sample σ = sqrt(20/3), Templar scale = 1.5σ ≈ 3.873;
        // c/scale + 2 ≈ 1.23, 1.74, 2.26, 2.77 → codes 1, 2, 2, 3 (bin 2 straddles the shift)
        const t = templarQuantise([-3, -1, 1, 3]);
        assert.deepEqual([...t.codes], [1, 2, 2, 3]);
        assert.deepEqual([0, 1, 2, 3].map((i) => templarDequantise(t, i)), [-3, 0, 0, 3]);
        assert.ok(Math.abs(t.scale - 1.5 * Math.sqrt(20 / 3)) < 1e-5, 'sample σ (n − 1)');
        // ours (native): population σ, scale = 1.5·sqrt(20/4) ≈ 3.354, edges −3.354, 0, 3.354:
        // both negatives in bin 1 and both positives in bin 2, the two inner bins
        const layout = layoutOf([4]);
        const cm = compressWithFeedback(new Float32Array(4), Float32Array.from([-3, -1, 1, 3]), layout, 0, { chunk: 64, k: 64, demo: false });
        assert.deepEqual([...cm.codes], [1, 1, 2, 2]);
        assert.ok(Math.abs(cm.quant[1] - 1.5 * Math.sqrt(5)) < 1e-5, 'population σ (n)');
        const out = new Float32Array(4);
        decompressInto(cm, out);
        assert.deepEqual([...out], [-2, -2, 2, 2]);
    });
    it('odd chunks: we keep min(k, n), Templar an even k ≥ 2; prime lengths: we keep all, Templar fails', () => {
        // a 1-D tensor of 99 is cut into chunks of 33 (largest divisor ≤ 64)
        const odd = chunking(layoutOf([99]), OPTIONS)[0];
        assert.equal(odd.br * odd.bc, 33);
        assert.equal(odd.k, 33);
        assert.equal(templarChunkK(64, 33), 32);
        // a prime length > 64 gives chunks of one element
        const prime = chunking(layoutOf([97]), OPTIONS)[0];
        assert.equal(prime.br * prime.bc, 1);
        assert.equal(prime.k * prime.gr * prime.gc, 97, 'every value kept');
        assert.equal(templarChunkK(64, 1), null, 'torch.topk(k = 2) on one element');
        // LLM shapes (multiples of 64) keep the same k in both
        assert.equal(templarChunkK(64, 4096), 64);
    });
    it('docs/compression.md quotes the reconstruction errors measured today', () => {
        const table = markdownTable(measure());
        const doc = readFileSync(join(repoRoot(), 'docs', 'compression.md'), 'utf8');
        assert.ok(doc.includes(table), `docs/compression.md should contain this table (regenerate it with the command in the doc):\n${table}`);
    });
});
//# sourceMappingURL=quant-vs-templar.test.js.map