// Child process for the cross-process determinism test: prints the golden scenario.
import '../../src/polyfill.js';
import { loadNative } from '../../src/native/index.js';
import { runScenario, SCENARIO_OPTIONS } from './scenario.js';
loadNative().setThreads(Number(process.argv[2] ?? '1'));
const out = {};
for (const [name, o] of Object.entries(SCENARIO_OPTIONS))
    out[name] = runScenario(o);
process.stdout.write(JSON.stringify(out) + '\n');
//# sourceMappingURL=scenario-child.js.map