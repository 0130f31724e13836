// The engine's backend choice ("cpu — no CUDA addon …") is reported through the
// caller's logger: a node's log file is JSON lines (the docs' jq recipes read it), and
// a plain-text line on stderr used to land in it. Without a logger, the line goes to
// stderr, as JSON when GRADMESH_LOG_JSON is set (the testnet sets it for its nodes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Engine } from '../../src/train/engine.js';
import { loadModelConfig, repoRoot } from '../../src/train/model-config.js';
test('Engine.create reports the backend it chose through opts.log, every time it is given one', () => {
    const cfg = loadModelConfig('tiny');
    for (let i = 0; i < 2; i++) {
        const seen = [];
        const engine = Engine.create(cfg, { batch: 1, seqLen: 8, device: 'auto', log: (line, fields) => seen.push({ line, fields }) });
        try {
            assert.equal(seen.length, 1, 'one report per engine');
            assert.equal(seen[0].fields.backend, engine.device);
            assert.equal(typeof seen[0].fields.reason, 'string');
            assert.match(seen[0].line, new RegExp(`^engine backend: ${engine.device} — `));
        }
        finally {
            engine.dispose();
        }
    }
});
test('without a logger: a plain line on stderr, or a JSON line when GRADMESH_LOG_JSON is set', () => {
    const script = `
    const { Engine } = await import(${JSON.stringify(join(repoRoot(), 'dist', 'src', 'train', 'engine.js'))});
    const { loadModelConfig } = await import(${JSON.stringify(join(repoRoot(), 'dist', 'src', 'train', 'model-config.js'))});
    Engine.create(loadModelConfig('tiny'), { batch: 1, seqLen: 8, device: 'auto' }).dispose();
  `;
    const run = (env) => {
        const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
            encoding: 'utf8', timeout: 60_000,
            env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GRADMESH_'))), ...env },
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stderr;
    };
    const json = run({ GRADMESH_LOG_JSON: '1' }).trim().split('\n').filter(Boolean);
    assert.equal(json.length, 1, json.join('\n'));
    const ev = JSON.parse(json[0]);
    assert.equal(ev.event, 'engine_backend');
    assert.match(String(ev.msg), /^engine backend: (cpu|cuda) — /);
    assert.equal(ev.level, 30);
    const plain = run({}).trim();
    assert.match(plain, /^gradmesh engine backend: (cpu|cuda) — /);
});
//# sourceMappingURL=backend-log.test.js.map