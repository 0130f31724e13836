// The fuzz watchdog thread (see Watchdog in runner.ts). It must not import the
// decoders: it only reads the shared control block the main thread fills.
import { writeSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
const SEQ = 0, BUSY = 1, INDEX_LO = 2, INDEX_HI = 3, TARGET = 4, LEN = 5;
const d = workerData;
const ctl = new Int32Array(d.sab, 0, d.slots);
const data = new Uint8Array(d.sab, d.slots * 4);
const rss0 = process.memoryUsage.rss();
let lastSeq = -1;
let since = Date.now();
function report(why) {
    const index = (ctl[INDEX_LO] >>> 0) + ctl[INDEX_HI] * 4294967296;
    const target = d.targets[ctl[TARGET]] ?? '?';
    const len = ctl[LEN];
    const hex = Buffer.from(data.subarray(0, Math.min(len, data.length))).toString('hex');
    writeSync(2, [
        '',
        `FUZZ ${why} target=${target} seed=${d.seed} case=${index}`,
        `  replay: npm run bench -- fuzz --target ${target} --seed ${d.seed} --case ${index}`,
        `  input (${len} bytes${len > data.length ? `, first ${data.length} shown` : ''}): ${hex}`,
        '  the watchdog kills the process: a stuck synchronous decoder cannot be interrupted',
        '',
    ].join('\n'));
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable');
}
setInterval(() => {
    const seq = Atomics.load(ctl, SEQ);
    const busy = Atomics.load(ctl, BUSY) === 1;
    if (seq !== lastSeq) {
        lastSeq = seq;
        since = Date.now();
    }
    if (!busy)
        return;
    const rss = process.memoryUsage.rss();
    if (rss - rss0 > d.rssLimitBytes)
        report(`MEMORY (RSS grew ${((rss - rss0) / 1048576).toFixed(0)} MiB during one input)`);
    if (Date.now() - since > d.hangMs)
        report(`HANG (one input running for over ${d.hangMs} ms)`);
}, 100);
//# sourceMappingURL=watchdog.js.map