// Child process for the resume test: runs prepareDataset and, once `stopAfter`
// shards are written and more tokens are pending in memory, says so on stdout and
// blocks, so that the parent can SIGKILL it in the middle of a shard.
import { writeSync } from 'node:fs';
import { prepareDataset } from '../../src/train/data/index.js';
const [inputsJson, out, shardTokens, stopAfter] = process.argv.slice(2);
const stop = Number(stopAfter);
await prepareDataset({
    inputs: JSON.parse(inputsJson),
    out: out,
    shardTokens: Number(shardTokens),
    onProgress: (p) => {
        if (p.shards >= stop && !p.shardWritten && p.tokens > p.shards * Number(shardTokens)) {
            // Synchronous: an asynchronous pipe write would never flush while blocked.
            writeSync(1, `blocked after ${p.shards} shards with ${p.tokens} tokens\n`);
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until killed
        }
    },
});
process.stdout.write('finished\n');
//# sourceMappingURL=prepare-child.js.map