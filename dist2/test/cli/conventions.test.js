// Bittensor CLI conventions: --logging.debug / --logging.trace / --logging.logging_dir
// on the node commands, examples at the end of every command's --help, and
// `gradmesh completion bash|zsh` generated from the program (so it names every
// command and flag, and bash accepts it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/program.js';
import { allCommands, commandPath } from '../../src/cli/examples.js';
import { bashCompletion, zshCompletion } from '../../src/cli/completion.js';
import { nodeLogSettings } from '../../src/cli/commands/node.js';
import { explicitFlags, resolveNodeConfig } from '../../src/ops/index.js';
function helpOf(cmd) {
    let out = '';
    cmd.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
    cmd.outputHelp();
    return out;
}
test('every command\'s --help ends with examples of it', () => {
    const program = buildProgram();
    const missing = [];
    for (const cmd of allCommands(program)) {
        const help = helpOf(cmd);
        const at = help.indexOf('\nExamples:\n');
        if (at < 0) {
            missing.push(commandPath(cmd) || '(gradmesh)');
            continue;
        }
        const examples = help.slice(at).split('\n').filter((l) => l.startsWith('  $ '));
        assert.ok(examples.length >= 1, commandPath(cmd));
        assert.ok(examples.every((l) => /^  \$ (\S+=\S+ )?(gradmesh|source|jq|BT_)/.test(l)), `${commandPath(cmd)}:\n${examples.join('\n')}`);
        const name = commandPath(cmd);
        if (name)
            assert.ok(examples.some((l) => l.includes(`gradmesh ${name}`)), `${name}: an example of the command itself`);
    }
    assert.deepEqual(missing, [], 'commands without examples');
});
test('miner and validator take --logging.debug, --logging.trace and --logging.logging_dir', () => {
    for (const role of ['miner', 'validator']) {
        const program = buildProgram();
        const cmd = program.commands.find((c) => c.name() === role);
        program.exitOverride();
        cmd.exitOverride();
        let flags = {};
        cmd.action((_o, c) => {
            flags = explicitFlags(c);
        });
        program.parse(['node', 'gradmesh', role, '--wallet.name', 'w', '--wallet.hotkey', 'h', '--logging.debug', '--logging.logging_dir', '/var/log/gm']);
        const c = resolveNodeConfig({ role, flags, env: {} });
        assert.deepEqual(nodeLogSettings(c, role), { level: 'debug', loggingDir: '/var/log/gm', fileName: `${role}-w-h.log` });
        // trace wins over debug and over --log-level; the environment works as for every setting
        const t = resolveNodeConfig({ role, flags: { 'wallet.name': 'w', 'logging.debug': true, 'logging.trace': true, logLevel: 'warn' }, env: {} });
        assert.equal(nodeLogSettings(t, role).level, 'trace');
        const e = resolveNodeConfig({ role, flags: {}, env: { GRADMESH_LOGGING_DEBUG: 'true' } });
        assert.deepEqual(nodeLogSettings(e, role), { level: 'debug' });
        assert.deepEqual(nodeLogSettings(resolveNodeConfig({ role, flags: {}, env: {} }), role), { level: 'info' });
    }
});
test('`gradmesh completion bash|zsh` names every command and flag; bash accepts the script and completes with it', () => {
    const program = buildProgram();
    const bash = bashCompletion(program);
    const zsh = zshCompletion(program);
    for (const cmd of allCommands(program)) {
        const path = commandPath(cmd);
        if (path) {
            assert.ok(bash.includes(`"${path}")`), `bash: ${path}`);
            assert.ok(zsh.includes(`'${path}')`), `zsh: ${path}`);
        }
        for (const o of cmd.options) {
            if (o.hidden || !o.long)
                continue;
            assert.ok(bash.includes(` ${o.long} `) || bash.includes(`"${o.long} `), `bash: ${path} ${o.long}`);
            assert.ok(zsh.includes(`'${o.long.replace(/:/g, '\\:')}:`), `zsh: ${path} ${o.long}`);
        }
    }
    assert.match(zsh, /^#compdef gradmesh$/m);
    const dir = mkdtempSync(join(tmpdir(), 'gm-completion-'));
    try {
        const script = join(dir, 'gradmesh.bash');
        writeFileSync(script, bash);
        const syntax = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
        assert.equal(syntax.status, 0, syntax.stderr);
        // Completion as bash does it: COMP_WORDS / COMP_CWORD, then the function.
        const probe = [
            `source ${script}`,
            't() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); _gradmesh_completion; echo "${COMPREPLY[*]}"; }',
            't gradmesh tes', 't gradmesh testnet --mi', 't gradmesh testnet --dir foo add-', 't gradmesh testnet add-miner --na',
            't gradmesh miner --device c', 't gradmesh data verify mydir --j', 't gradmesh completion ""',
        ].join('\n');
        const r = spawnSync('bash', ['-c', probe], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.trim().split('\n'), ['testnet', '--miners', 'add-miner', '--name', 'cpu cuda', '--json', '--help']);
        const zshBin = spawnSync('zsh', ['--version']);
        if (zshBin.status === 0) {
            writeFileSync(join(dir, '_gradmesh'), zsh);
            const z = spawnSync('zsh', ['-n', join(dir, '_gradmesh')], { encoding: 'utf8' });
            assert.equal(z.status, 0, z.stderr);
        }
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
//# sourceMappingURL=conventions.test.js.map