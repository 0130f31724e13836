// The deterministic simulator (src/sim): same seed, same run; the regression seeds
// and 50 seeded fault schedules at 16–32 nodes keep every invariant; and the
// invariants do catch a protocol rule taken out (a checker that cannot fail is none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulate, parseAdversaries } from '../../src/sim/world.js';
import { parseFaults } from '../../src/sim/faults.js';
import { repoRoot } from '../../src/train/model-config.js';
const opts = (nodes, windows, seed, faults = 'all', adversaries = 'all') => ({
    nodes, windows, seed, faults: parseFaults(faults), adversaries: parseAdversaries(adversaries), traceLimit: 40,
});
test('same seed, same run, bit for bit; another seed, another run', () => {
    const a = simulate(opts(16, 20, 11));
    const b = simulate(opts(16, 20, 11));
    const c = simulate(opts(16, 20, 12));
    assert.deepEqual(a, b);
    assert.notEqual(a.finalHash, c.finalHash);
    assert.ok(a.manifestsApplied > 16 * 10, `training went on (${a.manifestsApplied} manifests applied)`);
});
test('regression seeds stay free of violations', () => {
    const list = JSON.parse(readFileSync(join(repoRoot(), 'test/sim/regression-seeds.json'), 'utf8'));
    assert.ok(list.seeds.length >= 10);
    for (const s of list.seeds) {
        const r = simulate(opts(s.nodes, s.windows, s.seed, s.faults, s.adversaries));
        assert.deepEqual(r.violations, [], `seed ${s.seed} (${s.nodes} nodes): ${r.trace.join('\n')}`);
    }
});
test('50 seeds with every fault and adversary at 16-32 nodes: no violation', () => {
    for (let seed = 5000; seed < 5050; seed++) {
        const nodes = 16 + (seed % 17);
        const r = simulate(opts(nodes, 24, seed));
        assert.deepEqual(r.violations, [], `seed ${seed} (${nodes} nodes): ${r.trace.join('\n')}`);
    }
});
test('the invariants catch a rule taken out', () => {
    // Seed 25 (16 nodes): a lead dies mid-send, the fallback misses its manifest; without
    // the fork choice the fallback stays on its own chain.
    const broken = simulate({ ...opts(16, 30, 25), disable: { forkChoice: true } });
    assert.ok(broken.violations.length > 0, 'no violation without the fork choice');
    assert.match(broken.violations[0].invariant, /divergence|no_recovery/);
    assert.ok(broken.trace.some((l) => l.includes('VIOLATION')), 'the trace shows it');
    // Seed 6: a lead restarting into null rounds builds on its stale head.
    const noSync = simulate({ ...opts(16, 30, 6), disable: { startupSync: true, forkChoice: true } });
    assert.ok(noSync.violations.length > 0, 'no violation without the start-up sync');
});
test('bad options are named', () => {
    assert.throws(() => parseFaults('crash,meteor'), /--faults: unknown fault "meteor"/);
    assert.throws(() => parseAdversaries('sybil'), /--adversaries: unknown mode "sybil"/);
});
//# sourceMappingURL=sim.test.js.map