export const DEFAULT_COMPRESS_OPTIONS = Object.freeze({ chunk: 64, k: 64, demo: false });
export class PayloadError extends Error {
    code;
    constructor(code, message) {
        super(`invalid payload (${code}): ${message}`);
        this.name = 'PayloadError';
        this.code = code;
    }
}
//# sourceMappingURL=types.js.map