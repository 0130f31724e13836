// JSON logs through pino: one object per line (machine-readable; the testnet and
// the tests parse them), pretty-printed when stdout is a terminal.
import pino, { type Logger } from 'pino';

export interface LogOptions {
  name: string;
  level?: string;
  pretty?: boolean;
}

/** Keys whose values must never reach a log line. */
const REDACT = ['secretPhrase', 'secretSeed', 'privateKey', 'password', 'mnemonic', '*.secretPhrase', '*.secretSeed', '*.privateKey', '*.password', '*.mnemonic'];

export function createLogger(o: LogOptions): Logger {
  const level = o.level ?? process.env.GRADMESH_LOG_LEVEL ?? 'info';
  const pretty = o.pretty ?? (process.stdout.isTTY === true && !process.env.GRADMESH_LOG_JSON);
  const base = { name: o.name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(base);
}

export type { Logger };
