// A dataset directory opened for training: shards in manifest order, cut into
// samples of T+1 tokens. How samples are cut (docs/data.md, normative):
//   shard i with n_i tokens gives c_i = max(0, floor((n_i − 1) / T)) samples;
//   sample j of shard i is tokens [j·T, j·T + T] of that shard (T+1 tokens: T inputs
//   and, shifted by one, T targets), so consecutive samples share one boundary token
//   and no sample crosses a shard; global sample indices run through the shards in
//   manifest order (shard 0's samples first).
import { DataError } from './errors.js';
import { readManifest, openShards } from './manifest.js';
class ShardedDataset {
    dir;
    manifest;
    totalTokens;
    shards;
    /** Per seqLen: cumulative sample counts, starts[i] = first global index of shard i. */
    starts = new Map();
    closed = false;
    constructor(dir, manifest, shards) {
        this.dir = dir;
        this.manifest = manifest;
        this.shards = shards;
        this.totalTokens = manifest.totalTokens;
    }
    prefix(seqLen) {
        if (!Number.isInteger(seqLen) || seqLen < 1)
            throw new DataError('RANGE', `sequence length ${seqLen} must be a positive integer`);
        let starts = this.starts.get(seqLen);
        if (!starts) {
            starts = [0];
            for (const s of this.shards)
                starts.push(starts[starts.length - 1] + samplesInShard(s.tokens, seqLen));
            this.starts.set(seqLen, starts);
        }
        return starts;
    }
    sampleCount(seqLen) {
        const p = this.prefix(seqLen);
        return p[p.length - 1];
    }
    readSample(index, seqLen, out) {
        if (this.closed)
            throw new DataError('RANGE', 'dataset is closed', this.dir);
        const starts = this.prefix(seqLen);
        const total = starts[starts.length - 1];
        if (!Number.isInteger(index) || index < 0 || index >= total) {
            throw new DataError('RANGE', `sample ${index} outside 0..${total} (T=${seqLen})`, this.dir);
        }
        const dest = out ?? new Uint32Array(seqLen + 1);
        if (dest.length < seqLen + 1)
            throw new DataError('RANGE', `output holds ${dest.length} tokens, need ${seqLen + 1}`);
        // Last shard whose first index is ≤ index (shards with no samples are skipped by ≤/<).
        let lo = 0;
        let hi = this.shards.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= index)
                lo = mid;
            else
                hi = mid - 1;
        }
        this.shards[lo].read((index - starts[lo]) * seqLen, seqLen + 1, dest, 0);
        return dest.length === seqLen + 1 ? dest : dest.subarray(0, seqLen + 1);
    }
    close() {
        if (this.closed)
            return;
        this.closed = true;
        for (const s of this.shards)
            s.close();
    }
}
export function samplesInShard(tokens, seqLen) {
    return tokens > seqLen ? Math.floor((tokens - 1) / seqLen) : 0;
}
/** Opens a dataset directory; with verify, every shard's SHA-256 is checked first. */
export function openDataset(dir, opts = {}) {
    const manifest = readManifest(dir);
    const shards = openShards(dir, manifest, opts.verify ?? false);
    return new ShardedDataset(dir, manifest, shards);
}
/**
 * The engine's batch: for each sample b (in the order given), inputs[b·T + t] =
 * tokens[t] and targets[b·T + t] = tokens[t + 1], t in [0, T).
 */
export function makeBatch(ds, indices, seqLen) {
    const B = indices.length;
    const inputs = new Int32Array(B * seqLen);
    const targets = new Int32Array(B * seqLen);
    const row = new Uint32Array(seqLen + 1);
    for (let b = 0; b < B; b++) {
        ds.readSample(indices[b], seqLen, row);
        inputs.set(row.subarray(0, seqLen), b * seqLen);
        targets.set(row.subarray(1, seqLen + 1), b * seqLen);
    }
    return { inputs, targets };
}
//# sourceMappingURL=dataset.js.map