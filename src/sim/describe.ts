// One line that sums up a simulated run (the CLI and the bench print it).
import type { SimResult } from './world.js';

export function describe(r: SimResult): string {
  const v = r.violations[0];
  return `seed ${r.seed}: ${v ? `VIOLATION ${v.invariant} at window ${v.window} (${v.timeMs} ms): ${v.detail}` : 'ok'} | head ${r.finalHead} θ ${r.finalHash.slice(0, 12)} | manifests applied ${r.manifestsApplied}, null rounds ${r.nullRounds}, supersessions ${r.supersessions}, events ${r.events}`;
}
