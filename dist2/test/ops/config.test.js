import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { resolveConfig, explicitFlags, configLeaves, readConfigFile, ConfigError } from '../../src/ops/config/resolve.js';
import { resolveNodeConfig, NodeConfigSchema } from '../../src/ops/config/node-config.js';
const PEER = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';
function configError(fn) {
    try {
        fn();
    }
    catch (e) {
        if (e instanceof ConfigError)
            return e;
        throw e;
    }
    assert.fail('expected a ConfigError');
}
test('settings get btcli flag names and GRADMESH_ variables from the schema', () => {
    const leaves = new Map(configLeaves(NodeConfigSchema).map((l) => [l.path.join('.'), l]));
    assert.equal(leaves.get('wallet.name').flagName, '--wallet.name');
    assert.equal(leaves.get('wallet.name').envName, 'GRADMESH_WALLET_NAME');
    assert.equal(leaves.get('subtensor.chain_endpoint').flagName, '--subtensor.chain_endpoint');
    assert.equal(leaves.get('subtensor.chain_endpoint').envName, 'GRADMESH_SUBTENSOR_CHAIN_ENDPOINT');
    assert.equal(leaves.get('dataDir').flagName, '--data-dir');
    assert.equal(leaves.get('dataDir').envName, 'GRADMESH_DATA_DIR');
    assert.equal(leaves.get('ops.port').envName, 'GRADMESH_OPS_PORT');
    assert.equal(leaves.get('logLevel').envName, 'GRADMESH_LOG_LEVEL');
});
test('precedence: flags > environment > file > defaults, setting by setting', () => {
    const schema = z.strictObject({
        wallet: z.strictObject({ name: z.string(), hotkey: z.string() }),
        threads: z.number().int().min(1),
        listen: z.array(z.string()),
        verbose: z.boolean(),
    });
    const defaults = { wallet: { name: 'd-name', hotkey: 'd-hot' }, threads: 1, listen: ['/d'], verbose: false };
    const file = { wallet: { name: 'f-name', hotkey: 'f-hot' }, threads: 2, listen: ['/f'] };
    const env = { GRADMESH_WALLET_NAME: 'e-name', GRADMESH_THREADS: '3', GRADMESH_LISTEN: '/e1, /e2', GRADMESH_VERBOSE: 'yes', OTHER: 'x' };
    const flags = { 'wallet.name': 'flag-name', threads: '4', unrelated: 'ignored' };
    assert.deepEqual(resolveConfig(schema, { defaults }), defaults);
    assert.deepEqual(resolveConfig(schema, { defaults, file }), { ...file, verbose: false });
    assert.deepEqual(resolveConfig(schema, { defaults, file, env }), { wallet: { name: 'e-name', hotkey: 'f-hot' }, threads: 3, listen: ['/e1', '/e2'], verbose: true });
    assert.deepEqual(resolveConfig(schema, { defaults, file, env, flags }), { wallet: { name: 'flag-name', hotkey: 'f-hot' }, threads: 4, listen: ['/e1', '/e2'], verbose: true });
    // An undefined flag (commander's "not given") does not hide the layers below.
    assert.equal(resolveConfig(schema, { defaults, file, flags: { threads: undefined } }).threads, 2);
    // An empty variable counts as unset.
    assert.equal(resolveConfig(schema, { defaults, env: { GRADMESH_THREADS: '' } }).threads, 1);
});
test('an error names the field, the expected value, what was given and where it came from', () => {
    const base = { role: 'miner', home: '/home/op' };
    let e = configError(() => resolveNodeConfig({ ...base, env: { GRADMESH_THREADS: 'many' } }));
    assert.deepEqual(e.issues, [{ field: 'threads', expected: 'a number', received: '"many"', from: 'env GRADMESH_THREADS' }]);
    assert.match(e.message, /^invalid configuration:\n {2}threads: expected a number, got "many" \(from env GRADMESH_THREADS\)$/);
    e = configError(() => resolveNodeConfig({ ...base, flags: { 'subtensor.network': 'mainnet', threads: '1.5' } }));
    assert.deepEqual(e.issues.map((i) => i.field).sort(), ['subtensor.network', 'threads']);
    assert.match(e.message, /subtensor\.network: expected one of "finney", "test", "local", got "mainnet" \(from flag --subtensor\.network\)/);
    assert.match(e.message, /threads: expected an integer, got 1\.5 \(from flag --threads\)/);
    e = configError(() => resolveNodeConfig({ ...base, env: { GRADMESH_OPS_PORT: '70000' } }));
    assert.match(e.message, /ops\.port: expected a number <= 65535, got 70000 \(from env GRADMESH_OPS_PORT\)/);
    const dir = mkdtempSync(join(tmpdir(), 'gradmesh-config-'));
    try {
        const path = join(dir, 'node.json');
        writeFileSync(path, JSON.stringify({ walet: { name: 'x' }, bootstrap: ['/ip4/1.2.3.4/tcp/9000'], subtensor: { chain_endpoint: 'http://node:9944' } }));
        e = configError(() => resolveNodeConfig({ ...base, configPath: path }));
        const byField = new Map(e.issues.map((i) => [i.field, i]));
        assert.equal(byField.get('walet').expected, 'a known setting (did you mean "wallet"?)');
        assert.equal(byField.get('walet').from, `file ${path}`);
        assert.match(byField.get('bootstrap.0').expected, /a multiaddr ending in \/p2p\/<peer id>/);
        assert.equal(byField.get('bootstrap.0').received, '"/ip4/1.2.3.4/tcp/9000"');
        assert.equal(byField.get('subtensor.chain_endpoint').expected, 'a ws:// or wss:// URL');
        writeFileSync(path, '{ "run": ');
        assert.match(configError(() => resolveNodeConfig({ ...base, configPath: path })).message, /\(file\): expected valid JSON \(from .*node\.json: /);
        assert.match(configError(() => readConfigFile(join(dir, 'missing.json'))).message, /expected a readable JSON file \(from .*missing\.json: ENOENT\)/);
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
    // A required setting with no value anywhere says how to give it.
    e = configError(() => resolveConfig(z.strictObject({ wallet: z.strictObject({ hotkey: z.string() }) }), {}));
    assert.equal(e.message, 'invalid configuration:\n  wallet.hotkey: expected a string (not set: give --wallet.hotkey, GRADMESH_WALLET_HOTKEY or "wallet.hotkey" in the config file)');
});
test('a node config from real commander flags, the environment, a file and the role profile', () => {
    const cmd = new Command('miner')
        .exitOverride()
        .option('--config <file>')
        .option('--wallet.name <name>', 'wallet', 'default')
        .option('--wallet.hotkey <hotkey>', 'hotkey', 'default')
        .option('--bootstrap <addr>', 'peer', (v, prev = []) => [...prev, v], [])
        .option('--ops-port <n>')
        .option('--data-dir <dir>');
    cmd.parse(['--wallet.hotkey', 'h1', '--bootstrap', `/ip4/10.0.0.1/tcp/9000/p2p/${PEER}`, '--ops-port', '9990'], { from: 'user' });
    const flags = explicitFlags(cmd);
    assert.deepEqual(flags, { 'wallet.hotkey': 'h1', bootstrap: [`/ip4/10.0.0.1/tcp/9000/p2p/${PEER}`], opsPort: '9990' }, 'defaults of commander are not flags');
    const dir = mkdtempSync(join(tmpdir(), 'gradmesh-config-'));
    try {
        const path = join(dir, 'miner.json');
        writeFileSync(path, JSON.stringify({ wallet: { name: 'from-file', hotkey: 'file-hot' }, threads: '6', subtensor: { network: 'test' } }));
        const c = resolveNodeConfig({ role: 'miner', flags, env: { GRADMESH_CONFIG: path, GRADMESH_SUBTENSOR_CHAIN_ENDPOINT: 'ws://127.0.0.1:9944' }, home: '/home/op' });
        assert.deepEqual(c, {
            run: 'testnet-tiny',
            wallet: { name: 'from-file', hotkey: 'h1', path: '/home/op/.bittensor/wallets' },
            subtensor: { network: 'test', chain_endpoint: 'ws://127.0.0.1:9944' },
            listen: ['/ip4/0.0.0.0/tcp/9000'],
            announce: [],
            bootstrap: [`/ip4/10.0.0.1/tcp/9000/p2p/${PEER}`],
            threads: 6,
            reachability: 'auto',
            relay: { serve: false, max_reservations: 64, data_limit_mib: 0, duration_limit_s: 0 },
            logLevel: 'info',
            ops: { enabled: true, port: 9990, host: '127.0.0.1' },
        });
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
    // The two profiles are valid on their own and do not collide on one host.
    const miner = resolveNodeConfig({ role: 'miner', env: {} });
    const validator = resolveNodeConfig({ role: 'validator', env: {} });
    assert.notEqual(miner.ops.port, validator.ops.port);
    // validators serve as circuit relays for miners behind NATs; miners do not
    assert.equal(validator.relay.serve, true);
    assert.equal(miner.relay.serve, false);
    assert.notDeepEqual(miner.listen, validator.listen);
});
//# sourceMappingURL=config.test.js.map