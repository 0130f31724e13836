// The repository root: where config/, bin/, build/ and package.json live. A leaf
// helper (node built-ins only) so that every layer, the native loader included,
// can find its files without importing a layer above it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root, found from this file whether run from src/ or dist/src/. */
export function repoRoot(): string {
  let dir = here;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the gradmesh repository root above ${here}`);
}
