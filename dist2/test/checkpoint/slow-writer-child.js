// Child process for the crash test: writes a large checkpoint through
// CheckpointStore.write in many small pieces, says "HALF" on stdout once half of them
// are on disk, then waits to be killed (SIGKILL) by the parent test.
import { CheckpointStore, encodeCheckpointChunks, concatChunks } from '../../src/train/checkpoint/index.js';
import { thetaHash } from '../../src/train/compress/hash.js';
import { parameterLayout } from '../../src/train/model-config.js';
import { deterministicParams, RUN_A, MANIFEST } from './helpers.js';
const [dir, modelJson, windowText, seedText] = process.argv.slice(2);
const model = JSON.parse(modelJson);
const params = deterministicParams(model, Number(seedText));
const bytes = concatChunks(encodeCheckpointChunks({
    params, layout: parameterLayout(model), model,
    meta: { window: Number(windowText), thetaHash: thetaHash(params), runHash: RUN_A, manifestDigest: MANIFEST },
}));
const PIECE = 64 * 1024;
const pieces = Math.ceil(bytes.length / PIECE);
async function* slowly() {
    for (let i = 0; i < pieces; i++) {
        // The store has written every earlier piece before it asks for this one.
        if (i === Math.floor(pieces / 2)) {
            process.stdout.write(`HALF ${i * PIECE} ${bytes.length}\n`);
            await new Promise(() => setInterval(() => { }, 1000)); // never resolves: wait for SIGKILL
        }
        yield bytes.subarray(i * PIECE, Math.min(bytes.length, (i + 1) * PIECE));
    }
}
await new CheckpointStore(dir).write(Number(windowText), slowly());
process.stdout.write('DONE\n');
//# sourceMappingURL=slow-writer-child.js.map