// What a node reports about itself: the latest figures, kept for the status API,
// the dashboard and Prometheus (the operations layer reads them from here).
import type { EventLoopFigures, EventLoopMonitor } from './event-loop.js';
export interface LossPoint {
  window: number;
  loss: number;
}

/** The lead's manifest of a window against what this validator would have chosen. */
export interface ManifestComparison {
  window: number;
  agree: boolean;
  /** uids the lead aggregated that this validator would not have */
  leadOnly: number[];
  /** uids this validator would have aggregated that the lead left out */
  ownOnly: number[];
}

/** What became of a window's payloads, from the validator that closed it. */
export interface WindowVerdictCounts {
  window: number;
  /** Payloads the manifest aggregated, announcements heard by the close. */
  aggregated: number;
  heard: number;
  /**
   * Why there were not more: late (a recently active miner announced nothing by the
   * close), out_of_sync (built on another θ), rejected (invalid, not fetched), and
   * not_chosen (valid, left out by the selection).
   */
  byReason: Record<string, number>;
}

/** One data-parallel rank of the engine (context.ts fills these in at start). */
export interface RankInfo {
  rank: number;
  /** cpu, or cuda:N */
  device: string;
  memoryBytes: number;
  optimizerStateBytes: number;
}

export class NodeMetrics {
  /** What the engine trains on, one entry per rank. */
  ranks: RankInfo[] = [];
  readonly trainLoss: LossPoint[] = [];
  readonly evalLoss: LossPoint[] = [];
  tokensPerSecond = 0;
  bytesAnnounced = 0;
  announcements = 0;
  manifestsApplied = 0;
  /** Manifests refused because their signer may not speak then, by reason. */
  readonly manifestRejections: Record<string, number> = {};
  /** Applied fallback manifests replaced by a higher-precedence one (replica.ts). */
  manifestsSuperseded = 0;
  /** A non-lead validator's comparison of the lead's manifests with its own verdicts. */
  readonly agreement = { compared: 0, disagreed: 0, last: undefined as ManifestComparison | undefined };
  lastWindow = -1;
  /** The event-loop delay monitor, while the node runs (context.ts starts it). */
  eventLoopMonitor?: EventLoopMonitor;

  eventLoop(): EventLoopFigures | undefined {
    return this.eventLoopMonitor?.figures();
  }

  /** Miners: windows whose payload was ready after the deadline, and windows skipped because training overran. */
  readonly late = { windows: 0, skipped: 0, lastWindow: -1 };
  /** Validators (the speaker): why the last manifest aggregated fewer payloads than miners are active. */
  lastVerdicts?: WindowVerdictCounts;

  onLate(window: number, late: boolean, skipped: number): void {
    if (late) this.late.windows++;
    this.late.skipped += skipped;
    this.late.lastWindow = window;
  }

  onVerdicts(c: WindowVerdictCounts): void {
    this.lastVerdicts = c;
  }

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

  onManifestRejected(reason: string): void {
    const key = reason.split(':')[0]!;
    this.manifestRejections[key] = (this.manifestRejections[key] ?? 0) + 1;
  }

  onComparison(c: ManifestComparison): void {
    this.agreement.compared++;
    if (!c.agree) this.agreement.disagreed++;
    this.agreement.last = c;
  }
}
