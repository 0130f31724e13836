// The documentation must not drift from the code: every `gradmesh …` command line in
// README.md, docs/*.md and deploy/*.md names commands and flags that the CLI really
// has (read from the commander program itself, not from a list kept by hand), and
// every repository path it names (src/…, test/…, bench/…, config/…, docs/…,
// scripts/…, deploy/…) exists.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/program.js';
import { repoRoot } from '../../src/train/model-config.js';
const root = repoRoot();
export function docFiles() {
    const inDir = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.md')).map((f) => `${dir}/${f}`) : []);
    return ['README.md', ...inDir('docs'), ...inDir('deploy')].sort();
}
/** Code the reader would type or read as code: fenced blocks (with `\` continuations joined) and inline spans. */
export function codeSpans(markdown) {
    const out = [];
    const lines = markdown.split('\n');
    let fence = null;
    let pending = null;
    lines.forEach((raw, i) => {
        const trimmed = raw.trim();
        const m = /^(```+|~~~+)/.exec(trimmed);
        if (m) {
            if (fence === null)
                fence = m[1];
            else if (trimmed.startsWith(fence)) {
                fence = null;
                if (pending)
                    out.push(pending);
                pending = null;
            }
            return;
        }
        if (fence !== null) {
            const cont = /\\\s*$/.test(raw);
            const text = raw.replace(/\\\s*$/, ' ');
            pending = pending ? { text: `${pending.text} ${text}`, line: pending.line } : { text, line: i + 1 };
            if (!cont) {
                out.push(pending);
                pending = null;
            }
            return;
        }
        // inline code: `…` (double backticks too)
        for (const s of raw.matchAll(/(`+)([^`]+?)\1/g))
            out.push({ text: s[2], line: i + 1 });
    });
    return out;
}
const LAUNCHERS = [/^gradmesh$/, /^npx gradmesh$/, /^npm run gradmesh --$/, /^node (?:\.\/)?bin\/gradmesh\.js$/];
/**
 * Command lines that run gradmesh: `gradmesh X --flag`, `node bin/gradmesh.js X`,
 * `npm run gradmesh -- X`, `npx gradmesh X`, where a shell would run them: at the
 * start of the span or after `&&`, `||`, `;`, `|`, `$(`, behind a `$ ` prompt, `sudo`,
 * `exec`, `time`, `nohup`, `env` or VAR=value. "gradmesh" in prose, in a quoted
 * message or in a path (./gradmesh is the bundle's launcher) is not one.
 */
export function cliMentions(span) {
    const out = [];
    const code = span.replace(/(^|\s)#.*$/, '$1');
    for (const piece of code.split(/&&|\|\||;|\$\(|\||\(|\)|`/)) {
        const words = piece.trim().split(/\s+/).filter(Boolean);
        while (words.length && (words[0] === '$' || /^(sudo|exec|time|nohup|env)$/.test(words[0]) || /^[A-Z_][A-Z0-9_]*=\S*$/.test(words[0])))
            words.shift();
        for (const n of [4, 3, 2, 1]) {
            if (words.length >= n && LAUNCHERS.some((r) => r.test(words.slice(0, n).join(' ')))) {
                const rest = words.slice(n);
                // a redirect ends the command's own words
                const stop = rest.findIndex((w) => /^\d?>|^</.test(w));
                const own = stop >= 0 ? rest.slice(0, stop) : rest;
                out.push({ words: own, text: `gradmesh ${own.join(' ')}`.trim() });
                break;
            }
        }
    }
    return out;
}
function info(cmd) {
    const flags = new Set(['-h', '--help']);
    for (const o of cmd.options) {
        if (o.long)
            flags.add(o.long);
        if (o.short)
            flags.add(o.short);
    }
    const subcommands = new Map();
    for (const c of cmd.commands) {
        subcommands.set(c.name(), c);
        for (const a of c.aliases())
            subcommands.set(a, c);
    }
    return { cmd, flags, subcommands };
}
/** What is wrong with one mention, or [] — the CLI's own view of its commands and flags. */
export function checkMention(program, words) {
    const problems = [];
    let cur = info(program);
    let path = 'gradmesh';
    let i = 0;
    // subcommands: as long as the next word names one
    for (; i < words.length; i++) {
        const w = words[i];
        if (w.startsWith('-'))
            break;
        const sub = cur.subcommands.get(w);
        if (sub) {
            cur = info(sub);
            path += ` ${w}`;
            continue;
        }
        // a word where a command is expected, on a command that has subcommands and takes
        // no argument of its own: a command that does not exist
        const takesArgs = cur.cmd.registeredArguments.length > 0;
        if (cur.subcommands.size > 0 && !takesArgs && /^[a-z][a-z0-9-]*$/.test(w))
            problems.push(`"${path} ${w}": no such command`);
        break;
    }
    for (; i < words.length; i++) {
        // flags, also inside [optional] brackets or a|b alternatives; "--flag=value" → "--flag"
        for (const m of words[i].matchAll(/(?:^|[[(|])(--?[A-Za-z][\w.-]*)/g)) {
            const flag = m[1].replace(/[.]+$/, '');
            if (!cur.flags.has(flag))
                problems.push(`"${path}" has no flag ${flag}`);
        }
    }
    return problems;
}
const PATH_PREFIXES = ['src', 'test', 'bench', 'config', 'docs', 'scripts', 'deploy'];
/** Repository paths a text names: prefix/…, with {a,b} expanded and trailing punctuation, :line and #anchor cut. */
export function repoPaths(text) {
    const out = [];
    const re = new RegExp(`(?:^|[\\s\`'"(\\[=,])((?:${PATH_PREFIXES.join('|')})/[\\w./{},*<>…@-]*)`, 'g');
    for (const m of text.matchAll(re)) {
        let p = m[1].replace(/[#:].*$/, '').replace(/[.,;:)]+$/, '');
        // placeholders and globs name no one file
        if (/[<>*…]/.test(p))
            continue;
        const brace = /\{([^}]*)\}/.exec(p);
        const expanded = brace ? brace[1].split(',').map((alt) => p.replace(brace[0], alt)) : [p];
        for (p of expanded)
            if (!/[{}]/.test(p))
                out.push(p);
    }
    return out;
}
describe('documentation matches the code', () => {
    const program = buildProgram();
    it('the parser understands the CLI and a doc line (self-check)', () => {
        const spans = codeSpans('text `gradmesh wallet create --no-password` and\n```sh\ngradmesh miner --wallet.name w \\\n  --bogus-flag 1  # comment --ignored\n```\n');
        const mentions = spans.flatMap((s) => cliMentions(s.text));
        assert.deepEqual(mentions.map((m) => m.words), [['wallet', 'create', '--no-password'], ['miner', '--wallet.name', 'w', '--bogus-flag', '1']]);
        assert.deepEqual(checkMention(program, mentions[0].words), []);
        assert.deepEqual(checkMention(program, mentions[1].words), ['"gradmesh miner" has no flag --bogus-flag']);
        assert.deepEqual(checkMention(program, ['wallet', 'frobnicate']), ['"gradmesh wallet frobnicate": no such command']);
        assert.deepEqual(checkMention(program, ['wallet', 'regen', 'coldkey', '[--overwrite]']), []);
        assert.deepEqual(cliMentions('ls ~/.gradmesh/ ./gradmesh --bundle-info build/gradmesh_native.node'), []);
        assert.deepEqual(cliMentions('not a gradmesh node status'), []);
        assert.deepEqual(cliMentions('$ GRADMESH_LOG_JSON=1 node bin/gradmesh.js status --url http://x | jq . && sudo gradmesh testnet > out.log').map((m) => m.text), ['gradmesh status --url http://x', 'gradmesh testnet']);
        assert.deepEqual(repoPaths('see `src/ops/{metrics,status}.ts:12`, docs/operators.md#logs, config/runs/<name>.json.'), ['src/ops/metrics.ts', 'src/ops/status.ts', 'docs/operators.md']);
    });
    it('every gradmesh command and flag a doc names exists', () => {
        const problems = [];
        let checked = 0;
        for (const file of docFiles()) {
            for (const span of codeSpans(readFileSync(join(root, file), 'utf8'))) {
                for (const m of cliMentions(span.text)) {
                    checked++;
                    for (const p of checkMention(program, m.words))
                        problems.push(`${file}:${span.line}: ${p} (in \`${m.text}\`)`);
                }
            }
        }
        assert.ok(checked > 20, `found only ${checked} gradmesh command lines: is the parser broken?`);
        assert.deepEqual(problems, []);
    });
    it('every repository path a doc names exists', () => {
        const problems = [];
        let checked = 0;
        for (const file of docFiles()) {
            readFileSync(join(root, file), 'utf8').split('\n').forEach((line, i) => {
                for (const p of repoPaths(line)) {
                    checked++;
                    if (!existsSync(join(root, p)))
                        problems.push(`${file}:${i + 1}: ${p} does not exist`);
                }
            });
        }
        assert.ok(checked > 50, `found only ${checked} paths: is the parser broken?`);
        assert.deepEqual(problems, []);
    });
});
//# sourceMappingURL=docs.test.js.map