// `npm run sim -- --nodes N --windows W --seed S [--seeds K] [--faults LIST] [--adversaries LIST] [--trace N]`
// Runs the deterministic simulator; prints one line per seed, the trace of a failing
// seed, and exits 1 when any invariant broke.
import '../polyfill.js';
import { parseArgs } from 'node:util';
import { simulate, parseAdversaries } from './world.js';
import { describe } from './describe.js';
import { parseFaults } from './faults.js';
function int(name, v, dflt, min) {
    if (v === undefined)
        return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
        throw new Error(`--${name} must be an integer ≥ ${min}, got "${v}"`);
    return n;
}
async function main() {
    const { values } = parseArgs({
        options: {
            nodes: { type: 'string' }, windows: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' },
            faults: { type: 'string' }, adversaries: { type: 'string' }, trace: { type: 'string' },
        },
    });
    const nodes = int('nodes', values.nodes, 16, 4);
    const windows = int('windows', values.windows, 30, 1);
    const seed = int('seed', values.seed, 1, 0);
    const seeds = int('seeds', values.seeds, 1, 1);
    const traceLimit = int('trace', values.trace, 60, 0);
    const faults = parseFaults(values.faults);
    const adversaries = parseAdversaries(values.adversaries);
    let bad = 0;
    for (let s = seed; s < seed + seeds; s++) {
        const r = simulate({ nodes, windows, seed: s, faults, adversaries, traceLimit });
        console.log(describe(r));
        if (r.violations.length > 0) {
            bad++;
            console.log(`  replay: npm run sim -- --nodes ${nodes} --windows ${windows} --seed ${s} --faults ${faults.join(',') || 'none'} --adversaries ${adversaries.join(',') || 'none'}`);
            for (const line of r.trace)
                console.log(`  ${line}`);
        }
    }
    if (bad > 0)
        process.exitCode = 1;
}
main().catch((e) => {
    console.error(e.message);
    process.exitCode = 2;
});
//# sourceMappingURL=cli.js.map