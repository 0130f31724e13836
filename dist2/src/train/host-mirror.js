// Host copies of an engine state that lives on a device (the CUDA backend keeps fp32
// master weights, gradients and AdamW moments in GPU memory), kept in step lazily.
//
// The Engine API hands out Float32Arrays (`params`, `grads`, `adamM`, `adamV`) that
// callers read and write in place: the CPU backend shares its memory with JS, so that
// costs nothing. A device backend can only copy. Copying everything around every call
// would move the whole model twice per step (5.1 GB of fp32 θ each way for `1b`, 1.28 B params), so the copies
// follow what callers do instead:
// - a part is copied device → host only when a caller asks for it and the device has
//   changed it since the last copy;
// - handing out params or the AdamW moments counts as a possible write (typed arrays
//   cannot tell), so the next device call that reads them copies them back first;
//   gradients handed out are read-only copies (the device has no call to set them);
// - device calls that change a part mark the host copy stale.
// A miner's window (θ set, H steps, θ read) therefore moves θ three times per window
// and nothing between steps; the counters let tests and logs check exactly that.
export class HostMirror {
    device;
    params;
    grads;
    adamM;
    adamV;
    /** the host copy equals the device's */
    hostCurrent = { params: false, grads: false, adam: false };
    /** the host copy was handed out since the last push and may hold writes the device lacks */
    handedOut = { params: false, grads: false, adam: false };
    adamStepCache = 0;
    counts = {
        pulls: { params: 0, grads: 0, adam: 0 },
        pushes: { params: 0, grads: 0, adam: 0 },
    };
    constructor(device, numParams) {
        this.device = device;
        this.params = new Float32Array(numParams);
        this.grads = new Float32Array(numParams);
        this.adamM = new Float32Array(numParams);
        this.adamV = new Float32Array(numParams);
    }
    /** The host copy of a part, current, for the caller to read or write. */
    view(part) {
        const p = part === 'adamM' || part === 'adamV' ? 'adam' : part;
        this.pull(p);
        // gradients are read-only copies on a device backend (change them with clipGradNorm)
        if (p !== 'grads')
            this.handedOut[p] = true;
        return this[part];
    }
    /** Sets the AdamW step on the device, keeping the moments as they are. */
    setAdamStep(step) {
        this.pull('adam');
        this.device.setAdamState(this.adamM, this.adamV, step);
        this.counts.pushes.adam++;
        this.handedOut.adam = false;
        this.adamStepCache = step;
    }
    /**
     * Before a device call: copies back every part it reads that a caller may have
     * changed, then marks the parts it writes stale on the host (before the call runs,
     * so a look while it runs never takes the old copy for current).
     */
    beginCall(reads, writes) {
        for (const p of reads) {
            if (!this.handedOut[p])
                continue;
            if (p === 'params')
                this.device.setParams(this.params);
            else if (p === 'adam')
                this.device.setAdamState(this.adamM, this.adamV, this.adamStepCache);
            this.counts.pushes[p]++;
            this.handedOut[p] = false;
        }
        for (const p of writes) {
            this.hostCurrent[p] = false;
            this.handedOut[p] = false;
        }
    }
    pull(p) {
        if (this.hostCurrent[p])
            return;
        if (p === 'params')
            this.params.set(this.device.getParams());
        else if (p === 'grads')
            this.grads.set(this.device.getGrads());
        else {
            const s = this.device.getAdamState();
            this.adamM.set(s.m);
            this.adamV.set(s.v);
            this.adamStepCache = s.step;
        }
        this.counts.pulls[p]++;
        this.hostCurrent[p] = true;
    }
}
//# sourceMappingURL=host-mirror.js.map