// A miner's window as a pure state machine, one pass per window c: wait for the
// manifest of c−1 (through every speaker's slot, speakers.ts manifestWaitUntil), train
// on θ_c, then publish the payload unless warming up, say when it is late or windows
// were skipped, and save the state. Events in (the window began, a timer fired, a
// manifest was applied, the engine's result, the state saved); commands out (wait,
// train, publish, save, log). No clock, engine, network or disk here: the time and
// the replica's head come in with every event as a `MinerView`. miner.ts (the node)
// and src/sim (the simulator) both drive it.
import { manifestWaitUntil, type SpeakerTiming } from './speakers.js';

export interface MinerView {
  nowMs: number;
  /** The chain's current window. */
  currentWindow: number;
  headWindow: number;
  /** How many validators may speak (the miner waits through all their slots). */
  speakers: number;
  /** A joiner's warm-up: it trains without announcing before this window. */
  warmupUntilWindow: number | undefined;
}

export type MinerPhase = 'await_window' | 'await_manifest' | 'training' | 'saving';

export interface MinerWindowState {
  phase: MinerPhase;
  /** The window being trained (or, awaiting, the last one begun). */
  window: number;
  /** Local time at which `window` began. */
  startMs: number;
  /** Until when the manifest of window−1 is waited for. */
  dueMs: number;
  /** The last window trained through (−1: none yet). */
  lastTrained: number;
  /** Windows that began while the last one was still training (they get no payload). */
  skipped: number;
}

export type MinerEvent =
  /** The chain reached `window` (at least the one asked for); `startMs`: when it began (local), or now. */
  | { kind: 'window'; window: number; startMs: number }
  | { kind: 'timer' }
  /** A manifest was applied. */
  | { kind: 'manifest' }
  /**
   * The engine trained through the window. `payload`: a payload to publish exists (an
   * adversarial hook may drop it). `nextStartMs`: when window+1 began, or at the latest
   * the first later window seen beginning (undefined: none seen yet).
   */
  | { kind: 'trained'; payload: boolean; nextStartMs: number | undefined; timings: Record<string, number> }
  | { kind: 'saved' };

export type MinerCommand =
  | { kind: 'wait_window'; window: number }
  | { kind: 'wait'; untilMs: number; wakeOnManifest: boolean }
  /** From θ_c (under the replica lock): train, Δ, compress, encode; answered by 'trained'. */
  | { kind: 'train'; window: number }
  | { kind: 'publish'; window: number }
  | { kind: 'save_state' }
  /** The payload is ready after the validators' deadline, or windows were skipped. */
  | { kind: 'late'; window: number; late: boolean; skipped: number; fields: Record<string, unknown> }
  | { kind: 'log'; level: 'info' | 'warn'; event: string; fields: Record<string, unknown>; msg: string };

export interface MinerStep {
  state: MinerWindowState;
  commands: MinerCommand[];
}

export function minerStart(currentWindow: number): MinerStep {
  return {
    state: { phase: 'await_window', window: currentWindow, startMs: 0, dueMs: 0, lastTrained: -1, skipped: 0 },
    commands: [{ kind: 'wait_window', window: currentWindow + 1 }],
  };
}

export function minerStep(s: MinerWindowState, e: MinerEvent, v: MinerView, timing: SpeakerTiming): MinerStep {
  const bad = (): never => {
    throw new Error(`miner window: event ${e.kind} in phase ${s.phase}`);
  };
  switch (s.phase) {
    case 'await_window': {
      if (e.kind !== 'window') return bad();
      const previous = s.window;
      // Windows that began while the last one was still training get no payload.
      const skipped = previous >= 0 && e.window > previous + 1 && s.lastTrained === previous ? e.window - previous - 1 : 0;
      // The manifest of window−1 is due in the lead's slot; wait through every fallback
      // speaker's slot too, so that a dead lead's stand-in is applied before training
      // rather than just after it.
      const dueMs = manifestWaitUntil(e.startMs, v.speakers, timing);
      return awaitManifest({ ...s, window: e.window, startMs: e.startMs, dueMs, skipped }, v);
    }
    case 'await_manifest':
      if (e.kind !== 'timer' && e.kind !== 'manifest') return bad();
      return awaitManifest(s, v);
    case 'training': {
      if (e.kind !== 'trained') return bad();
      const w = s.window;
      const t = { ...s, phase: 'saving' as const, lastTrained: w };
      const cmds: MinerCommand[] = [];
      // Late: the validators close this window announceDeadlineMs into the next one
      // (measured from the next window's start, or a later one's if its notice was
      // skipped: then overByMs is a lower bound).
      const deadline = e.nextStartMs !== undefined ? e.nextStartMs + timing.announceDeadlineMs : undefined;
      const late = deadline !== undefined ? v.nowMs > deadline : v.currentWindow > w + 1;
      if (late || s.skipped > 0) {
        cmds.push({
          kind: 'late', window: w, late, skipped: s.skipped,
          fields: { window: w, ...e.timings, ...(deadline !== undefined ? { overByMs: v.nowMs - deadline } : {}), skippedWindows: s.skipped },
        });
      }
      const announce = v.warmupUntilWindow === undefined || w >= v.warmupUntilWindow;
      if (e.payload && announce) cmds.push({ kind: 'publish', window: w });
      cmds.push({ kind: 'save_state' });
      return { state: t, commands: cmds };
    }
    case 'saving':
      if (e.kind !== 'saved') return bad();
      return { state: { ...s, phase: 'await_window' }, commands: [{ kind: 'wait_window', window: s.window + 1 }] };
  }
}

/** Train once the manifest of window−1 is applied, or at the latest when it was due (a null round). */
function awaitManifest(s: MinerWindowState, v: MinerView): MinerStep {
  if (v.headWindow < s.window - 1 && v.nowMs < s.dueMs) {
    return { state: { ...s, phase: 'await_manifest' }, commands: [{ kind: 'wait', untilMs: s.dueMs, wakeOnManifest: true }] };
  }
  const cmds: MinerCommand[] = [];
  if (v.warmupUntilWindow !== undefined && s.window < v.warmupUntilWindow) {
    cmds.push({ kind: 'log', level: 'info', event: 'warmup', fields: { window: s.window }, msg: 'warm-up: training without announcing' });
  }
  cmds.push({ kind: 'train', window: s.window });
  return { state: { ...s, phase: 'training' }, commands: cmds };
}
