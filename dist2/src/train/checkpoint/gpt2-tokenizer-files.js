// The GPT-2 tokenizer files Hugging Face expects (vocab.json, merges.txt,
// tokenizer_config.json, special_tokens_map.json, and tokenizer.json for the fast
// tokenizer and for non-Python users of the tokenizers library), generated offline from the
// r50k_base BPE ranks that gpt-tokenizer ships. The ranks give each token's bytes in
// id order; GPT-2's merge list is not shipped, so it is rebuilt: the merge that
// creates token r is the pair that byte-pair encoding of r's bytes, allowed only
// ranks below r, ends with (exactly two parts, or the ranks are inconsistent).
import r50kRanks from 'gpt-tokenizer/bpeRanks/r50k_base';
export const GPT2_EOT_ID = 50256;
export const GPT2_EOT_TEXT = '<|endoftext|>';
/**
 * GPT-2's reversible byte → printable character table: printable Latin-1 bytes map to
 * themselves, the other 68 bytes to U+0100 onwards in byte order.
 */
export function bytesToUnicode() {
    const table = new Array(256);
    const printable = (b) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    let next = 256;
    for (let b = 0; b < 256; b++)
        table[b] = String.fromCharCode(printable(b) ? b : next++);
    return table;
}
let cachedBytes = null;
/** Bytes of token id 0..50255, in id (= rank) order. */
export function gpt2TokenBytes() {
    if (cachedBytes)
        return cachedBytes;
    const enc = new TextEncoder();
    cachedBytes = r50kRanks.map((t) => (typeof t === 'string' ? enc.encode(t) : Uint8Array.from(t)));
    return cachedBytes;
}
/** A byte string as a JS string of code units 0..255, usable as a map key. */
function byteKey(b, from = 0, to = b.length) {
    let s = '';
    for (let i = from; i < to; i++)
        s += String.fromCharCode(b[i]);
    return s;
}
export class TokenizerFilesError extends Error {
    constructor(message) {
        super(message);
        this.name = 'TokenizerFilesError';
    }
}
let cachedMerges = null;
/** The merges as pairs of token ids, in rank order (merge i creates token 256 + i). */
export function gpt2MergeIds() {
    if (cachedMerges)
        return cachedMerges;
    const tokens = gpt2TokenBytes();
    const rank = new Map();
    tokens.forEach((t, id) => rank.set(byteKey(t), id));
    const merges = [];
    for (let r = 0; r < tokens.length; r++) {
        const bytes = tokens[r];
        if (bytes.length < 2)
            continue;
        let parts = Array.from(bytes, (b) => String.fromCharCode(b));
        for (;;) {
            let best = -1;
            let bestRank = r;
            for (let i = 0; i + 1 < parts.length; i++) {
                const rk = rank.get(parts[i] + parts[i + 1]);
                if (rk !== undefined && rk < bestRank) {
                    bestRank = rk;
                    best = i;
                }
            }
            if (best < 0)
                break;
            parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
        }
        if (parts.length !== 2) {
            throw new TokenizerFilesError(`token ${r} does not come from a single merge of lower-ranked tokens (${parts.length} parts)`);
        }
        merges.push([rank.get(parts[0]), rank.get(parts[1])]);
    }
    cachedMerges = merges;
    return merges;
}
/** Token id → its byte-level unicode string (the vocab.json key). */
export function gpt2TokenStrings() {
    const table = bytesToUnicode();
    return gpt2TokenBytes().map((b) => Array.from(b, (x) => table[x]).join(''));
}
export function gpt2VocabJson() {
    const vocab = {};
    gpt2TokenStrings().forEach((s, id) => {
        vocab[s] = id;
    });
    vocab[GPT2_EOT_TEXT] = GPT2_EOT_ID;
    return JSON.stringify(vocab);
}
/** merges.txt: a version line, one "left right" line per merge, and a final newline (GPT2Tokenizer drops the last line). */
export function gpt2MergesTxt() {
    const strings = gpt2TokenStrings();
    const lines = gpt2MergeIds().map(([a, b]) => `${strings[a]} ${strings[b]}`);
    return `#version: 0.2\n${lines.join('\n')}\n`;
}
export function gpt2TokenizerConfigJson(modelMaxLength) {
    return JSON.stringify({
        tokenizer_class: 'GPT2Tokenizer',
        add_bos_token: false,
        add_prefix_space: false,
        bos_token: GPT2_EOT_TEXT,
        eos_token: GPT2_EOT_TEXT,
        unk_token: GPT2_EOT_TEXT,
        clean_up_tokenization_spaces: false,
        errors: 'replace',
        model_max_length: modelMaxLength,
        added_tokens_decoder: {
            [GPT2_EOT_ID]: { content: GPT2_EOT_TEXT, lstrip: false, normalized: true, rstrip: false, single_word: false, special: true },
        },
    }, null, 2);
}
export function gpt2SpecialTokensMapJson() {
    return JSON.stringify({ bos_token: GPT2_EOT_TEXT, eos_token: GPT2_EOT_TEXT, unk_token: GPT2_EOT_TEXT }, null, 2);
}
/**
 * tokenizer.json in the `tokenizers` library's format, as GPT-2's own: byte-level
 * pre-tokeniser (GPT-2's split pattern, no prefix space), BPE over the byte-level
 * strings with the same vocabulary and merges as vocab.json / merges.txt, byte-level
 * decoder, <|endoftext|> as the one special added token. Merges are written as
 * "left right" strings, which every tokenizers version reads (byte-level strings
 * never hold a space: space is Ġ).
 */
export function gpt2TokenizerJson() {
    const strings = gpt2TokenStrings();
    const vocab = {};
    strings.forEach((s, id) => {
        vocab[s] = id;
    });
    vocab[GPT2_EOT_TEXT] = GPT2_EOT_ID;
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    return JSON.stringify({
        version: '1.0',
        truncation: null,
        padding: null,
        added_tokens: [
            { id: GPT2_EOT_ID, content: GPT2_EOT_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
        ],
        normalizer: null,
        pre_tokenizer: byteLevel,
        post_processor: { ...byteLevel, trim_offsets: false },
        decoder: byteLevel,
        model: {
            type: 'BPE',
            dropout: null,
            unk_token: null,
            continuing_subword_prefix: '',
            end_of_word_suffix: '',
            fuse_unk: false,
            byte_fallback: false,
            ignore_merges: false,
            vocab,
            merges: gpt2MergeIds().map(([a, b]) => `${strings[a]} ${strings[b]}`),
        },
    });
}
/** File name → contents of the five tokenizer files. */
export function gpt2TokenizerFiles(modelMaxLength) {
    return {
        'vocab.json': gpt2VocabJson(),
        'merges.txt': gpt2MergesTxt(),
        'tokenizer.json': gpt2TokenizerJson(),
        'tokenizer_config.json': gpt2TokenizerConfigJson(modelMaxLength),
        'special_tokens_map.json': gpt2SpecialTokensMapJson(),
    };
}
//# sourceMappingURL=gpt2-tokenizer-files.js.map