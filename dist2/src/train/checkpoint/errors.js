// The one error type of the checkpoint module. `code` lets callers tell a peer that
// lied (theta_mismatch, tensor_set, …) from a local problem (io, not_found) without
// parsing messages.
export class CheckpointError extends Error {
    code;
    constructor(code, message, options) {
        super(`${code}: ${message}`, options);
        this.name = 'CheckpointError';
        this.code = code;
    }
}
/**
 * `e` naming the file it is about, as "code: path: why" (the decoders see bytes, not
 * paths); other errors, and errors that already name the file, pass through.
 */
export function namingFile(e, path) {
    if (!(e instanceof CheckpointError) || e.message.startsWith(`${e.code}: ${path}: `))
        return e;
    return new CheckpointError(e.code, `${path}: ${e.message.slice(e.code.length + 2)}`, { cause: e });
}
//# sourceMappingURL=errors.js.map