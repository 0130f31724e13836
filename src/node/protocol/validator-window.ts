// A validator's window as a pure state machine: closing window w (during w+1), when
// to score, whether and when to speak (the lead rotation of speakers.ts), and what
// follows. Events in (the window began, a timer fired, a manifest was heard or
// applied, an engine result); commands out (wait, score, set weights, build and
// publish, apply, compare, evaluate, log). No clock, network, chain or engine here:
// the time and the replica's state come in with every event as a `ValidatorView`.
// validator.ts (the node) and src/sim (the simulator) both drive it.
import { readyToSpeak } from './replica-core.js';
import { manifestWaitUntil, slotOpensAt, type SpeakerTiming } from './speakers.js';

/** What the machine may read of the world at an event: filled in by the shell. */
export interface ValidatorView {
  nowMs: number;
  /** The chain's current window. */
  currentWindow: number;
  headWindow: number;
  /** replica.newestHeardWindow: applied, being applied, or failed to apply. */
  newestHeardWindow: number;
  synced: boolean;
  firstFullWindow: number;
  /** This validator's speaker rank now (0: the lead; −1: it scores but never speaks). */
  rank: number;
  /** How many validators may speak. */
  speakers: number;
}

export interface ValidatorConfig {
  timing: SpeakerTiming;
  /** Every validator scores the window's payloads (the gauntlet, weights), speaker or not. */
  scores: boolean;
}

export type ValidatorPhase = 'await_window' | 'await_close' | 'scoring' | 'await_slot' | 'building' | 'applying' | 'evaluating';

export interface ValidatorWindowState {
  phase: ValidatorPhase;
  /** The window being closed (its manifest is spoken for during w+1). */
  w: number;
  /** Local time at which w+1 began. */
  startMs: number;
  rank: number;
  speakers: number;
  /** This validator made its own choice for w (compared with the manifest applied). */
  ownChoice: boolean;
}

export type ValidatorEvent =
  /** The window asked for by `wait_window` began; `startMs`: when (local), or now if unseen. */
  | { kind: 'window'; startMs: number }
  | { kind: 'timer' }
  /** A manifest was heard or applied (a waiting speaker re-checks whether w was spoken for). */
  | { kind: 'manifest' }
  /** Scoring ended; `scored`: verdicts exist (false: the manifest of w was applied first). */
  | { kind: 'scored'; scored: boolean; ownChoice: boolean }
  /** The manifest was built and published (false: the head moved past w meanwhile). */
  | { kind: 'built'; ok: boolean }
  | { kind: 'applied' }
  | { kind: 'evaluated' };

export type ValidatorCommand =
  | { kind: 'wait_window'; window: number }
  /** Wait until `untilMs`, or (wakeOnManifest) until a manifest is heard or applied. */
  | { kind: 'wait'; untilMs: number; wakeOnManifest: boolean }
  /** Check the announcements of w against θ_w and choose (under the replica lock). */
  | { kind: 'score'; window: number }
  /** Report the scores of w (set weights): the verdicts of the last score or build. */
  | { kind: 'set_weights'; window: number }
  /** Compare this validator's own choice for w with the manifest applied. */
  | { kind: 'compare'; window: number }
  /** Check, choose, aggregate, publish the manifest of w (skipped if the head reached w). */
  | { kind: 'build_and_publish'; window: number; rank: number }
  /** Apply the manifest just built (θ_{w+1} already computed). */
  | { kind: 'apply_own'; window: number; rank: number }
  | { kind: 'evaluate'; window: number }
  | { kind: 'log'; level: 'info' | 'warn'; event: string; fields: Record<string, unknown>; msg: string };

export interface ValidatorStep {
  state: ValidatorWindowState;
  commands: ValidatorCommand[];
}

/** The first window closed is the current one (it ends when the next begins). */
export function validatorStart(currentWindow: number): ValidatorStep {
  const state: ValidatorWindowState = { phase: 'await_window', w: currentWindow, startMs: 0, rank: -1, speakers: 0, ownChoice: false };
  return { state, commands: [{ kind: 'wait_window', window: currentWindow + 1 }] };
}

/** Has a manifest of w been applied, or admitted and still being applied? */
export function spokenFor(v: ValidatorView, w: number): boolean {
  return v.headWindow >= w || v.newestHeardWindow >= w;
}

/** Until when a validator of `rank` waits for someone else's manifest of w. */
export function waitsUntil(s: Pick<ValidatorWindowState, 'startMs' | 'rank' | 'speakers'>, timing: SpeakerTiming): number {
  return s.rank > 0 ? slotOpensAt(s.startMs, s.rank, timing) : manifestWaitUntil(s.startMs, s.speakers, timing);
}

export function validatorStep(s: ValidatorWindowState, e: ValidatorEvent, v: ValidatorView, c: ValidatorConfig): ValidatorStep {
  const bad = (): never => {
    throw new Error(`validator window: event ${e.kind} in phase ${s.phase}`);
  };
  switch (s.phase) {
    case 'await_window': {
      if (e.kind !== 'window') return bad();
      if (s.w + 1 < v.currentWindow) {
        // This loop fell behind the chain (a slow evaluation on a busy machine): the
        // window's manifest is no use now (miners trained on since), and closing it
        // late would keep every later one late. Skip to the newest window.
        const w = v.currentWindow - 1;
        return {
          state: { ...s, w },
          commands: [
            { kind: 'log', level: 'warn', event: 'window_skipped', fields: { window: s.w, current: v.currentWindow }, msg: 'too late to close this window: skipping to the newest one' },
            { kind: 'wait_window', window: w + 1 },
          ],
        };
      }
      // Every speaker, the lead too, waits for the announcement deadline (slot 0).
      return { state: { ...s, phase: 'await_close', startMs: e.startMs, ownChoice: false }, commands: [{ kind: 'wait', untilMs: slotOpensAt(e.startMs, 0, c.timing), wakeOnManifest: false }] };
    }
    case 'await_close': {
      if (e.kind !== 'timer') return bad();
      const t = { ...s, rank: v.rank, speakers: v.speakers };
      // Every validator but the lead scores now, while θ_w is still the head (the lead
      // scores as it builds).
      if (t.rank !== 0 && c.scores) return { state: { ...t, phase: 'scoring' }, commands: [{ kind: 'score', window: s.w }] };
      return t.rank === 0 ? speakOrNot(t, v) : awaitSlot(t, v, c, []);
    }
    case 'scoring': {
      if (e.kind !== 'scored') return bad();
      const t = { ...s, ownChoice: e.ownChoice };
      return awaitSlot(t, v, c, e.scored ? [{ kind: 'set_weights', window: s.w }] : []);
    }
    case 'await_slot': {
      if (e.kind !== 'timer' && e.kind !== 'manifest') return bad();
      return awaitSlot(s, v, c, []);
    }
    case 'building': {
      if (e.kind !== 'built') return bad();
      if (!e.ok) return next(s);
      return { state: { ...s, phase: 'applying' }, commands: [{ kind: 'apply_own', window: s.w, rank: s.rank }] };
    }
    case 'applying': {
      if (e.kind !== 'applied') return bad();
      // The lead's scores are the verdicts it built the manifest from.
      return evaluate(s, s.rank === 0 ? [{ kind: 'set_weights', window: s.w }] : []);
    }
    case 'evaluating': {
      if (e.kind !== 'evaluated') return bad();
      return next(s);
    }
  }
}

/**
 * A speaker of rank r > 0 speaks only if no manifest of w came before its slot opened;
 * a validator that never speaks (rank −1) waits through every speaker's slot, then
 * compares its choice with the manifest applied.
 */
function awaitSlot(s: ValidatorWindowState, v: ValidatorView, c: ValidatorConfig, before: ValidatorCommand[]): ValidatorStep {
  const until = waitsUntil(s, c.timing);
  const spoken = spokenFor(v, s.w);
  if (!spoken && v.nowMs < until) return { state: { ...s, phase: 'await_slot' }, commands: [...before, { kind: 'wait', untilMs: until, wakeOnManifest: true }] };
  const cmds: ValidatorCommand[] = [...before, ...(s.ownChoice ? [{ kind: 'compare', window: s.w } as const] : [])];
  if (s.rank < 0 || spoken) return evaluate(s, cmds);
  const r = speakOrNot(s, v);
  return { state: r.state, commands: [...cmds, ...r.commands] };
}

/** Speak only on θ_w (replica-core.ts readyToSpeak); a manifest of w already heard wins. */
function speakOrNot(s: ValidatorWindowState, v: ValidatorView): ValidatorStep {
  if (spokenFor(v, s.w)) return evaluate(s, []);
  if (!readyToSpeak(v, s.w)) {
    return evaluate(s, [{
      kind: 'log', level: 'warn', event: 'not_speaking', fields: { window: s.w, rank: s.rank, head: v.headWindow, inSync: v.synced },
      msg: 'not publishing a manifest: this validator has not caught up with the manifest chain yet',
    }]);
  }
  return { state: { ...s, phase: 'building' }, commands: [{ kind: 'build_and_publish', window: s.w, rank: s.rank }] };
}

function evaluate(s: ValidatorWindowState, before: ValidatorCommand[]): ValidatorStep {
  return { state: { ...s, phase: 'evaluating' }, commands: [...before, { kind: 'evaluate', window: s.w + 1 }] };
}

/** On to the next window, in order (an overrun closes the next one late; see await_window). */
function next(s: ValidatorWindowState): ValidatorStep {
  const w = s.w + 1;
  return { state: { ...s, phase: 'await_window', w }, commands: [{ kind: 'wait_window', window: w + 1 }] };
}
