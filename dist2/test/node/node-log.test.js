// A node's logger (src/node/log.ts):
//  - a node whose stdout reader is gone (its testnet orchestrator exited first) still
//    exits: pino's asynchronous stdout flushed its buffer at exit in a loop that
//    retries a broken pipe forever, and the node hung with its ports held;
//  - --logging.logging_dir writes the same JSON lines to a file as well.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../src/train/model-config.js';
const LOG_JS = join(repoRoot(), 'dist', 'src', 'node', 'log.js');
function runChild(script, onStdout, timeoutMs) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    onStdout(child);
    const t0 = Date.now();
    return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('exit', (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, ms: Date.now() - t0 });
        });
    });
}
test('a node whose stdout reader went away exits, with lines still to write', { timeout: 60_000 }, async () => {
    const script = `
    const { createLogger } = await import(${JSON.stringify(LOG_JS)});
    const log = createLogger({ name: 'miner', pretty: false });
    log.info('started');
    setTimeout(() => {
      for (let i = 0; i < 2000; i++) log.info({ i }, 'a line');
      log.info('stopped');
      process.exit(0);
    }, 500);
  `;
    // The reader closes its end after the first line, as an orchestrator that exits does.
    const r = await runChild(script, (child) => child.stdout.once('data', () => child.stdout.destroy()), 10_000);
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null }, `exited after ${r.ms} ms (killed at 10 s: it hung)`);
});
test('logging_dir: the JSON lines go to a file there too', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-logdir-'));
    try {
        const script = `
      const { createLogger } = await import(${JSON.stringify(LOG_JS)});
      const log = createLogger({ name: 'validator', pretty: false, loggingDir: ${JSON.stringify(join(dir, 'sub'))}, fileName: 'validator-w-h.log' });
      log.info({ event: 'eval', loss: 1.5 }, 'held-out loss');
      log.debug('not at info');
      process.exit(0);
    `;
        let out = '';
        const r = await runChild(script, (child) => child.stdout.on('data', (d) => (out += d.toString())), 20_000);
        assert.equal(r.code, 0);
        assert.deepEqual(readdirSync(join(dir, 'sub')), ['validator-w-h.log']);
        const file = readFileSync(join(dir, 'sub', 'validator-w-h.log'), 'utf8').trim().split('\n');
        assert.equal(file.length, 1);
        assert.equal(JSON.parse(file[0]).event, 'eval');
        assert.equal(out.trim(), file[0], 'the same line on stdout');
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=node-log.test.js.map