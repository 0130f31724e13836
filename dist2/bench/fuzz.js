// npm run bench -- fuzz [--inputs 100000] [--seed 1] [--target NAME[,NAME…]] [--case I]
//                       [--slow-ms 250] [--hang-ms 10000] [--list]
// Fuzzes every decoder that reads peer bytes (test/fuzz/targets.ts) with mutations of
// valid inputs. Each case is a function of (seed, target, index), so one failure
// replays alone with --case. A target name matches exactly, or else as a prefix
// before a dot ("gossip" = every gossip.* target). Prints a table, then one JSON line.
import os from 'node:os';
import { loadNative } from '../src/native/index.js';
import { normalizeSeed, toHex, generateCase } from '../test/fuzz/mutate.js';
import { describeError, formatFailure, runTarget, Watchdog } from '../test/fuzz/runner.js';
import { makeTargets, TARGET_NAMES } from '../test/fuzz/targets.js';
function flag(args, name, fallback) {
    const i = args.indexOf(`--${name}`);
    if (i < 0)
        return fallback;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--'))
        throw new Error(`--${name} needs a value`);
    return v;
}
function count(args, name, fallback) {
    const v = Number(flag(args, name, String(fallback)));
    if (!Number.isSafeInteger(v) || v < 0)
        throw new Error(`--${name} needs a non-negative integer`);
    return v;
}
export function matchTargets(spec) {
    if (!spec)
        return () => true;
    const wanted = spec.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = wanted.filter((w) => !TARGET_NAMES.some((n) => n === w || n.startsWith(`${w}.`)));
    if (unknown.length > 0)
        throw new Error(`unknown fuzz target ${unknown.join(', ')}; targets: ${TARGET_NAMES.join(', ')}`);
    // an exact name selects that target alone ("checkpoint" is not also "checkpoint.file")
    return (name) => wanted.some((w) => name === w || (name.startsWith(`${w}.`) && !TARGET_NAMES.includes(w)));
}
function table(rows) {
    const w = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
    return rows.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ')).join('\n');
}
export async function main(args) {
    if (args.includes('--list')) {
        console.log(TARGET_NAMES.join('\n'));
        return;
    }
    const inputs = count(args, 'inputs', 100_000);
    const seed = normalizeSeed(flag(args, 'seed', '1'));
    const slowMs = count(args, 'slow-ms', 250);
    const hangMs = count(args, 'hang-ms', 10_000);
    const caseArg = args.indexOf('--case') >= 0 ? count(args, 'case', 0) : undefined;
    const want = matchTargets(args.indexOf('--target') >= 0 ? flag(args, 'target', '') : undefined);
    loadNative().setThreads(1);
    const targets = await makeTargets(want);
    if (caseArg !== undefined) {
        // Replay one case of each selected target, with its input and full error.
        for (const t of targets) {
            const g = generateCase(seed, t.name, caseArg, t.corpus, t.mutators, t.maxLen, t.fields);
            console.log(`${t.name} seed ${seed} case ${caseArg}: ops ${g.ops.join('+')}, ${g.input.length} bytes\n  input: ${toHex(g.input)}`);
            const s0 = performance.now();
            try {
                const v = await t.run(g.input);
                console.log(`  ${v.accepted ? 'accepted' : `refused: ${v.reason}`} (${(performance.now() - s0).toFixed(2)} ms)`);
            }
            catch (e) {
                console.log(`  FAILED: ${describeError(e)}`);
                process.exitCode = 1;
            }
            await t.close?.();
        }
        return;
    }
    const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
    console.log(`fuzz bench: ${targets.length} targets, ${inputs} inputs each, seed ${seed}, load ${load}, ${os.cpus().length} cores`);
    const watchdog = new Watchdog({ hangMs, rssLimitBytes: 2 * 1024 ** 3, seed, targets: targets.map((t) => t.name) });
    const reports = [];
    const t0 = performance.now();
    for (const t of targets) {
        const rep = await runTarget(t, {
            inputs, seed, slowMs, allocLimitBytes: 64 * 1048576, watchdog,
            progress: (n) => { if (process.stderr.isTTY)
                process.stderr.write(`\r  ${t.name}: ${n}/${inputs}`); },
        });
        if (process.stderr.isTTY)
            process.stderr.write('\r\x1b[K');
        reports.push(rep);
        console.log(`  ${rep.target}: ${rep.inputs} inputs in ${rep.seconds.toFixed(1)} s, ${rep.failures} failures`);
        for (const f of rep.examples)
            console.log(formatFailure(f));
    }
    await watchdog.stop();
    const seconds = (performance.now() - t0) / 1000;
    console.log('');
    console.log(table([
        ['target', 'inputs', 'accepted', 'rejected', 'crashes', 'max ms', 'inputs/s', 'max alloc MiB', 'rss +MiB'],
        ...reports.map((r) => [
            r.target, String(r.inputs), String(r.accepted), String(r.rejected), String(r.failures), r.maxMs.toFixed(2),
            r.inputsPerSec.toFixed(0), r.maxAllocMiB.toFixed(1), r.rssGrowthMiB.toFixed(0),
        ]),
    ]));
    console.log('\nrejected by reason (top 6 per target):');
    for (const r of reports) {
        const top = Object.entries(r.reasons).sort((a, b) => b[1] - a[1]);
        const shown = top.slice(0, 6).map(([k, v]) => `${k} ${v}`).join(' | ');
        console.log(`  ${r.target}: ${shown}${top.length > 6 ? ` | …${top.length - 6} more` : ''}`);
    }
    const crashes = reports.reduce((a, r) => a + r.failures, 0);
    console.log(`\n${crashes} crashes in ${reports.reduce((a, r) => a + r.inputs, 0)} inputs, ${seconds.toFixed(0)} s`);
    if (crashes > 0)
        process.exitCode = 1;
    console.log(JSON.stringify({
        bench: 'fuzz',
        seed,
        inputs_per_target: inputs,
        targets: Object.fromEntries(reports.map((r) => [r.target, {
                inputs: r.inputs, accepted: r.accepted, rejected: r.rejected, reasons: r.reasons, crashes: r.failures,
                failure_kinds: r.failureKinds, max_ms: Number(r.maxMs.toFixed(3)), inputs_per_s: Math.round(r.inputsPerSec),
                max_alloc_mib: Number(r.maxAllocMiB.toFixed(2)), rss_growth_mib: Number(r.rssGrowthMiB.toFixed(1)),
            }])),
        crashes,
        seconds: Number(seconds.toFixed(1)),
        load_avg: Number(os.loadavg()[0].toFixed(2)),
    }));
}
//# sourceMappingURL=fuzz.js.map