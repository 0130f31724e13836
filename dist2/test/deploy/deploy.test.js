// The files of deploy/ against the code they configure: the config template loads
// through the node's real loader, the env files, pm2 apps and systemd unit name real
// commands and settings, and the Grafana dashboard and alert rules query only metrics
// that the node exports (read from OpsMetrics itself) or that they say come from
// elsewhere. promtool checks the rules where it is installed.
import { USAGE_EXIT_CODE } from '../../src/cli/flags.js';
import { COMPUTE_FLOOR_EXIT_CODE } from '../../src/node/compute-floor.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { buildProgram } from '../../src/cli/program.js';
import { OpsMetrics } from '../../src/ops/metrics.js';
import { NodeConfigSchema, resolveNodeConfig } from '../../src/ops/config/node-config.js';
import { configLeaves } from '../../src/ops/config/resolve.js';
import { repoRoot } from '../../src/train/model-config.js';
import { sampleStatus } from '../ops/sample-status.js';
const root = repoRoot();
const deploy = (...p) => join(root, 'deploy', ...p);
const read = (...p) => readFileSync(deploy(...p), 'utf8');
const leaves = configLeaves(NodeConfigSchema);
/** GRADMESH_* variables that are not settings of the schema but are read elsewhere. */
const OTHER_ENV = new Set(['GRADMESH_CONFIG', 'GRADMESH_LOG_JSON']);
const KNOWN_ENV = new Set([...leaves.map((l) => l.envName), ...OTHER_ENV]);
/** KEY=VALUE lines of an env file; commented-out ones too when asked. */
function envFile(text, includeCommented = false) {
    const out = {};
    for (const line of text.split('\n')) {
        const m = (includeCommented ? /^#?([A-Z][A-Z0-9_]*)=(.*)$/ : /^([A-Z][A-Z0-9_]*)=(.*)$/).exec(line.trim());
        if (m)
            out[m[1]] = m[2];
    }
    return out;
}
/** Metric names a PromQL expression reads (functions, keywords, labels, ranges and strings removed). */
export function promqlMetrics(expr) {
    let e = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    e = e.replace(/label_values\(\s*([a-zA-Z_:][\w:]*)\s*,[^)]*\)/g, ' $1 ');
    e = e.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
    e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
    e = e.replace(/\$\w+/g, ' ');
    const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
    const out = [];
    for (const m of e.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
        if (m[2] || keywords.has(m[1]))
            continue;
        out.push(m[1]);
    }
    return out;
}
/** Every metric name the node's /metrics can carry, for both roles, from the real exporter. */
async function exportedMetrics() {
    const names = new Set();
    for (const role of ['miner', 'validator']) {
        const text = await new OpsMetrics(() => sampleStatus({ role, uid: 0, window: 5 }), { processMetrics: true }).render();
        for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
            names.add(m[1]);
            if (m[2] === 'histogram' || m[2] === 'summary')
                for (const s of ['_bucket', '_sum', '_count'])
                    names.add(m[1] + s);
        }
    }
    return names;
}
function ruleExprs(yaml) {
    const out = [];
    const lines = yaml.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const m = /^(\s*)expr:\s*(.*)$/.exec(lines[i]);
        if (!m)
            continue;
        if (m[2] !== '|' && m[2] !== '>') {
            out.push(m[2]);
            continue;
        }
        const block = [];
        while (i + 1 < lines.length && (lines[i + 1].trim() === '' || lines[i + 1].search(/\S/) > m[1].length))
            block.push(lines[++i].trim());
        out.push(block.join(' '));
    }
    return out;
}
describe('deploy/', () => {
    it('the PromQL metric extractor (self-check)', () => {
        assert.deepEqual(promqlMetrics('sum by (direction, topic) (rate(gradmesh_p2p_bytes_total{instance=~"$instance"}[$__rate_interval]))'), ['gradmesh_p2p_bytes_total']);
        assert.deepEqual(promqlMetrics('(a_b{x="y"} unless on (instance) c) and on (instance) (time() - d) > 7200'), ['a_b', 'c', 'd']);
        assert.deepEqual(promqlMetrics('label_values(gradmesh_node_info, instance)'), ['gradmesh_node_info']);
    });
    it('the config template loads through the node\'s config loader, for both roles', () => {
        const file = deploy('config', 'node.example.json');
        const json = JSON.parse(readFileSync(file, 'utf8'));
        for (const role of ['miner', 'validator']) {
            const c = resolveNodeConfig({ role, configPath: file, env: {}, home: '/nonexistent-home' });
            assert.equal(c.run, json.run);
            assert.deepEqual(c.wallet, json.wallet);
            assert.deepEqual(c.listen, json.listen);
            assert.deepEqual(c.ops, json.ops);
            assert.equal(c.dataDir, json.dataDir);
        }
    });
    it('the commented template is the same JSON and describes every setting', () => {
        const md = read('config', 'README.md');
        const block = /```jsonc\n([\s\S]*?)```/.exec(md)?.[1];
        assert.ok(block, 'a ```jsonc block');
        const stripped = block.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
        assert.deepEqual(JSON.parse(stripped), JSON.parse(read('config', 'node.example.json')));
        for (const l of leaves)
            assert.ok(md.includes(`"${l.path[l.path.length - 1]}"`), `deploy/config/README.md describes "${l.path.join('.')}"`);
    });
    it('the systemd env files set only known variables and configure a node', () => {
        for (const role of ['miner', 'validator']) {
            const text = read('systemd', `${role}.env.example`);
            for (const k of Object.keys(envFile(text, true)))
                assert.ok(KNOWN_ENV.has(k), `${role}.env.example: ${k} is not a gradmesh setting`);
            const c = resolveNodeConfig({ role, env: envFile(text), home: '/nonexistent-home' });
            assert.equal(c.wallet.name, role);
            assert.equal(c.ops.port, role === 'miner' ? 9900 : 9901);
        }
    });
    it('the systemd unit runs `gradmesh <role>` for both roles, restarts and sets limits', () => {
        const unit = read('systemd', 'gradmesh@.service');
        const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1];
        assert.ok(exec);
        assert.match(exec, /\/bin\/gradmesh\.js %i$/);
        const commands = new Set(buildProgram().commands.map((c) => c.name()));
        for (const role of ['miner', 'validator']) {
            assert.ok(commands.has(role));
            assert.ok(existsSync(deploy('systemd', `${role}.env.example`)));
        }
        assert.match(unit, /^EnvironmentFile=\/etc\/gradmesh\/%i\.env$/m);
        assert.match(unit, /^Restart=always$/m);
        // exits a restart cannot fix are not restarted: the CLI's usage and compute-floor codes
        const prevent = unit.match(/^RestartPreventExitStatus=(.*)$/m)?.[1]?.split(/\s+/).map(Number);
        assert.deepEqual(prevent, [USAGE_EXIT_CODE, COMPUTE_FLOOR_EXIT_CODE]);
        assert.match(unit, /^LimitNOFILE=\d+$/m);
        assert.match(unit, /^MemoryMax=/m);
        // the GPU must stay visible and the V8 JIT must be allowed to write code
        assert.doesNotMatch(unit, /^(PrivateDevices=yes|MemoryDenyWriteExecute=yes)$/m);
    });
    it('the pm2 ecosystem starts real commands with known settings', () => {
        const require = createRequire(import.meta.url);
        const eco = require(deploy('pm2', 'ecosystem.config.cjs'));
        const commands = new Set(buildProgram().commands.map((c) => c.name()));
        assert.deepEqual(eco.apps.map((a) => a.name), ['gradmesh-miner', 'gradmesh-validator']);
        for (const a of eco.apps) {
            assert.ok(existsSync(a.script), a.script);
            assert.ok(commands.has(a.args[0]), `gradmesh ${a.args[0]}`);
            for (const k of Object.keys(a.env))
                assert.ok(KNOWN_ENV.has(k), `${a.name}: ${k}`);
            const c = resolveNodeConfig({ role: a.args[0], env: a.env, home: '/nonexistent-home' });
            assert.equal(c.wallet.name, a.args[0]);
            assert.ok(a.kill_timeout >= 60000, 'time to save state on shutdown');
            assert.deepEqual(a.stop_exit_codes, [USAGE_EXIT_CODE, COMPUTE_FLOOR_EXIT_CODE], 'pm2 does not restart usage or compute-floor exits');
        }
    });
    it('the Grafana dashboard queries only metrics the node exports', async () => {
        const exported = await exportedMetrics();
        const dash = JSON.parse(read('grafana', 'gradmesh-dashboard.json'));
        const exprs = [];
        for (const p of dash.panels)
            for (const t of p.targets ?? [])
                exprs.push(t.expr);
        for (const v of dash.templating.list)
            if (v.query && typeof v.query === 'object')
                exprs.push(v.query.query);
        assert.ok(exprs.length >= 25);
        const used = new Set(exprs.flatMap(promqlMetrics));
        const unknown = [...used].filter((m) => !exported.has(m));
        assert.deepEqual(unknown, [], 'metrics the node does not export');
        // the dashboard covers what an operator watches first
        for (const m of ['gradmesh_theta_in_sync', 'gradmesh_peers', 'gradmesh_train_loss', 'gradmesh_eval_loss', 'gradmesh_chain_weights_set_block', 'gradmesh_p2p_bytes_total'])
            assert.ok(used.has(m), m);
    });
    it('the alert rules cover the failures and read only known metrics; promtool accepts them', async (t) => {
        const yaml = read('prometheus', 'gradmesh-alerts.yml');
        const alerts = [...yaml.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
        for (const a of ['GradmeshOutOfSync', 'GradmeshNoPeers', 'GradmeshLateWindows', 'GradmeshWeightsNotSet', 'GradmeshDiskFilling'])
            assert.ok(alerts.includes(a), a);
        const exported = await exportedMetrics();
        // from Prometheus itself (up) and node_exporter (disk), as the rules file says
        const external = new Set(['up', 'node_filesystem_avail_bytes', 'node_filesystem_size_bytes']);
        const exprs = ruleExprs(yaml);
        assert.equal(exprs.length, alerts.length);
        const unknown = [...new Set(exprs.flatMap(promqlMetrics))].filter((m) => !exported.has(m) && !external.has(m));
        assert.deepEqual(unknown, []);
        const promtool = spawnSync('promtool', ['check', 'rules', deploy('prometheus', 'gradmesh-alerts.yml')], { encoding: 'utf8' });
        if (promtool.error)
            return t.skip('promtool not installed (Debian: apt-get install prometheus)');
        assert.equal(promtool.status, 0, promtool.stdout + promtool.stderr);
        const config = spawnSync('promtool', ['check', 'config', deploy('prometheus', 'prometheus.yml')], { encoding: 'utf8' });
        assert.equal(config.status, 0, config.stdout + config.stderr);
    });
    it('the image scripts parse and the Dockerfiles build the native engine and run gradmesh', () => {
        assert.equal(spawnSync('bash', ['-n', deploy('build-image.sh')]).status, 0);
        for (const f of ['Dockerfile.cpu', 'Dockerfile.cuda']) {
            const d = read('docker', f);
            assert.match(d, /npm run build:native/);
            assert.match(d, /ENTRYPOINT \[.*"node", "\/opt\/gradmesh\/bin\/gradmesh\.js"\]/);
            // a "# syntax=" line would make BuildKit pull a frontend image from a registry
            assert.doesNotMatch(d, /^# *syntax=/m);
            assert.ok(existsSync(deploy('docker', `${f}.dockerignore`)));
        }
        assert.match(read('docker', 'Dockerfile.cpu'), /^ARG BASE=debian:bookworm/m);
        assert.match(read('docker', 'Dockerfile.cuda'), /^FROM nvidia\/cuda:\$\{CUDA_VERSION\}-devel/m);
        assert.match(read('docker', 'Dockerfile.cuda'), /test -f build\/cuda\/gradmesh_cuda\.node/);
    });
});
//# sourceMappingURL=deploy.test.js.map