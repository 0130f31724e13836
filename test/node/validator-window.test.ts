// Table-driven tests of a validator's window (src/node/protocol/validator-window.ts):
// state + event + view → state + commands, every branch of the close, the scoring,
// the lead rotation (a fallback's slot, the lead timeout, a manifest heard first),
// readiness, a build that found the head moved, and the skip of an overrun window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  validatorStart, validatorStep, type ValidatorCommand, type ValidatorConfig, type ValidatorEvent, type ValidatorView, type ValidatorWindowState,
} from '../../src/node/protocol/validator-window.js';

const timing = { announceDeadlineMs: 200, manifestTimeoutMs: 100 };
const scoring: ValidatorConfig = { timing, scores: true };
const silent: ValidatorConfig = { timing, scores: false };
// Closing w = 9 during window 10, which began at t = 1000: slot r opens at 1200 + 100 r.
const view = (o: Partial<ValidatorView> = {}): ValidatorView => ({
  nowMs: 1200, currentWindow: 10, headWindow: 8, newestHeardWindow: 8, synced: true, firstFullWindow: 0, rank: 1, speakers: 3, ...o,
});
const st = (o: Partial<ValidatorWindowState>): ValidatorWindowState => ({ phase: 'await_close', w: 9, startMs: 1000, rank: 1, speakers: 3, ownChoice: false, ...o });
const kinds = (cs: ValidatorCommand[]): string[] => cs.map((c) => (c.kind === 'log' ? `log:${c.event}` : c.kind === 'wait' ? `wait:${c.untilMs}${c.wakeOnManifest ? '+m' : ''}` : `${c.kind}:${'window' in c ? c.window : ''}`));

interface Row {
  name: string;
  s: ValidatorWindowState;
  e: ValidatorEvent;
  v: ValidatorView;
  c?: ValidatorConfig;
  phase: ValidatorWindowState['phase'];
  cmds: string[];
  w?: number;
}

const rows: Row[] = [
  // The close: everyone waits for the announcement deadline (slot 0).
  { name: 'window began: wait for slot 0', s: st({ phase: 'await_window', startMs: 0 }), e: { kind: 'window', startMs: 1000 }, v: view(), phase: 'await_close', cmds: ['wait:1200'] },
  { name: 'overran a window: skip to the newest', s: st({ phase: 'await_window', w: 7 }), e: { kind: 'window', startMs: 800 }, v: view(), phase: 'await_window', cmds: ['log:window_skipped', 'wait_window:10'], w: 9 },
  // Slot 0.
  { name: 'the lead on θ_w: build', s: st({}), e: { kind: 'timer' }, v: view({ rank: 0 }), phase: 'building', cmds: ['build_and_publish:9'] },
  { name: 'the lead after a null round, nothing newer heard: build', s: st({}), e: { kind: 'timer' }, v: view({ rank: 0, headWindow: 6, newestHeardWindow: 6 }), phase: 'building', cmds: ['build_and_publish:9'] },
  { name: 'the lead behind (heard a newer manifest): not speaking', s: st({}), e: { kind: 'timer' }, v: view({ rank: 0, headWindow: 6, newestHeardWindow: 8 }), phase: 'evaluating', cmds: ['log:not_speaking', 'evaluate:10'] },
  { name: 'the lead out of sync: not speaking', s: st({}), e: { kind: 'timer' }, v: view({ rank: 0, synced: false }), phase: 'evaluating', cmds: ['log:not_speaking', 'evaluate:10'] },
  { name: 'the lead restarted during w: not speaking', s: st({}), e: { kind: 'timer' }, v: view({ rank: 0, headWindow: 7, newestHeardWindow: 7, firstFullWindow: 10 }), phase: 'evaluating', cmds: ['log:not_speaking', 'evaluate:10'] },
  { name: 'the lead, w already being applied: evaluate', s: st({}), e: { kind: 'timer' }, v: view({ rank: 0, newestHeardWindow: 9 }), phase: 'evaluating', cmds: ['evaluate:10'] },
  { name: 'a fallback that scores: score first', s: st({}), e: { kind: 'timer' }, v: view({ rank: 1 }), phase: 'scoring', cmds: ['score:9'] },
  { name: 'a fallback that does not score: wait for its slot', s: st({}), e: { kind: 'timer' }, v: view({ rank: 2 }), c: silent, phase: 'await_slot', cmds: ['wait:1400+m'] },
  { name: 'a non-speaker that does not score: wait through every slot', s: st({}), e: { kind: 'timer' }, v: view({ rank: -1 }), c: silent, phase: 'await_slot', cmds: ['wait:1500+m'] },
  // Scoring ended.
  { name: 'scored: set weights, wait for the slot', s: st({ phase: 'scoring' }), e: { kind: 'scored', scored: true, ownChoice: true }, v: view({ nowMs: 1250 }), phase: 'await_slot', cmds: ['set_weights:9', 'wait:1300+m'] },
  { name: 'nothing scored (w applied first): no weights; spoken, so compare and evaluate', s: st({ phase: 'scoring' }), e: { kind: 'scored', scored: false, ownChoice: false }, v: view({ headWindow: 9, newestHeardWindow: 9 }), phase: 'evaluating', cmds: ['evaluate:10'] },
  { name: 'scoring ran past the slot, nothing heard: compare, then speak', s: st({ phase: 'scoring' }), e: { kind: 'scored', scored: true, ownChoice: true }, v: view({ nowMs: 1350 }), phase: 'building', cmds: ['set_weights:9', 'compare:9', 'build_and_publish:9'] },
  // Waiting for the slot: the lead timeout.
  { name: 'a manifest heard before the slot: compare, evaluate', s: st({ phase: 'await_slot', ownChoice: true }), e: { kind: 'manifest' }, v: view({ nowMs: 1250, newestHeardWindow: 9 }), phase: 'evaluating', cmds: ['compare:9', 'evaluate:10'] },
  { name: 'a manifest of another window: keep waiting', s: st({ phase: 'await_slot' }), e: { kind: 'manifest' }, v: view({ nowMs: 1250 }), phase: 'await_slot', cmds: ['wait:1300+m'] },
  { name: 'the lead timed out: the fallback speaks', s: st({ phase: 'await_slot' }), e: { kind: 'timer' }, v: view({ nowMs: 1300 }), phase: 'building', cmds: ['build_and_publish:9'] },
  { name: 'the lead timed out but the fallback is behind: not speaking', s: st({ phase: 'await_slot' }), e: { kind: 'timer' }, v: view({ nowMs: 1300, headWindow: 7, newestHeardWindow: 8 }), phase: 'evaluating', cmds: ['log:not_speaking', 'evaluate:10'] },
  { name: 'rank 2 waits past rank 1\'s slot', s: st({ phase: 'await_slot', rank: 2 }), e: { kind: 'timer' }, v: view({ nowMs: 1300 }), phase: 'await_slot', cmds: ['wait:1400+m'] },
  { name: 'a non-speaker after every slot: compare, evaluate', s: st({ phase: 'await_slot', rank: -1, ownChoice: true }), e: { kind: 'timer' }, v: view({ nowMs: 1500 }), phase: 'evaluating', cmds: ['compare:9', 'evaluate:10'] },
  // Building, applying, evaluating.
  { name: 'built: apply own', s: st({ phase: 'building' }), e: { kind: 'built', ok: true }, v: view(), phase: 'applying', cmds: ['apply_own:9'] },
  { name: 'the head moved past w while building: next window', s: st({ phase: 'building' }), e: { kind: 'built', ok: false }, v: view(), phase: 'await_window', cmds: ['wait_window:11'], w: 10 },
  { name: 'the lead applied its own: set weights, evaluate', s: st({ phase: 'applying', rank: 0 }), e: { kind: 'applied' }, v: view(), phase: 'evaluating', cmds: ['set_weights:9', 'evaluate:10'] },
  { name: 'a fallback applied its own: evaluate (it set weights when it scored)', s: st({ phase: 'applying', rank: 1 }), e: { kind: 'applied' }, v: view(), phase: 'evaluating', cmds: ['evaluate:10'] },
  { name: 'evaluated: next window', s: st({ phase: 'evaluating' }), e: { kind: 'evaluated' }, v: view(), phase: 'await_window', cmds: ['wait_window:11'], w: 10 },
];

test('validator window: every transition', () => {
  for (const r of rows) {
    const out = validatorStep(r.s, r.e, r.v, r.c ?? scoring);
    assert.equal(out.state.phase, r.phase, `${r.name}: phase`);
    assert.deepEqual(kinds(out.commands), r.cmds, `${r.name}: commands`);
    assert.equal(out.state.w, r.w ?? r.s.w, `${r.name}: window`);
  }
});

test('validator window: start, and an event out of place is an error naming both', () => {
  const s = validatorStart(4);
  assert.deepEqual(s.commands, [{ kind: 'wait_window', window: 5 }]);
  assert.equal(s.state.w, 4);
  assert.throws(() => validatorStep(s.state, { kind: 'timer' }, view(), scoring), /event timer in phase await_window/);
});

test('validator window: a whole window for a fallback whose lead is dead', () => {
  // Rank 1: scores at slot 0, waits to its slot, nothing arrives, speaks, applies, evaluates.
  let out = validatorStart(9);
  const feed = (e: ValidatorEvent, v: ValidatorView): string[] => {
    out = validatorStep(out.state, e, v, scoring);
    return kinds(out.commands);
  };
  assert.deepEqual(feed({ kind: 'window', startMs: 1000 }, view()), ['wait:1200']);
  assert.deepEqual(feed({ kind: 'timer' }, view()), ['score:9']);
  assert.deepEqual(feed({ kind: 'scored', scored: true, ownChoice: true }, view({ nowMs: 1210 })), ['set_weights:9', 'wait:1300+m']);
  assert.deepEqual(feed({ kind: 'manifest' }, view({ nowMs: 1220 })), ['wait:1300+m'], 'a manifest of an older window');
  assert.deepEqual(feed({ kind: 'timer' }, view({ nowMs: 1300 })), ['compare:9', 'build_and_publish:9']);
  assert.deepEqual(feed({ kind: 'built', ok: true }, view()), ['apply_own:9']);
  assert.deepEqual(feed({ kind: 'applied' }, view({ headWindow: 9 })), ['evaluate:10']);
  assert.deepEqual(feed({ kind: 'evaluated' }, view({ headWindow: 9 })), ['wait_window:11']);
});
