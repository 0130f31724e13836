// Who may speak for a window, and when: the one rule that decides which validator's
// manifest every node applies. Pure: the validator list, the local time at which the
// closing window began and "now" come in as inputs; nothing here reads a clock, the
// network or the chain, so the rule can be tested and simulated alone.
//
// The manifest of window w is published during window w+1. With S = the speakers (the
// validators holding a permit and at least the run's minimum stake, highest stake
// first, ties to the lower uid, at most maxSpeakers of them), the speaker of rank r
// owns the slot that opens at
//     open(r) = start(w+1) + announceDeadline + r · manifestTimeout
// and speaks there only if no manifest of w reached it before. A miner waits for the
// manifest of w until open(|S|) (the last speaker's slot plus the time to apply what it
// published), so the fallback's manifest, when the lead is dead, still reaches every
// miner before it trains: a dead lead costs no more than the window it died in.
//
// A manifest is judged on arrival:
//   - its signer must be a speaker, and its validatorUid the signer's own uid;
//   - a fallback's (rank > 0) may not arrive before its slot opened (less a tolerance
//     for the different moments at which nodes see the same block), nor for a window
//     that has not ended; the lead's is taken whenever it comes.
// Breaking one of these is an offence (the sender is penalised); a manifest that an
// honest node could have sent on a skewed clock is only ignored.
// Precedence: a lower rank wins. A node that applied a fallback's manifest and then
// hears the lead's for the same window switches to the lead's (replica.ts) and says so.
export const DEFAULT_MAX_SPEAKERS = 3;
/** The run spec's speaker rules, with defaults for runs that state none. */
export function speakerRules(spec) {
    return {
        minStake: spec.validators?.minStake ?? 0,
        maxSpeakers: spec.validators?.maxSpeakers ?? DEFAULT_MAX_SPEAKERS,
        // Nodes see a block at different moments (network, a busy event loop delays the
        // notice): half a slot absorbs that, and a fallback speaking in the slot before its
        // own is still early by at least half a slot.
        clockToleranceMs: Math.floor(spec.timing.manifestTimeoutMs / 2),
    };
}
/** The validators that may speak, in precedence order (rank 0 is the lead). */
export function speakerOrder(validators, rules) {
    return validators
        // A permit with no stake is a miner's on a small subnet (permits go to the top
        // neurons by stake, however little): only staked validators speak.
        .filter((v) => v.validatorPermit && v.stake > 0 && v.stake >= rules.minStake)
        .sort((a, b) => b.stake - a.stake || a.uid - b.uid)
        .slice(0, Math.max(1, rules.maxSpeakers));
}
/** Local time at which rank r may publish the manifest of w; `closingStartMs` = start(w+1). */
export function slotOpensAt(closingStartMs, rank, timing) {
    return closingStartMs + timing.announceDeadlineMs + rank * timing.manifestTimeoutMs;
}
/**
 * Until when a miner in window c waits for the manifest of c−1 (`windowStartMs` =
 * start(c)): the end of the last speaker's slot.
 */
export function manifestWaitUntil(windowStartMs, speakers, timing) {
    return slotOpensAt(windowStartMs, Math.max(1, speakers), timing);
}
export function judgeManifest(a) {
    if (!a.signer)
        return { kind: 'ignore', reason: 'signer_unknown' };
    const rank = a.speakers.findIndex((s) => s.peerId === a.signer.peerId);
    if (rank < 0)
        return { kind: 'reject', reason: 'not_a_speaker' };
    if (a.validatorUid !== a.signer.uid)
        return { kind: 'reject', reason: 'validator_uid_mismatch' };
    if (rank === 0) {
        // The lead's word is the rule whenever it comes (it takes precedence over every
        // fallback). A receiver that has not seen the window end yet (it saw the block
        // late) takes it too; only one from a window further ahead is left for later.
        return a.window > a.currentWindow ? { kind: 'ignore', reason: 'window_not_closed' } : { kind: 'accept', rank };
    }
    // A fallback speaks only in its slot, which opens a whole announce deadline plus r
    // manifest timeouts after its window closed.
    if (a.window >= a.currentWindow)
        return { kind: 'reject', reason: `out_of_turn: rank ${rank} spoke for a window that had not closed` };
    if (a.window === a.currentWindow - 1 && a.closingStartMs !== undefined) {
        const early = slotOpensAt(a.closingStartMs, rank, a.timing) - a.nowMs;
        if (early > a.rules.clockToleranceMs)
            return { kind: 'reject', reason: `out_of_turn: rank ${rank} spoke ${Math.round(early)} ms before its slot` };
    }
    return { kind: 'accept', rank };
}
/** Does a manifest of rank `challenger` take precedence over one of rank `holder`? */
export function takesPrecedence(challenger, holder) {
    return challenger < holder;
}
//# sourceMappingURL=speakers.js.map