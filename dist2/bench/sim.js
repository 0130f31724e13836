// `npm run bench -- sim --nodes 256 --windows 200 [--seeds 1000] [--seed 1]`
// The deterministic simulator (src/sim) at scale: one run of N nodes × W windows with
// every fault and adversary (timed: target ≤ 120 s), then `--seeds` seeded fault
// schedules at 16–32 nodes × 30 windows (target: 0 invariant violations). Last line:
// {"bench":"sim","nodes":…,"windows":…,"seeds":…,"seconds":…,"violations":…}
// where seconds is the big run's wall time and seeds counts every run.
import { parseArgs } from 'node:util';
import { simulate, ADVERSARY_MODES } from '../src/sim/world.js';
import { FAULT_KINDS } from '../src/sim/faults.js';
import { describe } from '../src/sim/describe.js';
function int(name, v, dflt) {
    if (v === undefined)
        return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
        throw new Error(`--${name} must be a positive integer, got "${v}"`);
    return n;
}
export async function main(args) {
    const { values } = parseArgs({ args, options: { nodes: { type: 'string' }, windows: { type: 'string' }, seeds: { type: 'string' }, seed: { type: 'string' } } });
    const nodes = int('nodes', values.nodes, 256);
    const windows = int('windows', values.windows, 200);
    const seeds = int('seeds', values.seeds, 1000);
    const seed = int('seed', values.seed, 1);
    const all = { faults: [...FAULT_KINDS], adversaries: [...ADVERSARY_MODES], traceLimit: 40 };
    const t0 = performance.now();
    const big = simulate({ nodes, windows, seed, ...all });
    const seconds = (performance.now() - t0) / 1000;
    let violations = big.violations.length;
    console.log(`sim ${nodes} nodes × ${windows} windows, seed ${seed}, faults ${all.faults.join(',')}, adversaries ${all.adversaries.join(',')}`);
    console.log(`  ${describe(big)}`);
    console.log(`  ${seconds.toFixed(1)} s, ${big.events} events (${Math.round(big.events / seconds)} events/s)`);
    if (big.violations.length)
        for (const l of big.trace)
            console.log(`    ${l}`);
    const t1 = performance.now();
    const failing = [];
    for (let s = 0; s < seeds; s++) {
        const n = 16 + (s % 17);
        const r = simulate({ nodes: n, windows: 30, seed: 100_000 + s, ...all });
        if (r.violations.length) {
            violations += r.violations.length;
            failing.push(`${describe(r)} (nodes ${n})`);
        }
    }
    const manySeconds = (performance.now() - t1) / 1000;
    console.log(`\n${'runs'.padEnd(34)}${'seconds'.padStart(9)}${'violations'.padStart(12)}`);
    console.log(`${`${nodes} nodes × ${windows} windows`.padEnd(34)}${seconds.toFixed(1).padStart(9)}${String(big.violations.length).padStart(12)}`);
    console.log(`${`${seeds} seeds, 16–32 nodes × 30 windows`.padEnd(34)}${manySeconds.toFixed(1).padStart(9)}${String(violations - big.violations.length).padStart(12)}`);
    for (const f of failing.slice(0, 20))
        console.log(`  ${f}`);
    console.log(JSON.stringify({ bench: 'sim', nodes, windows, seeds: seeds + 1, seconds: Number(seconds.toFixed(2)), violations }));
}
//# sourceMappingURL=sim.js.map