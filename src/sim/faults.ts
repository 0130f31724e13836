// The fault schedule of a simulated run, drawn from the seed before the run starts:
// crashes with a restart from the state on disk, a lead dying right after it
// published (its unsent copies lost), partitions that heal, slow nodes, message loss
// and duplication. Faults stop `quietWindows` before the end, so that the run can
// check that every honest node is back in agreement.
import type { Rng } from './rng.js';

export const FAULT_KINDS = ['crash', 'lead', 'partition', 'slow', 'loss'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Fault =
  | { kind: 'crash'; node: number; from: number; to: number }
  | { kind: 'lead'; window: number; afterMs: number }
  | { kind: 'partition'; nodes: number[]; from: number; to: number }
  | { kind: 'slow'; node: number; from: number; to: number; extraMs: number };

export interface FaultPlan {
  faults: Fault[];
  loss: number;
  duplicate: number;
  /** The last window with a fault in progress (−1: none). */
  lastFaultWindow: number;
}

export function parseFaults(s: string | undefined): FaultKind[] {
  if (s === undefined || s === 'all') return [...FAULT_KINDS];
  if (s === 'none' || s === '') return [];
  return s.split(',').map((k) => {
    if (!(FAULT_KINDS as readonly string[]).includes(k)) throw new Error(`--faults: unknown fault "${k}" (known: ${FAULT_KINDS.join(', ')}, all, none)`);
    return k as FaultKind;
  });
}

export interface PlanShape {
  nodes: number;
  windows: number;
  validators: number;
  quietWindows: number;
}

export function planFaults(rng: Rng, kinds: readonly FaultKind[], s: PlanShape): FaultPlan {
  const faults: Fault[] = [];
  const lastStart = s.windows - s.quietWindows - 4;
  const on = (k: FaultKind) => kinds.includes(k);
  let last = -1;
  if (lastStart >= 2) {
    const count = Math.max(1, Math.round(s.windows / 8));
    for (let i = 0; i < count; i++) {
      const from = rng.int(2, lastStart + 1);
      const k = rng.pick(kinds.filter((x) => x !== 'loss'));
      if (k === undefined) break;
      if (k === 'crash' && on('crash')) {
        const to = from + rng.int(1, 4);
        faults.push({ kind: 'crash', node: rng.int(0, s.nodes), from, to });
        last = Math.max(last, to);
      } else if (k === 'lead' && on('lead')) {
        faults.push({ kind: 'lead', window: from, afterMs: rng.int(0, 40) });
        last = Math.max(last, from + 3);
      } else if (k === 'partition' && on('partition')) {
        // A minority of the non-validators is cut off; validators stay together
        // (a partition that splits the speakers is a known open case: docs/simulator.md).
        const size = Math.max(1, Math.floor((s.nodes - s.validators) * rng.int(5, 30) / 100));
        const nodes: number[] = [];
        for (let j = 0; j < size; j++) nodes.push(rng.int(s.validators, s.nodes));
        const to = from + rng.int(1, 4);
        faults.push({ kind: 'partition', nodes: [...new Set(nodes)].sort((a, b) => a - b), from, to });
        last = Math.max(last, to);
      } else if (k === 'slow' && on('slow')) {
        const to = from + rng.int(1, 6);
        faults.push({ kind: 'slow', node: rng.int(0, s.nodes), from, to, extraMs: rng.int(100, 400) });
        last = Math.max(last, to);
      }
    }
  }
  return { faults, loss: on('loss') ? 0.02 : 0, duplicate: on('loss') ? 0.01 : 0, lastFaultWindow: on('loss') ? Math.max(last, lastStart) : last };
}
