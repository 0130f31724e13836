export const EMPTY_P2P_FIGURES = Object.freeze({
    connected: [], scores: new Map(), bytesIn: {}, bytesOut: {}, fetchFailures: 0, dhtWalks: 0, rejections: {},
});
function finiteNonNeg(n) {
    return Number.isFinite(n) && n > 0 ? n : 0;
}
/**
 * Reads the p2p node. A node that is stopping (or a call that throws) reads as
 * empty figures: the status API must keep answering whatever the network does.
 */
export function readP2PFigures(p2p) {
    let connected = [];
    const scores = new Map();
    try {
        connected = [...new Set(p2p.connectedPeers())].sort();
        for (const peer of connected) {
            const s = p2p.gossipScore(peer);
            if (Number.isFinite(s))
                scores.set(peer, s);
        }
    }
    catch {
        connected = [];
        scores.clear();
    }
    let stats;
    try {
        stats = p2p.stats();
    }
    catch {
        return { ...EMPTY_P2P_FIGURES, connected, scores };
    }
    const bytesIn = {};
    const bytesOut = {};
    for (const [topic, t] of Object.entries(stats.perTopic)) {
        bytesIn[topic] = finiteNonNeg(t.bytesIn);
        bytesOut[topic] = finiteNonNeg(t.bytesOut);
    }
    bytesIn.blob = finiteNonNeg(stats.blobBytesIn);
    bytesOut.blob = finiteNonNeg(stats.blobBytesOut);
    const rejections = {};
    for (const [reason, n] of Object.entries(stats.rejections))
        rejections[reason] = finiteNonNeg(n);
    return { connected, scores, bytesIn, bytesOut, fetchFailures: finiteNonNeg(stats.fetchFailures), dhtWalks: finiteNonNeg(stats.dhtWalks), rejections };
}
//# sourceMappingURL=p2p-stats.js.map