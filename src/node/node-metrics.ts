// What a node reports about itself: the latest figures, kept for the status API,
// the dashboard and Prometheus (the operations layer reads them from here).
export interface LossPoint {
  window: number;
  loss: number;
}

export class NodeMetrics {
  readonly trainLoss: LossPoint[] = [];
  readonly evalLoss: LossPoint[] = [];
  tokensPerSecond = 0;
  bytesAnnounced = 0;
  announcements = 0;
  manifestsApplied = 0;
  lastWindow = -1;

  onTrain(window: number, loss: number, tokensPerSecond: number): void {
    this.trainLoss.push({ window, loss });
    if (this.trainLoss.length > 2048) this.trainLoss.shift();
    this.tokensPerSecond = tokensPerSecond;
    this.lastWindow = Math.max(this.lastWindow, window);
  }

  onEval(window: number, loss: number): void {
    this.evalLoss.push({ window, loss });
    if (this.evalLoss.length > 2048) this.evalLoss.shift();
  }

  onAnnounce(bytes: number): void {
    this.bytesAnnounced += bytes;
    this.announcements++;
  }

  onManifest(): void {
    this.manifestsApplied++;
  }
}
