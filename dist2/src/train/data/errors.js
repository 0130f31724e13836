// One error type for everything the data layer refuses: a bad shard, a manifest
// that does not match its files, an input that cannot be parsed, a sampler asked for
// more samples than exist. `code` is stable (tests and callers switch on it);
// `file` names the file at fault when there is one.
export class DataError extends Error {
    code;
    file;
    constructor(code, message, file) {
        super(file ? `${file}: ${message}` : message);
        this.name = 'DataError';
        this.code = code;
        if (file !== undefined)
            this.file = file;
    }
}
//# sourceMappingURL=errors.js.map