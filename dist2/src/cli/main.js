import '../polyfill.js';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { FlagError, USAGE_EXIT_CODE } from './flags.js';
import { ComputeFloorError, COMPUTE_FLOOR_EXIT_CODE } from '../node/compute-floor.js';
/**
 * A fatal error, on stderr: one JSON line when GRADMESH_LOG_JSON is set (a node under
 * `gradmesh testnet`, whose stderr is its JSON log file), else one line of text.
 */
function fatal(prefix, e) {
    if (process.env.GRADMESH_LOG_JSON) {
        process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), pid: process.pid, msg: `${prefix}${e.message}`, err: e.name })}\n`);
    }
    else {
        console.error(`${prefix}${e.message ?? String(e)}`);
    }
}
buildProgram()
    .parseAsync(process.argv)
    .catch((err) => {
    // commander printed its message already (usage errors), or the help/version text
    if (err instanceof CommanderError)
        process.exit(err.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
    const e = err instanceof Error ? err : new Error(String(err));
    // a flag checked in a command's action (a range that depends on another flag)
    if (e instanceof FlagError) {
        fatal('error: ', e);
        process.exit(USAGE_EXIT_CODE);
    }
    fatal('gradmesh: ', e);
    if (process.env.GRADMESH_DEBUG)
        console.error(e.stack);
    // below the compute floor: a distinct status that supervisors do not restart
    process.exit(e instanceof ComputeFloorError ? COMPUTE_FLOOR_EXIT_CODE : 1);
});
//# sourceMappingURL=main.js.map