import cliProgress from 'cli-progress';
import { intArg, RANGES } from '../flags.js';
import { DataError, ensureDefaultDataset, openDataset, prepareDataset, samplePool, verifyDataset, } from '../../train/data/index.js';
function mb(bytes) {
    return (bytes / 1e6).toFixed(1);
}
/** A progress bar on a terminal, plain lines (one per shard and every few seconds) otherwise. */
function progressReporter(label) {
    const started = Date.now();
    let baseTokens = null;
    const rate = (p) => {
        baseTokens ??= p.tokens;
        const secs = Math.max(1e-3, (Date.now() - started) / 1000);
        return (p.tokens - baseTokens) / secs;
    };
    if (process.stderr.isTTY) {
        const bar = new cliProgress.SingleBar({
            format: `${label} [{bar}] {percentage}% | {doneMB}/{totalMB} MB | {tokens} tokens | {tps} tok/s | {shards} shards | ETA {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 50,
        }, cliProgress.Presets.shades_classic);
        let startedBar = false;
        return {
            update(p) {
                const payload = { doneMB: mb(p.bytesDone), totalMB: mb(p.bytesTotal), tokens: p.tokens, tps: Math.round(rate(p)), shards: p.shards };
                if (!startedBar) {
                    bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
                    startedBar = true;
                }
                else
                    bar.update(p.bytesDone, payload);
            },
            stop() {
                if (startedBar)
                    bar.stop();
            },
        };
    }
    let lastLine = 0;
    return {
        update(p) {
            const now = Date.now();
            if (!p.shardWritten && now - lastLine < 5000)
                return;
            lastLine = now;
            const pct = p.bytesTotal ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '100.0';
            const tps = rate(p);
            const eta = tps > 0 && p.bytesDone > 0 ? ((now - started) / 1000) * ((p.bytesTotal - p.bytesDone) / p.bytesDone) : NaN;
            const what = p.shardWritten ? `shard ${p.shards} written (${p.shardWritten})` : 'progress';
            console.error(`${label}: ${what}: ${pct}% ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB, ${p.tokens} tokens, ${Math.round(tps)} tok/s, ETA ${Number.isFinite(eta) ? Math.round(eta) + ' s' : '?'}`);
        },
        stop() { },
    };
}
const positiveInt = (flag) => intArg(flag, RANGES.positive);
export function registerData(program) {
    const data = program.command('data').description('datasets: prepare, verify, inspect, build the default one');
    data
        .command('prepare')
        .description('tokenise text / JSONL / Parquet (GPT-2 BPE) into llm.c .bin shards with a dataset.json; resumes if interrupted')
        .requiredOption('--in <paths...>', 'input files or directories (.txt .md .jsonl .ndjson .parquet)')
        .requiredOption('--out <dir>', 'output directory (empty, or an interrupted prepare of the same inputs)')
        .option('--field <name>', 'JSONL / Parquet field holding the text', 'text')
        .option('--shard-tokens <n>', 'tokens per shard', positiveInt('--shard-tokens'), 10_000_000)
        .option('--seq-len <n>', 'sequence length hint recorded in dataset.json', positiveInt('--seq-len'), 1024)
        .option('--name <name>', 'dataset name recorded in dataset.json')
        .option('--allow-binary', 'tokenise text/JSONL inputs that do not look like text (NUL bytes, mostly invalid UTF-8) instead of refusing them')
        .action(async (o) => {
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const reporter = progressReporter('prepare');
        const started = Date.now();
        try {
            const m = await prepareDataset({
                inputs: o.in, out: o.out, field: o.field, shardTokens: o.shardTokens, seqLen: o.seqLen,
                ...(o.name ? { name: o.name } : {}),
                allowBinary: o.allowBinary === true,
                onWarning: (w) => console.error(`WARNING: ${w}`),
                onProgress: (p) => reporter.update(p), signal: controller.signal,
            });
            reporter.stop();
            const secs = (Date.now() - started) / 1000;
            console.log(`prepared ${o.out}: ${m.totalTokens} tokens, ${m.documents ?? '?'} documents, ${m.shards.length} shards in ${secs.toFixed(1)} s`);
        }
        finally {
            reporter.stop();
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
        }
    });
    data
        .command('verify')
        .description('check every shard of a dataset against its dataset.json (SHA-256, sizes, token counts, token range)')
        .argument('<dir>', 'dataset directory')
        .option('--json', 'print the report as JSON')
        .action(async (dir, o) => {
        const report = await verifyDataset(dir, (v, i, n) => {
            if (!o.json)
                console.log(`${v.ok ? 'ok  ' : 'FAIL'} ${String(i + 1).padStart(String(n).length)}/${n} ${v.file}${v.problems.map((p) => `\n       ${p.code}: ${p.message}`).join('')}`);
        });
        if (o.json)
            console.log(JSON.stringify(report, null, 2));
        else
            console.log(report.ok ? `${dir}: ok, ${report.shards.length} shards, ${report.totalTokens} tokens` : `${dir}: FAILED`);
        if (!report.ok)
            process.exitCode = 1;
    });
    data
        .command('info')
        .description('show a dataset: tokens, shards, samples for a sequence length')
        .argument('<dir>', 'dataset directory')
        .option('--seq-len <n>', 'sequence length', positiveInt('--seq-len'))
        .action((dir, o) => {
        const ds = openDataset(dir);
        try {
            const T = o.seqLen ?? ds.manifest.seqLen;
            console.log(JSON.stringify({
                dir, name: ds.manifest.name, tokenizer: ds.manifest.tokenizer, totalTokens: ds.totalTokens, documents: ds.manifest.documents,
                shards: ds.manifest.shards.length, seqLen: T, samples: ds.sampleCount(T),
            }, null, 2));
        }
        finally {
            ds.close();
        }
    });
    data
        .command('pool')
        .description("print a window's sample pool (docs/sampler.md), to compare nodes or implementations")
        .requiredOption('--run-hash <hex>', 'the run hash, 64 hex digits')
        .requiredOption('--uid <n>', 'miner uid (or pseudo-uid)', intArg('--uid', { min: 0, max: 0xffffffff }))
        .requiredOption('--window <n>', 'window number', intArg('--window', RANGES.nonNegative))
        .requiredOption('--size <n>', 'pool size', positiveInt('--size'))
        .option('--samples <n>', 'sample count (instead of --dataset)', positiveInt('--samples'))
        .option('--dataset <dir>', 'dataset directory whose sample count to use')
        .option('--seq-len <n>', 'sequence length for --dataset', positiveInt('--seq-len'))
        .action((o) => {
        if (!/^[0-9a-fA-F]{64}$/.test(o.runHash))
            throw new DataError('RANGE', '--run-hash must be 64 hex digits');
        let n = o.samples;
        if (o.dataset) {
            const ds = openDataset(o.dataset);
            n = ds.sampleCount(o.seqLen ?? ds.manifest.seqLen);
            ds.close();
        }
        if (n === undefined)
            throw new DataError('RANGE', 'give --samples or --dataset');
        const pool = samplePool(new Uint8Array(Buffer.from(o.runHash, 'hex')), o.uid, o.window, o.size, n);
        console.log(JSON.stringify({ uid: o.uid, window: o.window, sampleCount: n, pool }));
    });
    data
        .command('default')
        .description('build (once) and show the default dataset: the Brown corpus, GPT-2 tokens, with a validation split')
        .option('--cache <dir>', 'cache directory (default $GRADMESH_CACHE or ~/.cache/gradmesh)')
        .action(async (o) => {
        const started = Date.now();
        const r = await ensureDefaultDataset({
            ...(o.cache ? { cacheDir: o.cache } : {}),
            onProgress: ({ split, progress }) => {
                if (progress.shardWritten)
                    console.error(`default dataset: ${split}: ${progress.tokens} tokens`);
            },
        });
        for (const split of ['train', 'val']) {
            const ds = openDataset(r[split]);
            console.log(`${split}: ${r[split]} (${ds.totalTokens} tokens, ${ds.manifest.documents} documents)`);
            ds.close();
        }
        console.log(r.built ? `built in ${((Date.now() - started) / 1000).toFixed(1)} s` : 'cached');
    });
}
//# sourceMappingURL=data.js.map