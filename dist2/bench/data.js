// `npm run bench -- data`: prepare throughput (MB of text per second, against the
// bare tokenizer on the same text as baseline) and sampler throughput (pool indices
// drawn per second), plus batch assembly. Last line: one JSON object.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brownDocumentIds, brownDocumentText, encodeText, makeBatch, openDataset, prepareDataset, samplePool, } from '../src/train/data/index.js';
import { brownCorpusDir } from '../src/train/data/brown.js';
function seconds(start) {
    return Number(process.hrtime.bigint() - start) / 1e9;
}
export async function main(args) {
    const mbTarget = Number(args.find((a) => a.startsWith('--mb='))?.slice(5) ?? 4);
    const work = mkdtempSync(join(tmpdir(), 'gm-bench-data-'));
    try {
        // Real English text: Brown corpus documents, tags stripped, as one JSONL file.
        const corpus = brownCorpusDir();
        const docs = [];
        let bytes = 0;
        for (const id of brownDocumentIds(corpus)) {
            if (bytes >= mbTarget * 1e6)
                break;
            const text = brownDocumentText(readFileSync(join(corpus, id), 'utf8'));
            docs.push(text);
            bytes += Buffer.byteLength(text);
        }
        writeFileSync(join(work, 'in.jsonl'), docs.map((text) => JSON.stringify({ text })).join('\n'));
        // Warm the tokenizer's merge cache first, so baseline and prepare see the same state.
        for (const d of docs)
            encodeText(d);
        let t = process.hrtime.bigint();
        let baseTokens = 0;
        for (const d of docs)
            baseTokens += encodeText(d).length;
        const encodeSecs = seconds(t);
        t = process.hrtime.bigint();
        const m = await prepareDataset({ inputs: [join(work, 'in.jsonl')], out: join(work, 'ds'), shardTokens: 1 << 20 });
        const prepareSecs = seconds(t);
        const runHash = new Uint8Array(32).fill(1);
        const poolSize = 4096;
        const pools = 20;
        t = process.hrtime.bigint();
        for (let w = 0; w < pools; w++)
            samplePool(runHash, 7, w, poolSize, 1_000_000_000);
        const samplerSecs = seconds(t);
        const ds = openDataset(join(work, 'ds'));
        const T = 1024;
        const B = 8;
        const pool = samplePool(runHash, 1, 1, 64 * B, ds.sampleCount(T));
        t = process.hrtime.bigint();
        for (let i = 0; i < 64; i++)
            makeBatch(ds, pool.slice(i * B, (i + 1) * B), T);
        const batchSecs = seconds(t);
        ds.close();
        const mb = bytes / 1e6;
        const rows = [
            ['tokenizer alone (baseline, warm)', `${(mb / encodeSecs).toFixed(2)} MB/s`, `${mb.toFixed(2)} MB, ${baseTokens} tokens`],
            ['prepare (read+tokenise+write)', `${(mb / prepareSecs).toFixed(2)} MB/s`, `${m.totalTokens} tokens, ${m.shards.length} shards, ${(encodeSecs / prepareSecs).toFixed(2)}× of baseline`],
            ['prepare tokens/s', `${Math.round(m.totalTokens / prepareSecs)}`, ''],
            ['sampler (pool of 4096 of 1e9)', `${Math.round((pools * poolSize) / samplerSecs)} samples/s`, `${pools} pools`],
            ['makeBatch B=8 T=1024', `${Math.round((64 * B) / batchSecs)} samples/s`, `${(64 * B * (T + 1) * 2 / 1e6 / batchSecs).toFixed(1)} MB/s of tokens`],
        ];
        const w0 = Math.max(...rows.map((r) => r[0].length));
        const w1 = Math.max(...rows.map((r) => r[1].length));
        console.log(`${'what'.padEnd(w0)}  ${'rate'.padEnd(w1)}  notes`);
        for (const r of rows)
            console.log(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`);
        console.log(JSON.stringify({
            bench: 'data',
            prepare_mb_per_s: Number((mb / prepareSecs).toFixed(3)),
            samples_per_s: Math.round((pools * poolSize) / samplerSecs),
        }));
    }
    finally {
        rmSync(work, { recursive: true, force: true });
    }
}
//# sourceMappingURL=data.js.map