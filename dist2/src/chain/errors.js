export class ChainError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.name = 'ChainError';
        this.code = code;
    }
}
export function isChainError(e, code) {
    return e instanceof ChainError && (code === undefined || e.code === code);
}
//# sourceMappingURL=errors.js.map