// One error type for everything the chain layer refuses. `code` is stable and
// machine-readable; `message` says what went wrong AND how to fix it, because it is
// usually printed straight to an operator's terminal.
export type ChainErrorCode =
  | 'bad_endpoint'
  | 'unreachable'
  | 'subnet_not_found'
  | 'not_registered'
  | 'wallet_missing'
  | 'wallet_invalid'
  | 'wallet_insecure'
  | 'bad_password'
  | 'extrinsic_failed'
  | 'bad_weights'
  | 'commitment_too_long'
  | 'unsupported'
  | 'closed'
  | 'rpc';

export class ChainError extends Error {
  readonly code: ChainErrorCode;
  constructor(code: ChainErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChainError';
    this.code = code;
  }
}

export function isChainError(e: unknown, code?: ChainErrorCode): e is ChainError {
  return e instanceof ChainError && (code === undefined || e.code === code);
}
