// Command-line input, through the real CLI (bin/gradmesh.js in a child process):
// numeric flags are checked before anything runs and the error names the flag and
// the value; an unknown flag is one line naming it and the nearest known flag (no
// usage dump); a run spec given as a path is reported by that path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CommanderError } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIntFlag, parseNumberFlag, FlagError } from '../../src/cli/flags.js';
import { buildProgram } from '../../src/cli/program.js';
import { loadRunSpec, runSpecPath } from '../../src/node/run-spec.js';
import { loadModelConfig, modelConfigPath, repoRoot } from '../../src/train/model-config.js';
const CLI = join(repoRoot(), 'bin', 'gradmesh.js');
/** The real CLI in a child process (about 3 s each: it loads every command's modules). */
function cli(args) {
    return new Promise((done) => {
        const child = spawn(process.execPath, [CLI, ...args], {
            // No GRADMESH_* settings of the caller's shell may change what the node commands read.
            env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GRADMESH_'))),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d.toString()));
        child.stderr.on('data', (d) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('close', (status) => {
            clearTimeout(timer);
            done({ status, stdout, stderr });
        });
    });
}
/**
 * The same program in this process, for the long table of cases (a child process
 * each would take minutes): commander's errors are captured instead of exiting, and
 * an action that runs anyway shows up as `ran`.
 */
async function inProcess(args) {
    const program = buildProgram();
    let stderr = '';
    const walk = (c) => {
        c.exitOverride().configureOutput({ writeErr: (t) => (stderr += t), writeOut: () => { } });
        for (const sub of c.commands)
            walk(sub);
    };
    walk(program);
    for (const leaf of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
        leaf.action(() => {
            throw new Error('ran');
        });
    }
    try {
        await program.parseAsync(['node', 'gradmesh', ...args]);
        return { exitCode: 0, stderr };
    }
    catch (e) {
        if (e instanceof CommanderError)
            return { exitCode: e.exitCode, stderr };
        return { exitCode: null, stderr: stderr + String(e) };
    }
}
test('parseIntFlag / parseNumberFlag: integer ranges, the flag and the value in the error', () => {
    assert.equal(parseIntFlag('--port', '9700', { min: 1, max: 65535 }), 9700);
    assert.equal(parseIntFlag('--port', '0', { min: 0, max: 65535 }), 0);
    for (const bad of ['abc', '', ' 12', '1.5', '1e3', '0x10', '99999', '-1', '12abc']) {
        assert.throws(() => parseIntFlag('--port', bad, { min: 1, max: 65535 }), (e) => {
            assert.ok(e instanceof FlagError);
            assert.match(e.message, /^--port: expected an integer from 1 to 65535, got "/);
            assert.ok(e.message.includes(JSON.stringify(bad)), e.message);
            return true;
        });
    }
    assert.throws(() => parseIntFlag('--steps', '0', { min: 1 }), { message: '--steps: expected an integer >= 1, got "0"' });
    assert.equal(parseNumberFlag('--lr', '3e-4', { min: 0, exclusiveMin: true }), 3e-4);
    assert.throws(() => parseNumberFlag('--lr', '0', { min: 0, exclusiveMin: true }), /--lr: expected a number > 0, got "0"/);
    assert.throws(() => parseNumberFlag('--lr', 'NaN', { min: 0 }), /--lr: expected a number >= 0, got "NaN"/);
    assert.throws(() => parseNumberFlag('--weight-decay', 'x', { min: 0 }), /--weight-decay: expected a number >= 0, got "x"/);
});
test('numeric flags of train, data, export and the node commands are refused up front, naming flag and value', async () => {
    const cases = [
        [['train', '--steps', 'abc'], /--steps.*'abc'/],
        [['train', '--threads', '0'], /--threads.*'0'/],
        [['train', '--weight-decay', 'x'], /--weight-decay.*'x'/],
        [['train', '--lr', '-1'], /--lr.*'-1'/],
        [['train', '--eval-every', '-1'], /--eval-every.*'-1'/],
        [['data', 'prepare', '--in', 'x', '--out', 'y', '--shard-tokens', '1.5'], /--shard-tokens.*'1\.5'/],
        [['data', 'pool', '--run-hash', 'a'.repeat(64), '--uid', 'abc', '--window', '0', '--size', '4', '--samples', '10'], /--uid.*'abc'/],
        [['data', 'pool', '--run-hash', 'a'.repeat(64), '--uid', '0', '--window', '-3', '--size', '4', '--samples', '10'], /--window.*'-3'/],
        [['export', '--out', 'x', '--init', '--seed', 'seven'], /--seed.*'seven'/],
        [['miner', '--threads', 'abc'], /--threads.*'abc'/],
        [['miner', '--netuid', '70000'], /--netuid.*'70000'/],
        [['validator', '--ops.port', '99999'], /--ops\.port.*'99999'/],
        [['status', '--watch', 'soon'], /--watch.*'soon'/],
    ];
    for (const [args, want] of cases) {
        const r = await inProcess(args);
        assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, want, args.join(' '));
        assert.equal(r.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line, got:\n${r.stderr}`);
    }
    // The real CLI: exit code 2 (a usage error) and one line, no usage and no Node internals.
    const [port, steps] = await Promise.all([cli(['validator', '--ops.port', '99999']), cli(['train', '--steps', 'abc'])]);
    for (const r of [port, steps]) {
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.doesNotMatch(r.stderr, /Usage:|ERR_|at .*\.js:\d+/);
    }
    assert.equal(port.stderr.trim(), `error: option '--ops.port <n>' argument '99999' is invalid. expected an integer from 0 to 65535, got "99999"`);
    assert.match(steps.stderr, /^error: option '--steps <n>' argument 'abc' is invalid\. expected an integer >= 1, got "abc"$/m);
});
test('an unknown flag is one line naming it and the nearest known flag, without the usage', async () => {
    const [miners, command] = await Promise.all([cli(['testnet', '--mienrs', '3']), cli(['trian'])]);
    assert.equal(miners.status, 2);
    assert.equal(miners.stderr, "error: unknown option '--mienrs' (did you mean --miners?)\n");
    assert.equal(command.status, 2);
    assert.equal(command.stderr, "error: unknown command 'trian' (did you mean train?)\n");
    const t = await inProcess(['train', '--setps', '3']);
    assert.equal(t.exitCode, 1);
    assert.equal(t.stderr, "error: unknown option '--setps' (did you mean --steps?)\n");
    const far = await inProcess(['export', '--out', 'x', '--zzzzzz']);
    assert.equal(far.exitCode, 1);
    assert.equal(far.stderr, "error: unknown option '--zzzzzz'\n");
});
test('--run and --model given as paths are read (and reported) as those paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gm-flags-'));
    try {
        assert.equal(runSpecPath('testnet-tiny'), join(repoRoot(), 'config', 'runs', 'testnet-tiny.json'));
        assert.equal(runSpecPath(join(dir, 'nope')), join(dir, 'nope'));
        assert.equal(runSpecPath('./sub/spec'), join(process.cwd(), 'sub', 'spec'));
        assert.throws(() => loadRunSpec(join(dir, 'nope')), (e) => {
            assert.equal(e.message, `no run spec ${join(dir, 'nope')}: no such file`);
            return true;
        });
        assert.throws(() => loadRunSpec(dir), new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a directory, not a run spec file`));
        assert.throws(() => loadRunSpec('no-such-run'), /no run spec .*config\/runs\/no-such-run\.json .*testnet-tiny/);
        assert.equal(modelConfigPath(join(dir, 'm')), join(dir, 'm'));
        assert.throws(() => loadModelConfig(dir), /is a directory, not a model config file/);
        const r = await cli(['miner', '--run', dir]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, new RegExp(`gradmesh: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a directory`));
        assert.ok(!r.stderr.includes(`config/runs${dir}`), r.stderr); // the old, mangled path
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=flags.test.js.map