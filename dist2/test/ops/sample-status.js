export function sampleStatus(o = {}) {
    const role = o.role ?? 'miner';
    const uid = o.uid ?? 2;
    const window = o.window ?? 5;
    const trainLoss = role === 'miner' ? Array.from({ length: window }, (_, w) => ({ window: w, loss: 10 - w * 0.5 - uid * 0.01 })) : [];
    const evalLoss = role === 'validator' ? Array.from({ length: window }, (_, w) => ({ window: w, loss: 10.5 - w * 0.4 })) : [];
    return {
        version: 1,
        role,
        uid,
        hotkey: `5Hotkey${uid}`,
        peerId: `12D3KooWPeer${uid}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
        run: 'testnet-tiny',
        runHash: 'ab'.repeat(32),
        timeMs: 1_700_000_000_000 + window * 4000,
        uptimeS: 12 + window * 4,
        window,
        block: window * 4 + 1,
        blocksPerWindow: 4,
        thetaHash: o.thetaHash ?? `${String(window).padStart(4, '0')}${'c'.repeat(60)}`,
        inSync: true,
        headWindow: window - 2,
        manifestsApplied: Math.max(0, window - 1),
        manifestsMissed: 0,
        manifestRule: { rejected: { out_of_turn: 3, not_a_speaker: 1 }, superseded: 1, compared: 5, disagreed: 2, last: { window: 3, agree: false, leadOnly: [4], ownOnly: [] } },
        innerSteps: role === 'miner' ? window * 10 : 0,
        tokensPerSecond: role === 'miner' ? 1234.5 : 0,
        trainLoss,
        evalLoss,
        peers: [
            { peerId: '12D3KooWValidator0xxxxxxxxxxxxxxxxxxxxxxxxxxxxx', uid: 0, role: 'validator', score: 12.5 },
            { peerId: '12D3KooWMiner3xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', uid: 3, role: 'miner', score: -3.25 },
            { peerId: '12D3KooWStrangerxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', role: 'unregistered' },
        ],
        bytes: {
            announced: 1000 * window,
            announcements: window,
            in: { grad: 2048 * window, manifest: 512 * window, blob: 65536 * window },
            out: { grad: 1024 * window, blob: 4096 * window },
        },
        eventLoop: { maxMs: 41.5, p99Ms: 12.25, meanMs: 10.5, intervalS: 24, maxSinceStartMs: 180 },
        ...(role === 'validator' ? { windowVerdicts: { window: window - 1, aggregated: 2, heard: 3, byReason: { late: 1, out_of_sync: 1 } } } : { late: { windows: 1, skipped: 0, lastWindow: window - 2 } }),
        fetchFailures: 1,
        dhtWalks: 3,
        rejections: { invalid: 2, unregistered: 1 },
        chain: { stake: role === 'validator' ? 1000 : 0, ...(role === 'validator' ? { weightsSetAtBlock: 16 } : {}) },
        ...(role === 'validator' ? { scores: [{ uid: 2, score: 0.75, weight: 0.6 }, { uid: 3, score: 0.25, weight: 0.4 }] } : {}),
        ...(role === 'validator' ? { peerTheta: { thetaWindow: window - 1, agreeing: 2, differing: 0, elsewhere: 1 } } : {}),
    };
}
//# sourceMappingURL=sample-status.js.map