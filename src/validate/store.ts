// The Gauntlet's state on disk: one JSON file, replaced atomically, so a validator
// that restarts keeps its ratings, moving averages and its secret nonce. A file of
// another run is refused rather than mixed in.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic, writeFileAtomicAsync } from '../shared/atomic-file.js';
import { GauntletError } from './config.js';
import type { MinerRecord } from './scores.js';

export const GAUNTLET_STATE_FORMAT = 'gradmesh-gauntlet';
export const GAUNTLET_STATE_VERSION = 1;

const finite = z.number().finite();
const count = z.number().int().min(0);

const minerSchema = z
  .object({
    uid: z.number().int().min(0),
    rating: z.object({ mu: finite, sigma: z.number().finite().positive() }).strict(),
    indicatorMa: z.number().min(-1).max(1),
    inSync: z.boolean(),
    evaluations: count,
    lastScore: finite.nullable(),
    wait: count,
    firstWindow: count,
    lastWindow: count,
    penalties: z.object({ missing: count, late: count, invalid: count, stale: count, copy: count }).strict(),
  })
  .strict();

const stateSchema = z
  .object({
    format: z.literal(GAUNTLET_STATE_FORMAT),
    version: z.literal(GAUNTLET_STATE_VERSION),
    runHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The validator's secret (hex): seeds its random-data pseudo-uid and own-sample choice. */
    nonce: z.string().regex(/^([0-9a-f]{2}){16,}$/),
    /** The last window scored (−1: none). */
    lastWindow: z.number().int().min(-1),
    /** The last window weights were set at (−1: never). */
    lastWeightsWindow: z.number().int().min(-1),
    miners: z.array(minerSchema),
  })
  .strict();

export type GauntletState = z.infer<typeof stateSchema>;

export function saveGauntletState(path: string, state: GauntletState): void {
  writeFileAtomic(path, [JSON.stringify(state, null, 1), '\n']);
}

/** saveGauntletState off the event loop (the node saves once per window). */
export function saveGauntletStateAsync(path: string, state: GauntletState): Promise<void> {
  return writeFileAtomicAsync(path, [JSON.stringify(state, null, 1), '\n']);
}

/** The saved state, or undefined when there is no file; a GauntletError for a bad or foreign one. */
export function loadGauntletState(path: string, runHashHex: string): GauntletState | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GauntletError('bad_state', `${path}: not JSON (${(e as Error).message})`);
  }
  const r = stateSchema.safeParse(json);
  if (!r.success) {
    throw new GauntletError('bad_state', `${path}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (r.data.runHash !== runHashHex) {
    throw new GauntletError('bad_state', `${path} belongs to run ${r.data.runHash.slice(0, 12)}…, this run is ${runHashHex.slice(0, 12)}…`);
  }
  const seen = new Set<number>();
  for (const m of r.data.miners) {
    if (seen.has(m.uid)) throw new GauntletError('bad_state', `${path}: uid ${m.uid} appears twice`);
    seen.add(m.uid);
  }
  return r.data;
}

export function recordsOf(state: GauntletState): Map<number, MinerRecord> {
  return new Map(state.miners.map((m) => [m.uid, structuredClone(m)]));
}
