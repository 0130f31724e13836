// The layering of src/ (README "Layout"): imports point down,
//   cli → testnet → node → {validate, ops, train, p2p, chain}, train → native,
// and every layer may use src/shared (leaf helpers). This test reads the import
// statements of every src/**/*.ts (static, `export … from`, type-only and dynamic
// imports alike, through TypeScript's own scanner) and fails on an import that the
// table below does not allow, naming the file, the line and the layer it reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../src/shared/repo-root.js';

/**
 * Which layers each layer may import, besides itself. A directory of src/ missing
 * here fails the test: a new layer must be placed in the graph. Files at the top of
 * src/ (polyfill.ts) are importable from anywhere: they import nothing.
 */
const ALLOWED: Record<string, readonly string[]> = {
  shared: [],
  native: ['shared'],
  train: ['native', 'shared'],
  p2p: ['shared'],
  chain: ['shared'],
  // The Gauntlet replays and evaluates training (train's engine, data, compression).
  validate: ['train', 'native', 'shared'],
  // The ops layer reads libp2p's figures; it sees the node only through status-source.ts.
  ops: ['p2p', 'shared'],
  node: ['validate', 'ops', 'train', 'native', 'p2p', 'chain', 'shared'],
  // The local testnet orchestrator starts nodes (as processes) and shows their status.
  testnet: ['node', 'validate', 'ops', 'train', 'native', 'p2p', 'chain', 'shared'],
  // The deterministic simulator runs the node's protocol core without I/O.
  sim: ['node', 'validate', 'train', 'native', 'p2p', 'chain', 'shared'],
  cli: ['testnet', 'node', 'validate', 'ops', 'train', 'native', 'p2p', 'chain', 'shared'],
};

export interface ImportEdge {
  file: string;
  line: number;
  specifier: string;
  from: string;
  to: string;
}

/** The layer of a path under src/ ("" for a file at the top of src/). */
function layerOf(relToSrc: string): string {
  const parts = relToSrc.split(sep);
  return parts.length > 1 ? parts[0]! : '';
}

/** Every relative import of one file, with the layer it starts in and the one it reaches. */
export function importsOf(srcDir: string, file: string, text: string): ImportEdge[] {
  const info = ts.preProcessFile(text, true, true);
  const from = layerOf(relative(srcDir, file));
  const edges: ImportEdge[] = [];
  for (const ref of info.importedFiles) {
    if (!ref.fileName.startsWith('.')) continue; // a package or node: built-in
    const target = relative(srcDir, resolve(dirname(file), ref.fileName));
    if (target.startsWith('..')) continue; // outside src/
    const line = text.slice(0, ref.pos).split('\n').length;
    edges.push({ file, line, specifier: ref.fileName, from, to: layerOf(target) });
  }
  return edges;
}

/** The imports that break the layering: to a layer not allowed, or from a layer not in the table. */
export function violations(edges: ImportEdge[], allowed: Record<string, readonly string[]> = ALLOWED): string[] {
  const out: string[] = [];
  for (const e of edges) {
    if (e.from === '' || e.to === '' || e.from === e.to) continue;
    const ok = allowed[e.from];
    if (!ok) out.push(`${e.file}:${e.line}: src/${e.from}/ is not in the layer table of test/layering.test.ts: place it in the graph`);
    else if (!ok.includes(e.to)) out.push(`${e.file}:${e.line}: ${e.from} imports ${e.to} ('${e.specifier}'): ${e.from} may import only ${ok.join(', ') || 'nothing'}`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

test('no module of src/ imports a layer above it', () => {
  const srcDir = join(repoRoot(), 'src');
  const files = sourceFiles(srcDir);
  assert.ok(files.length > 100, `found only ${files.length} source files under ${srcDir}`);
  const edges = files.flatMap((f) => importsOf(srcDir, f, readFileSync(f, 'utf8')));
  const layers = new Set(files.map((f) => layerOf(relative(srcDir, f))).filter((l) => l !== ''));
  for (const l of layers) assert.ok(ALLOWED[l], `src/${l}/ is not in the layer table of test/layering.test.ts: place it in the graph`);
  assert.ok(edges.some((e) => e.from === 'node' && e.to === 'train'), 'the scanner sees the imports (node imports train)');
  assert.deepEqual(violations(edges).map((v) => v.replace(`${repoRoot()}${sep}`, '')), []);
});

test('the check catches an upward import of every kind, and allows a downward one', () => {
  const srcDir = join(sep, 'r', 'src');
  const file = join(srcDir, 'train', 'x.ts');
  const text = [
    "import { a } from '../node/a.js';",
    "import type { B } from '../../src/validate/b.js';",
    "export { c } from '../cli/c.js';",
    'const d = await import(\'../testnet/d.js\');',
    "import { e } from '../native/e.js';",
    "import { f } from './f.js';",
    "import { g } from 'pino';",
  ].join('\n');
  const edges = importsOf(srcDir, file, text);
  assert.deepEqual(edges.map((e) => [e.line, e.to]), [[1, 'node'], [2, 'validate'], [3, 'cli'], [4, 'testnet'], [5, 'native'], [6, 'train']]);
  const found = violations(edges);
  assert.equal(found.length, 4, found.join('\n'));
  assert.match(found[0]!, /x\.ts:1: train imports node \('\.\.\/node\/a\.js'\): train may import only native, shared/);
  assert.deepEqual(violations(importsOf(srcDir, join(srcDir, 'newlayer', 'y.ts'), "import { a } from '../shared/a.js';")).length, 1,
    'a directory missing from the table is reported');
});
