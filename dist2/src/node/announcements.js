import { toHex } from './run-spec.js';
export class AnnouncementBook {
    runHashHex;
    keepWindows;
    byWindow = new Map();
    constructor(runHashHex, keepWindows = 16) {
        this.runHashHex = runHashHex;
        this.keepWindows = keepWindows;
    }
    /**
     * Records an announcement. `senderUid` is the uid bound on chain to the gossip
     * sender's PeerId (undefined if none). Returns the reason when it is not recorded.
     */
    add(msg, fromPeer, senderUid, currentWindow) {
        if (toHex(msg.runHash) !== this.runHashHex)
            return 'other_run';
        if (senderUid === undefined)
            return 'unregistered';
        if (senderUid !== msg.uid)
            return 'uid_mismatch';
        const window = Number(msg.window);
        if (window < currentWindow - 2)
            return 'too_old';
        if (window > currentWindow + 1)
            return 'too_new';
        let m = this.byWindow.get(window);
        if (!m) {
            m = new Map();
            this.byWindow.set(window, m);
            for (const w of this.byWindow.keys())
                if (w < window - this.keepWindows)
                    this.byWindow.delete(w);
        }
        if (m.has(msg.uid))
            return 'duplicate';
        m.set(msg.uid, {
            uid: msg.uid,
            window,
            digest: toHex(msg.digest),
            size: Number(msg.size),
            baseThetaHash: toHex(msg.baseThetaHash),
            fromPeer,
            firstSeenMs: Date.now(),
            ...(msg.inline && msg.inline.byteLength > 0 ? { inline: msg.inline } : {}),
        });
        return null;
    }
    /** uids heard in any of the `back` windows before `window` (the recently active miners). */
    recentUids(window, back = 3) {
        const out = new Set();
        for (let w = window - back; w < window; w++)
            for (const uid of this.byWindow.get(w)?.keys() ?? [])
                out.add(uid);
        return out;
    }
    forWindow(window) {
        return [...(this.byWindow.get(window)?.values() ?? [])].sort((a, b) => a.uid - b.uid);
    }
}
//# sourceMappingURL=announcements.js.map