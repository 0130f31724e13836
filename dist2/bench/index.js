// `npm run bench -- NAME [args]` runs bench/NAME.ts (compiled to dist/bench/NAME.js).
// Each bench prints a readable table and, as its last line, one JSON object.
import '../src/polyfill.js';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
    .filter((f) => f.endsWith('.js') && f !== 'index.js' && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !names.includes(name)) {
    console.error(`usage: npm run bench -- NAME [options]\navailable: ${names.join(', ') || '(none yet)'}`);
    process.exit(name ? 1 : 0);
}
process.argv = [process.argv[0], join(here, `${name}.js`), ...rest];
const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href));
if (typeof mod.main === 'function')
    await mod.main(rest);
//# sourceMappingURL=index.js.map