import '../polyfill.js';
import { buildProgram } from './program.js';

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    const e = err as Error;
    console.error(`gradmesh: ${e.message ?? String(err)}`);
    if (process.env.GRADMESH_DEBUG) console.error(e.stack);
    process.exit(1);
  });
