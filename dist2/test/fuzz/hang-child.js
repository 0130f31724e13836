// Run by fuzz.test.ts: a target that never returns on case 2, so that the watchdog
// has to report that case and kill this process.
import { GENERIC_MUTATORS } from './mutate.js';
import { runTarget, Watchdog } from './runner.js';
let calls = 0;
const hang = {
    name: 'hang', about: '', corpus: [Uint8Array.of(1, 2, 3)], mutators: GENERIC_MUTATORS, maxLen: 64,
    run() {
        // call 0 is the valid input, calls 1, 2, 3 are cases 0, 1, 2
        if (calls++ === 3)
            for (let spin = 1; spin > 0; spin = (spin % 7) + 1)
                ; // a decoder stuck in a loop
        return { accepted: true };
    },
};
const watchdog = new Watchdog({ hangMs: 500, rssLimitBytes: 2 * 1024 ** 3, seed: 3, targets: ['hang'] });
await runTarget(hang, { inputs: 10, seed: 3, slowMs: 1e9, allocLimitBytes: 1e12, watchdog });
console.log('not reached');
//# sourceMappingURL=hang-child.js.map