export function writeUint64(w, v) {
    if (v >= 0x80000000n && v <= 0xffffffffn)
        w.uint32(Number(v));
    else
        w.uint64(v);
}
//# sourceMappingURL=uint64.js.map