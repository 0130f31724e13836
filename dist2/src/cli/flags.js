// Numeric command-line flags, checked when commander reads them, before a command
// does any work (a bad --port used to surface as a Node internal error after a
// dataset had been built). Every error names the flag, the accepted range and the
// value given. parseIntFlag / parseNumberFlag are plain functions so that a command
// that takes its flags as strings (testnet) can call them in its action;
// intArg / numberArg wrap them as commander argument parsers.
import { InvalidArgumentError } from 'commander';
/**
 * Exit code of a usage error (a bad, missing or unknown flag or command), as getopt
 * tools and argparse use it; 1 stays for errors met while running.
 */
export const USAGE_EXIT_CODE = 2;
export class FlagError extends Error {
    flag;
    value;
    constructor(flag, value, message) {
        super(message);
        this.flag = flag;
        this.value = value;
        this.name = 'FlagError';
    }
}
/** Common ranges, so that the same flag means the same thing in every command. */
export const RANGES = {
    /** A TCP port to listen on (0 = any free port is not allowed here). */
    port: { min: 1, max: 65535 },
    /** A port where 0 asks the OS for any free one. */
    portOrAny: { min: 0, max: 65535 },
    netuid: { min: 0, max: 65535 },
    /** Engine threads: the node config accepts at most 1024 too. */
    threads: { min: 1, max: 1024 },
    positive: { min: 1 },
    nonNegative: { min: 0 },
};
// Decimal digits only: Number() would also take "", " 12", "0x10", "1e3" and "1.0".
const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
function describeInt(r) {
    const max = r.max ?? Number.MAX_SAFE_INTEGER;
    if (r.min !== undefined && r.max !== undefined)
        return `an integer from ${r.min} to ${r.max}`;
    if (r.min !== undefined)
        return `an integer >= ${r.min}`;
    return `an integer <= ${max}`;
}
function describeNumber(r) {
    const lo = r.min !== undefined ? `${r.exclusiveMin ? '>' : '>='} ${r.min}` : '';
    const hi = r.max !== undefined ? `<= ${r.max}` : '';
    return `a number${lo ? ` ${lo}` : ''}${lo && hi ? ' and' : ''}${hi ? ` ${hi}` : ''}`;
}
/** The integer `value` of `flag`, or a FlagError such as `--port: expected an integer from 1 to 65535, got "abc"`. */
export function parseIntFlag(flag, value, range = {}) {
    const n = INTEGER.test(value) ? Number(value) : NaN;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(n) || (range.min !== undefined && n < range.min) || n > max) {
        throw new FlagError(flag, value, `${flag}: expected ${describeInt(range)}, got ${JSON.stringify(value)}`);
    }
    return n;
}
/** The finite number `value` of `flag`, or a FlagError naming the flag, the range and the value. */
export function parseNumberFlag(flag, value, range = {}) {
    const n = DECIMAL.test(value) ? Number(value) : NaN;
    const belowMin = range.min !== undefined && (range.exclusiveMin ? n <= range.min : n < range.min);
    if (!Number.isFinite(n) || belowMin || (range.max !== undefined && n > range.max)) {
        throw new FlagError(flag, value, `${flag}: expected ${describeNumber(range)}, got ${JSON.stringify(value)}`);
    }
    return n;
}
// Commander prints InvalidArgumentError as
//   error: option '--port <n>' argument 'abc' is invalid. --port: expected …
// and exits (USAGE_EXIT_CODE, see main.ts) without running the action (and without a
// stack trace).
function asCommanderError(fn) {
    try {
        return fn();
    }
    catch (e) {
        if (e instanceof FlagError)
            throw new InvalidArgumentError(e.message.slice(e.flag.length + 2));
        throw e;
    }
}
/** A commander argument parser for an integer flag. */
export function intArg(flag, range = {}) {
    return (value) => asCommanderError(() => parseIntFlag(flag, value, range));
}
/** A commander argument parser for a number flag. */
export function numberArg(flag, range = {}) {
    return (value) => asCommanderError(() => parseNumberFlag(flag, value, range));
}
//# sourceMappingURL=flags.js.map