// Input readers for `prepare`: each turns one file into a stream of text segments
// that can be restarted at any segment's position, so an interrupted run resumes.
//   plain text: the whole file is one document, read in segments cut only where the
//     GPT-2 pre-tokeniser would split anyway (see lastSafeCutBytes), so tokens do not
//     depend on where segments fall; position = byte offset;
//   JSONL: one document per non-blank line, the string at `field`; position = byte
//     offset of the line;
//   Parquet: one document per row, the string column `field`, read one row group at
//     a time with hyparquet; position = row index.
// Memory stays bounded: at most SEGMENT_MAX_BYTES of text (one JSONL line or one
// Parquet row group can be larger; they are the input's own unit).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { DataError } from './errors.js';
export function inputKindOf(path) {
    const p = path.toLowerCase();
    if (p.endsWith('.jsonl') || p.endsWith('.ndjson'))
        return 'jsonl';
    if (p.endsWith('.parquet'))
        return 'parquet';
    return 'text';
}
/** Target and hard limit of one plain-text segment, in bytes. */
export const SEGMENT_BYTES = 1 << 20;
export const SEGMENT_MAX_BYTES = 8 * SEGMENT_BYTES;
const READ_BYTES = 1 << 20;
const asciiSpace = (b) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
const asciiNonSpace = (b) => b < 0x80 && !asciiSpace(b);
/**
 * Largest p in (1, limit] with buf[p−2] an ASCII non-space byte, buf[p−1] = "\n" and
 * buf[p] an ASCII non-space byte: a cut there leaves GPT-2's tokens unchanged (a lone
 * newline between two non-space characters is always a token of its own). −1 if none.
 */
export function lastSafeCutBytes(buf, limit) {
    for (let p = Math.min(limit, buf.length - 1); p >= 2; p--) {
        if (buf[p - 1] === 0x0a && asciiNonSpace(buf[p - 2]) && asciiNonSpace(buf[p]))
            return p;
    }
    return -1;
}
/** Fallback when a text has no safe cut in SEGMENT_MAX_BYTES: after the last ASCII space, else at a UTF-8 character start. */
function forcedCut(buf, limit) {
    for (let p = limit; p >= 1; p--)
        if (asciiSpace(buf[p - 1]) && (buf[p] & 0xc0) !== 0x80)
            return p;
    for (let p = limit; p >= 1; p--)
        if ((buf[p] & 0xc0) !== 0x80)
            return p;
    return limit;
}
class FileBytes {
    path;
    fd;
    buf = Buffer.alloc(0);
    /** File offset of buf[0]. */
    offset;
    eof = false;
    size;
    constructor(path, start) {
        this.path = path;
        try {
            this.fd = openSync(path, 'r');
        }
        catch (err) {
            throw new DataError('NOT_FOUND', `cannot open input: ${err.message}`, path);
        }
        this.size = statSync(path).size;
        this.offset = start;
    }
    /** Makes at least n bytes available (fewer only at end of file); returns the buffer. */
    fill(n) {
        while (this.buf.length < n && !this.eof) {
            const chunk = Buffer.allocUnsafe(Math.max(READ_BYTES, n - this.buf.length));
            const got = readSync(this.fd, chunk, 0, chunk.length, this.offset + this.buf.length);
            if (got === 0)
                this.eof = true;
            else
                this.buf = this.buf.length === 0 ? chunk.subarray(0, got) : Buffer.concat([this.buf, chunk.subarray(0, got)]);
        }
        return this.buf;
    }
    take(n) {
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(n);
        this.offset += n;
        return out;
    }
    get buffered() {
        return this.buf.length;
    }
    close() {
        closeSync(this.fd);
    }
}
async function* textSegments(path, start) {
    const f = new FileBytes(path, start);
    try {
        for (;;) {
            let buf = f.fill(SEGMENT_BYTES + 1);
            if (buf.length === 0)
                return;
            let cut;
            if (f.eof && buf.length <= SEGMENT_BYTES)
                cut = buf.length;
            else {
                cut = lastSafeCutBytes(buf, SEGMENT_BYTES);
                if (cut < 0) {
                    buf = f.fill(SEGMENT_MAX_BYTES + 1);
                    if (f.eof && buf.length <= SEGMENT_MAX_BYTES)
                        cut = lastSafeCutBytes(buf, buf.length - 1);
                    else
                        cut = lastSafeCutBytes(buf, SEGMENT_MAX_BYTES);
                    if (cut < 0)
                        cut = f.eof && buf.length <= SEGMENT_MAX_BYTES ? buf.length : forcedCut(buf, SEGMENT_MAX_BYTES);
                }
            }
            const pos = f.offset;
            const text = f.take(cut).toString('utf8');
            yield { text, docStart: pos === 0, pos, line: 0, progress: f.size ? f.offset / f.size : 1 };
        }
    }
    finally {
        f.close();
    }
}
async function* jsonlSegments(path, start, startLine, field) {
    const f = new FileBytes(path, start);
    let line = startLine;
    try {
        for (;;) {
            let buf = f.fill(1);
            if (buf.length === 0)
                return;
            let nl = buf.indexOf(0x0a);
            while (nl < 0 && !f.eof) {
                const had = f.buffered;
                buf = f.fill(had * 2);
                nl = buf.indexOf(0x0a, had);
            }
            const len = nl < 0 ? buf.length : nl + 1;
            const pos = f.offset;
            const raw = f.take(len).toString('utf8').trim();
            const here = line++;
            if (raw.length === 0)
                continue;
            let obj;
            try {
                obj = JSON.parse(raw);
            }
            catch (err) {
                throw new DataError('BAD_INPUT', `line ${here}: not JSON (${err.message})`, path);
            }
            const value = obj !== null && typeof obj === 'object' ? obj[field] : undefined;
            if (typeof value !== 'string') {
                throw new DataError('BAD_INPUT', `line ${here}: field "${field}" is ${value === undefined ? 'missing' : `a ${typeof value}`}, expected a string`, path);
            }
            yield { text: value, docStart: true, pos, line: here, progress: f.size ? f.offset / f.size : 1 };
        }
    }
    finally {
        f.close();
    }
}
async function* parquetSegments(path, startRow, field) {
    let file;
    let metadata;
    try {
        file = await asyncBufferFromFile(path);
        metadata = await parquetMetadataAsync(file);
    }
    catch (err) {
        if (err instanceof DataError)
            throw err;
        throw new DataError('BAD_INPUT', `not a readable Parquet file (${err.message})`, path);
    }
    const columns = parquetSchema(metadata).children.map((c) => c.element.name);
    if (!columns.includes(field))
        throw new DataError('BAD_INPUT', `no column "${field}" (columns: ${columns.join(', ')})`, path);
    const rows = Number(metadata.num_rows);
    // One row group at a time: hyparquet decodes a column chunk's pages in order, so
    // reading smaller slices of a group would decode its first pages again and again.
    let groupStart = 0;
    for (const group of metadata.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        const r = Math.max(groupStart, startRow);
        if (r < groupEnd) {
            let batch;
            try {
                batch = await parquetReadObjects({ file, columns: [field], rowStart: r, rowEnd: groupEnd });
            }
            catch (err) {
                throw new DataError('BAD_INPUT', `rows ${r}..${groupEnd}: ${err.message}`, path);
            }
            for (const [k, row] of batch.entries()) {
                const value = row[field];
                if (value === null || value === undefined)
                    continue; // a null cell is no document
                if (typeof value !== 'string')
                    throw new DataError('BAD_INPUT', `row ${r + k}: column "${field}" is not a string`, path);
                yield { text: value, docStart: true, pos: r + k, line: 0, progress: (r + k + 1) / rows };
            }
        }
        groupStart = groupEnd;
    }
}
/** The segments of one input from a restart position (0 = the beginning). */
export function readSegments(path, kind, field, pos = 0, line = 1) {
    if (kind === 'jsonl')
        return jsonlSegments(path, pos, line, field);
    if (kind === 'parquet')
        return parquetSegments(path, pos, field);
    return textSegments(path, pos);
}
//# sourceMappingURL=sources.js.map