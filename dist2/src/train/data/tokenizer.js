// GPT-2 BPE (r50k_base, the GPT-2 vocabulary of 50257 tokens) through gpt-tokenizer.
import { decode, encode } from 'gpt-tokenizer/encoding/r50k_base';
import { GPT2_EOT } from './manifest.js';
export const EOT = GPT2_EOT;
const PLAIN = { disallowedSpecial: new Set() };
/** Tokens of `text`, with "<|endoftext|>" in the text treated as ordinary characters. */
export function encodeText(text) {
    return encode(text, PLAIN);
}
export function decodeTokens(tokens) {
    return decode(tokens);
}
//# sourceMappingURL=tokenizer.js.map