// The typed face of the native compression functions (src/native/binding/compress.cc).
import { loadNative } from '../../native/index.js';
export function nativeCompress() {
    const c = loadNative().compress;
    if (!c)
        throw new Error('the native addon has no compression functions: rebuild it with "npm run build:native"');
    return c;
}
export function nativeMemops() {
    const m = loadNative().memops;
    if (!m)
        throw new Error('the native addon has no memory functions (memops): rebuild it with "npm run build:native"');
    return m;
}
//# sourceMappingURL=native.js.map