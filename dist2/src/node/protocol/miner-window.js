// A miner's window as a pure state machine, one pass per window c: wait for the
// manifest of c−1 (through every speaker's slot, speakers.ts manifestWaitUntil), train
// on θ_c, then publish the payload unless warming up, say when it is late or windows
// were skipped, and save the state. Events in (the window began, a timer fired, a
// manifest was applied, the engine's result, the state saved); commands out (wait,
// train, publish, save, log). No clock, engine, network or disk here: the time and
// the replica's head come in with every event as a `MinerView`. miner.ts (the node)
// and src/sim (the simulator) both drive it.
import { manifestWaitUntil } from './speakers.js';
export function minerStart(currentWindow) {
    return {
        state: { phase: 'await_window', window: currentWindow, startMs: 0, dueMs: 0, lastTrained: -1, skipped: 0 },
        commands: [{ kind: 'wait_window', window: currentWindow + 1 }],
    };
}
export function minerStep(s, e, v, timing) {
    const bad = () => {
        throw new Error(`miner window: event ${e.kind} in phase ${s.phase}`);
    };
    switch (s.phase) {
        case 'await_window': {
            if (e.kind !== 'window')
                return bad();
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
            if (e.kind !== 'timer' && e.kind !== 'manifest')
                return bad();
            return awaitManifest(s, v);
        case 'training': {
            if (e.kind !== 'trained')
                return bad();
            const w = s.window;
            const t = { ...s, phase: 'saving', lastTrained: w };
            const cmds = [];
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
            if (e.payload && announce)
                cmds.push({ kind: 'publish', window: w });
            cmds.push({ kind: 'save_state' });
            return { state: t, commands: cmds };
        }
        case 'saving':
            if (e.kind !== 'saved')
                return bad();
            return { state: { ...s, phase: 'await_window' }, commands: [{ kind: 'wait_window', window: s.window + 1 }] };
    }
}
/** Train once the manifest of window−1 is applied, or at the latest when it was due (a null round). */
function awaitManifest(s, v) {
    if (v.headWindow < s.window - 1 && v.nowMs < s.dueMs) {
        return { state: { ...s, phase: 'await_manifest' }, commands: [{ kind: 'wait', untilMs: s.dueMs, wakeOnManifest: true }] };
    }
    const cmds = [];
    if (v.warmupUntilWindow !== undefined && s.window < v.warmupUntilWindow) {
        cmds.push({ kind: 'log', level: 'info', event: 'warmup', fields: { window: s.window }, msg: 'warm-up: training without announcing' });
    }
    cmds.push({ kind: 'train', window: s.window });
    return { state: { ...s, phase: 'training' }, commands: cmds };
}
//# sourceMappingURL=miner-window.js.map