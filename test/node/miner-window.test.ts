// Table-driven tests of a miner's window (src/node/protocol/miner-window.ts): state +
// event + view → state + commands: the wait for the manifest of c−1 through every
// speaker's slot (a null round when none comes), warm-up, skipped windows, late
// payloads, a payload dropped by a hook, and saving before the next window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minerStart, minerStep, type MinerCommand, type MinerEvent, type MinerView, type MinerWindowState } from '../../src/node/protocol/miner-window.js';

const timing = { announceDeadlineMs: 200, manifestTimeoutMs: 100 };
// Window 10 began at t = 1000; with 3 speakers the manifest of 9 is due by 1000 + 200 + 300.
const view = (o: Partial<MinerView> = {}): MinerView => ({ nowMs: 1010, currentWindow: 10, headWindow: 8, speakers: 3, warmupUntilWindow: undefined, ...o });
const st = (o: Partial<MinerWindowState>): MinerWindowState => ({ phase: 'await_manifest', window: 10, startMs: 1000, dueMs: 1500, lastTrained: 9, skipped: 0, ...o });
const kinds = (cs: MinerCommand[]): string[] =>
  cs.map((c) => (c.kind === 'log' ? `log:${c.event}` : c.kind === 'wait' ? `wait:${c.untilMs}` : c.kind === 'late' ? `late:${c.late}/${c.skipped}` : c.kind === 'save_state' ? 'save_state' : `${c.kind}:${c.window}`));
const trained = (o: Partial<Extract<MinerEvent, { kind: 'trained' }>> = {}): MinerEvent => ({ kind: 'trained', payload: true, nextStartMs: undefined, timings: { trainMs: 500 }, ...o });

interface Row {
  name: string;
  s: MinerWindowState;
  e: MinerEvent;
  v: MinerView;
  phase: MinerWindowState['phase'];
  cmds: string[];
  check?: (s: MinerWindowState) => void;
}

const rows: Row[] = [
  { name: 'window began, manifest of c−1 not applied: wait through every slot', s: st({ phase: 'await_window', window: 9 }), e: { kind: 'window', window: 10, startMs: 1000 }, v: view(), phase: 'await_manifest', cmds: ['wait:1500'],
    check: (s) => assert.deepEqual([s.window, s.dueMs, s.skipped], [10, 1500, 0]) },
  { name: 'window began with the manifest already applied: train', s: st({ phase: 'await_window', window: 9 }), e: { kind: 'window', window: 10, startMs: 1000 }, v: view({ headWindow: 9 }), phase: 'training', cmds: ['train:10'] },
  { name: 'one speaker: due at the end of the lead\'s slot', s: st({ phase: 'await_window', window: 9 }), e: { kind: 'window', window: 10, startMs: 1000 }, v: view({ speakers: 1 }), phase: 'await_manifest', cmds: ['wait:1300'] },
  { name: 'windows skipped while the last one trained', s: st({ phase: 'await_window', window: 9, lastTrained: 9 }), e: { kind: 'window', window: 12, startMs: 1000 }, v: view({ currentWindow: 12, headWindow: 11 }), phase: 'training', cmds: ['train:12'],
    check: (s) => assert.equal(s.skipped, 2) },
  { name: 'a jump in windows before any training is no skip', s: st({ phase: 'await_window', window: 9, lastTrained: -1 }), e: { kind: 'window', window: 12, startMs: 1000 }, v: view({ headWindow: 11 }), phase: 'training', cmds: ['train:12'],
    check: (s) => assert.equal(s.skipped, 0) },
  { name: 'a manifest applied, not yet c−1: keep waiting', s: st({}), e: { kind: 'manifest' }, v: view({ nowMs: 1250, headWindow: 8 }), phase: 'await_manifest', cmds: ['wait:1500'] },
  { name: 'the manifest of c−1 applied: train', s: st({}), e: { kind: 'manifest' }, v: view({ nowMs: 1250, headWindow: 9 }), phase: 'training', cmds: ['train:10'] },
  { name: 'no manifest by the due time (a null round): train on θ as it is', s: st({}), e: { kind: 'timer' }, v: view({ nowMs: 1500 }), phase: 'training', cmds: ['train:10'] },
  { name: 'warming up: say so, train', s: st({}), e: { kind: 'timer' }, v: view({ nowMs: 1500, warmupUntilWindow: 12 }), phase: 'training', cmds: ['log:warmup', 'train:10'] },
  { name: 'trained in time: publish, save', s: st({ phase: 'training' }), e: trained(), v: view({ nowMs: 1900 }), phase: 'saving', cmds: ['publish:10', 'save_state'],
    check: (s) => assert.equal(s.lastTrained, 10) },
  { name: 'trained during the next window, before its deadline: not late', s: st({ phase: 'training' }), e: trained({ nextStartMs: 2000 }), v: view({ nowMs: 2150, currentWindow: 11 }), phase: 'saving', cmds: ['publish:10', 'save_state'] },
  { name: 'trained after the deadline: late, still published', s: st({ phase: 'training' }), e: trained({ nextStartMs: 2000 }), v: view({ nowMs: 2300, currentWindow: 11 }), phase: 'saving', cmds: ['late:true/0', 'publish:10', 'save_state'] },
  { name: 'two windows on and their starts unseen: late', s: st({ phase: 'training' }), e: trained(), v: view({ nowMs: 5000, currentWindow: 12 }), phase: 'saving', cmds: ['late:true/0', 'publish:10', 'save_state'] },
  { name: 'in time but windows were skipped: said', s: st({ phase: 'training', skipped: 2 }), e: trained(), v: view({ nowMs: 1900 }), phase: 'saving', cmds: ['late:false/2', 'publish:10', 'save_state'] },
  { name: 'warming up: no announcement', s: st({ phase: 'training' }), e: trained(), v: view({ nowMs: 1900, warmupUntilWindow: 11 }), phase: 'saving', cmds: ['save_state'] },
  { name: 'the warm-up ends with this window: announced', s: st({ phase: 'training' }), e: trained(), v: view({ nowMs: 1900, warmupUntilWindow: 10 }), phase: 'saving', cmds: ['publish:10', 'save_state'] },
  { name: 'a hook dropped the payload: nothing to publish', s: st({ phase: 'training' }), e: trained({ payload: false }), v: view({ nowMs: 1900 }), phase: 'saving', cmds: ['save_state'] },
  { name: 'saved: the next window', s: st({ phase: 'saving' }), e: { kind: 'saved' }, v: view(), phase: 'await_window', cmds: ['wait_window:11'] },
];

test('miner window: every transition', () => {
  for (const r of rows) {
    const out = minerStep(r.s, r.e, r.v, timing);
    assert.equal(out.state.phase, r.phase, `${r.name}: phase`);
    assert.deepEqual(kinds(out.commands), r.cmds, `${r.name}: commands`);
    r.check?.(out.state);
  }
});

test('miner window: the late command carries how far over the deadline', () => {
  const out = minerStep(st({ phase: 'training' }), trained({ nextStartMs: 2000, timings: { trainMs: 900 } }), view({ nowMs: 2350, currentWindow: 11 }), timing);
  const late = out.commands.find((c) => c.kind === 'late');
  assert.ok(late && late.kind === 'late');
  assert.deepEqual(late.fields, { window: 10, trainMs: 900, overByMs: 150, skippedWindows: 0 });
});

test('miner window: start, and an event out of place is an error naming both', () => {
  const s = minerStart(4);
  assert.deepEqual(s.commands, [{ kind: 'wait_window', window: 5 }]);
  assert.throws(() => minerStep(s.state, { kind: 'saved' }, view(), timing), /event saved in phase await_window/);
});
