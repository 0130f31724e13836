// A token file for `gradmesh train --tokens FILE`: either an llm.c shard (256 int32
// header, magic 20240520, uint16 tokens) or a flat little-endian uint16 array.
import { readFileSync } from 'node:fs';
import { EngineError } from './engine.js';
const LLMC_MAGIC = 20240520;
const LLMC_HEADER_INTS = 256;
export function readTokenFile(path) {
    const buf = readFileSync(path);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (bytes.byteLength >= LLMC_HEADER_INTS * 4 && buf.readInt32LE(0) === LLMC_MAGIC) {
        const count = buf.readInt32LE(8);
        const body = bytes.byteLength - LLMC_HEADER_INTS * 4;
        if (count < 0 || count * 2 > body)
            throw new EngineError(`${path}: llm.c header says ${count} tokens but the file holds ${Math.floor(body / 2)}`);
        return copyU16(bytes.subarray(LLMC_HEADER_INTS * 4, LLMC_HEADER_INTS * 4 + count * 2));
    }
    if (bytes.byteLength % 2 !== 0)
        throw new EngineError(`${path}: a flat uint16 token file must have an even byte length`);
    return copyU16(bytes);
}
// Copies into an aligned buffer and reads little-endian whatever the host order.
function copyU16(bytes) {
    const out = new Uint16Array(bytes.byteLength / 2);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++)
        out[i] = view.getUint16(2 * i, true);
    return out;
}
//# sourceMappingURL=token-file.js.map