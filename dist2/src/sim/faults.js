export const FAULT_KINDS = ['crash', 'lead', 'partition', 'slow', 'loss'];
export function parseFaults(s) {
    if (s === undefined || s === 'all')
        return [...FAULT_KINDS];
    if (s === 'none' || s === '')
        return [];
    return s.split(',').map((k) => {
        if (!FAULT_KINDS.includes(k))
            throw new Error(`--faults: unknown fault "${k}" (known: ${FAULT_KINDS.join(', ')}, all, none)`);
        return k;
    });
}
export function planFaults(rng, kinds, s) {
    const faults = [];
    const lastStart = s.windows - s.quietWindows - 4;
    const on = (k) => kinds.includes(k);
    let last = -1;
    if (lastStart >= 2) {
        const count = Math.max(1, Math.round(s.windows / 8));
        for (let i = 0; i < count; i++) {
            const from = rng.int(2, lastStart + 1);
            const k = rng.pick(kinds.filter((x) => x !== 'loss'));
            if (k === undefined)
                break;
            if (k === 'crash' && on('crash')) {
                const to = from + rng.int(1, 4);
                faults.push({ kind: 'crash', node: rng.int(0, s.nodes), from, to });
                last = Math.max(last, to);
            }
            else if (k === 'lead' && on('lead')) {
                faults.push({ kind: 'lead', window: from, afterMs: rng.int(0, 40) });
                last = Math.max(last, from + 3);
            }
            else if (k === 'partition' && on('partition')) {
                // A minority of the non-validators is cut off; validators stay together
                // (a partition that splits the speakers is a known open case: docs/simulator.md).
                const size = Math.max(1, Math.floor((s.nodes - s.validators) * rng.int(5, 30) / 100));
                const nodes = [];
                for (let j = 0; j < size; j++)
                    nodes.push(rng.int(s.validators, s.nodes));
                const to = from + rng.int(1, 4);
                faults.push({ kind: 'partition', nodes: [...new Set(nodes)].sort((a, b) => a - b), from, to });
                last = Math.max(last, to);
            }
            else if (k === 'slow' && on('slow')) {
                const to = from + rng.int(1, 6);
                faults.push({ kind: 'slow', node: rng.int(0, s.nodes), from, to, extraMs: rng.int(100, 400) });
                last = Math.max(last, to);
            }
        }
    }
    return { faults, loss: on('loss') ? 0.02 : 0, duplicate: on('loss') ? 0.01 : 0, lastFaultWindow: on('loss') ? Math.max(last, lastStart) : last };
}
//# sourceMappingURL=faults.js.map