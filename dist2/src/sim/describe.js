export function describe(r) {
    const v = r.violations[0];
    return `seed ${r.seed}: ${v ? `VIOLATION ${v.invariant} at window ${v.window} (${v.timeMs} ms): ${v.detail}` : 'ok'} | head ${r.finalHead} θ ${r.finalHash.slice(0, 12)} | manifests applied ${r.manifestsApplied}, null rounds ${r.nullRounds}, supersessions ${r.supersessions}, events ${r.events}`;
}
//# sourceMappingURL=describe.js.map