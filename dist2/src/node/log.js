// JSON logs through pino: one object per line (machine-readable; the testnet and
// the tests parse them), pretty-printed when stdout is a terminal.
import pino from 'pino';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
/** Keys whose values must never reach a log line. */
const REDACT = ['secretPhrase', 'secretSeed', 'privateKey', 'password', 'mnemonic', '*.secretPhrase', '*.secretSeed', '*.privateKey', '*.password', '*.mnemonic'];
export function createLogger(o) {
    const level = o.level ?? process.env.GRADMESH_LOG_LEVEL ?? 'info';
    const pretty = o.pretty ?? (process.stdout.isTTY === true && !process.env.GRADMESH_LOG_JSON);
    const base = { name: o.name, level, redact: { paths: REDACT, censor: '[redacted]' } };
    // The file, when asked for, gets the JSON lines whatever the terminal shows.
    let file;
    if (o.loggingDir) {
        mkdirSync(o.loggingDir, { recursive: true });
        file = pino.destination({ dest: join(o.loggingDir, o.fileName ?? `${o.name}.log`), append: true, sync: true });
    }
    if (pretty) {
        const targets = [{ target: 'pino-pretty', level, options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } }];
        if (o.loggingDir)
            targets.push({ target: 'pino/file', level, options: { destination: join(o.loggingDir, o.fileName ?? `${o.name}.log`), append: true } });
        return pino({ ...base, transport: { targets } });
    }
    // Synchronous writes: a node exits with process.exit, and pino's asynchronous stdout
    // flushed what it still held at exit in a loop that retries a broken pipe forever —
    // a node whose reader had gone (its testnet orchestrator exited first) hung, its
    // ports held. A synchronous write that meets a broken pipe stops logging instead,
    // and nothing is left to flush at exit (nor lost: the last lines are written).
    const stdout = pino.destination({ dest: 1, sync: true });
    if (!file || level === 'silent')
        return pino(base, stdout);
    return pino(base, pino.multistream([{ stream: stdout, level: level }, { stream: file, level: level }]));
}
//# sourceMappingURL=log.js.map