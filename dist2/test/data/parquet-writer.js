// A minimal Parquet writer for test inputs (no Parquet writer is installed): string
// columns only, REQUIRED, PLAIN encoding, uncompressed, one data page per column
// chunk, `rowsPerGroup` rows per row group. Metadata is Thrift compact protocol.
import { writeFileSync } from 'node:fs';
class Compact {
    bytes = [];
    last = [0];
    varint(v) {
        let x = v;
        do {
            let b = Number(x & 0x7fn);
            x >>= 7n;
            if (x)
                b |= 0x80;
            this.bytes.push(b);
        } while (x);
    }
    zigzag(v) {
        const b = BigInt(v);
        this.varint(b >= 0n ? b << 1n : ((-b) << 1n) - 1n);
    }
    field(id, type) {
        const delta = id - this.last[this.last.length - 1];
        if (delta > 0 && delta <= 15)
            this.bytes.push((delta << 4) | type);
        else {
            this.bytes.push(type);
            this.zigzag(id);
        }
        this.last[this.last.length - 1] = id;
    }
    i32(id, v) { this.field(id, 5); this.zigzag(v); }
    i64(id, v) { this.field(id, 6); this.zigzag(v); }
    binary(id, s) { this.field(id, 8); this.rawBinary(s); }
    rawBinary(s) { const b = Buffer.from(s, 'utf8'); this.varint(BigInt(b.length)); this.bytes.push(...b); }
    listHeader(id, size, elemType) {
        this.field(id, 9);
        if (size < 15)
            this.bytes.push((size << 4) | elemType);
        else {
            this.bytes.push(0xf0 | elemType);
            this.varint(BigInt(size));
        }
    }
    beginStruct(id) { if (id !== undefined)
        this.field(id, 12); this.last.push(0); }
    endStruct() { this.bytes.push(0); this.last.pop(); }
}
export function writeParquet(path, columns, rowsPerGroup = 1000) {
    const names = Object.keys(columns);
    const numRows = columns[names[0]].length;
    const parts = [Buffer.from('PAR1')];
    let offset = 4;
    const groups = [];
    for (let start = 0; start < numRows; start += rowsPerGroup) {
        const end = Math.min(numRows, start + rowsPerGroup);
        const chunks = [];
        let groupBytes = 0;
        for (const name of names) {
            const values = columns[name].slice(start, end).map((s) => Buffer.from(s, 'utf8'));
            const data = Buffer.concat(values.flatMap((v) => { const l = Buffer.alloc(4); l.writeUInt32LE(v.length); return [l, v]; }));
            const ph = new Compact();
            ph.beginStruct();
            ph.i32(1, 0); // DATA_PAGE
            ph.i32(2, data.length);
            ph.i32(3, data.length);
            ph.beginStruct(5);
            ph.i32(1, values.length);
            ph.i32(2, 0); // PLAIN
            ph.i32(3, 3); // RLE
            ph.i32(4, 3);
            ph.endStruct();
            ph.endStruct();
            const page = Buffer.concat([Buffer.from(ph.bytes), data]);
            chunks.push({ name, offset, size: page.length, values: values.length });
            parts.push(page);
            offset += page.length;
            groupBytes += page.length;
        }
        groups.push({ chunks, rows: end - start, bytes: groupBytes });
    }
    const m = new Compact();
    m.beginStruct();
    m.i32(1, 1);
    m.listHeader(2, names.length + 1, 12);
    m.beginStruct();
    m.binary(4, 'schema');
    m.i32(5, names.length);
    m.endStruct();
    for (const name of names) {
        m.beginStruct();
        m.i32(1, 6);
        m.i32(3, 0);
        m.binary(4, name);
        m.i32(6, 0);
        m.endStruct();
    }
    m.i64(3, numRows);
    m.listHeader(4, groups.length, 12);
    for (const g of groups) {
        m.beginStruct();
        m.listHeader(1, g.chunks.length, 12);
        for (const c of g.chunks) {
            m.beginStruct();
            m.i64(2, c.offset);
            m.beginStruct(3);
            m.i32(1, 6);
            m.listHeader(2, 1, 5);
            m.zigzag(0);
            m.listHeader(3, 1, 8);
            m.rawBinary(c.name);
            m.i32(4, 0);
            m.i64(5, c.values);
            m.i64(6, c.size);
            m.i64(7, c.size);
            m.i64(9, c.offset);
            m.endStruct();
            m.endStruct();
        }
        m.i64(2, g.bytes);
        m.i64(3, g.rows);
        m.endStruct();
    }
    m.endStruct();
    const footer = Buffer.from(m.bytes);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(footer.length);
    parts.push(footer, len, Buffer.from('PAR1'));
    writeFileSync(path, Buffer.concat(parts));
}
//# sourceMappingURL=parquet-writer.js.map