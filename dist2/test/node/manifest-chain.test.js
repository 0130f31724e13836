import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestChain, GENESIS_DIGEST } from '../../src/node/manifest-chain.js';
const d = (n) => n.toString(16).padStart(64, '0');
test('manifests link in order; gaps ask for the missing predecessor', () => {
    const c = new ManifestChain();
    const m1 = { window: 3, digest: d(1), prevDigest: GENESIS_DIGEST };
    const m2 = { window: 4, digest: d(2), prevDigest: d(1) };
    const m3 = { window: 7, digest: d(3), prevDigest: d(2) }; // windows 5, 6 were null rounds
    assert.deepEqual(c.place(m3), { kind: 'gap', missing: d(2) });
    assert.deepEqual(c.place(m1), { kind: 'next' });
    c.advance(m1);
    assert.deepEqual(c.place(m1), { kind: 'applied' });
    assert.deepEqual(c.place(m3), { kind: 'gap', missing: d(2) });
    c.advance(m2);
    assert.deepEqual(c.place(m3), { kind: 'next' });
    c.advance(m3);
    assert.deepEqual(c.head, { digest: d(3), window: 7 });
    assert.equal(c.place({ window: 7, digest: d(9), prevDigest: d(2) }).kind, 'fork');
    assert.throws(() => c.advance({ window: 9, digest: d(4), prevDigest: d(1) }), /does not link/);
});
//# sourceMappingURL=manifest-chain.test.js.map