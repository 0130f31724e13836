export class NodeMetrics {
    /** What the engine trains on, one entry per rank. */
    ranks = [];
    trainLoss = [];
    evalLoss = [];
    tokensPerSecond = 0;
    bytesAnnounced = 0;
    announcements = 0;
    manifestsApplied = 0;
    /** Manifests refused because their signer may not speak then, by reason. */
    manifestRejections = {};
    /** Applied fallback manifests replaced by a higher-precedence one (replica.ts). */
    manifestsSuperseded = 0;
    /** A non-lead validator's comparison of the lead's manifests with its own verdicts. */
    agreement = { compared: 0, disagreed: 0, last: undefined };
    lastWindow = -1;
    /** The event-loop delay monitor, while the node runs (context.ts starts it). */
    eventLoopMonitor;
    eventLoop() {
        return this.eventLoopMonitor?.figures();
    }
    /** Miners: windows whose payload was ready after the deadline, and windows skipped because training overran. */
    late = { windows: 0, skipped: 0, lastWindow: -1 };
    /** Validators (the speaker): why the last manifest aggregated fewer payloads than miners are active. */
    lastVerdicts;
    onLate(window, late, skipped) {
        if (late)
            this.late.windows++;
        this.late.skipped += skipped;
        this.late.lastWindow = window;
    }
    onVerdicts(c) {
        this.lastVerdicts = c;
    }
    onTrain(window, loss, tokensPerSecond) {
        this.trainLoss.push({ window, loss });
        if (this.trainLoss.length > 2048)
            this.trainLoss.shift();
        this.tokensPerSecond = tokensPerSecond;
        this.lastWindow = Math.max(this.lastWindow, window);
    }
    onEval(window, loss) {
        this.evalLoss.push({ window, loss });
        if (this.evalLoss.length > 2048)
            this.evalLoss.shift();
    }
    onAnnounce(bytes) {
        this.bytesAnnounced += bytes;
        this.announcements++;
    }
    onManifest() {
        this.manifestsApplied++;
    }
    onManifestRejected(reason) {
        const key = reason.split(':')[0];
        this.manifestRejections[key] = (this.manifestRejections[key] ?? 0) + 1;
    }
    onComparison(c) {
        this.agreement.compared++;
        if (!c.agree)
            this.agreement.disagreed++;
        this.agreement.last = c;
    }
}
//# sourceMappingURL=node-metrics.js.map