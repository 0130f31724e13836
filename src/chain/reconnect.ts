// One retry chain for a WsProvider built with auto-connect off.
//
// The provider emits 'disconnected' for a drop and again for every attempt that
// fails, so a retry loop started per event multiplies during an outage (each failed
// attempt of each loop starts another: hundreds of attempts in seconds). Here at most
// one chain runs: while it does, 'disconnected' is ignored, and 'connected' ends it.
// The wait doubles after each attempt (min..max). The backoff and the attempt count
// reset only once a connection has stayed up `stableMs`, so a server that accepts
// and at once drops is retried with growing waits, not hammered at the minimum.
import type { WsProvider } from '@polkadot/api';

/** The two levels used; a pino Logger fits. */
export interface ReconnectLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface ReconnectOptions {
  endpoint: string;
  minDelayMs: number;
  maxDelayMs: number;
  stableMs: number;
  log: ReconnectLog;
  /** The deadline of the first connection (openProvider's), named while waiting for it. */
  firstConnectTimeoutMs?: number;
}

export class ReconnectChain {
  private delay: number;
  private attempt = 0;
  private running = false;
  private stopped = false;
  private everConnected = false;
  private timer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly provider: WsProvider, private readonly o: ReconnectOptions) {
    this.delay = o.minDelayMs;
    this.unsubscribe = [
      provider.on('disconnected', () => this.ensureRunning()),
      provider.on('connected', () => this.onConnected()),
    ];
  }

  /** Starts a chain unless one runs, the provider is connected, or the chain was stopped. */
  ensureRunning(): void {
    clearTimeout(this.stableTimer);
    if (this.stopped || this.running || this.provider.isConnected) return;
    this.running = true;
    // Before the first connection, say what is awaited and until when: a node that
    // cannot reach its chain is otherwise a node that prints nothing for 15 s.
    const until = this.o.firstConnectTimeoutMs !== undefined ? ` for up to ${this.o.firstConnectTimeoutMs / 1000} s` : '';
    const msg = this.everConnected
      ? 'subtensor connection lost; reconnecting with backoff'
      : `subtensor at ${this.o.endpoint} not reachable yet: waiting for it, retrying with backoff${until} (check --subtensor.network / --subtensor.chain_endpoint)`;
    this.o.log.warn({ endpoint: this.o.endpoint, nextAttemptInMs: this.delay }, msg);
    this.schedule();
  }

  /** For good (the provider is being closed): no further attempts. */
  stop(): void {
    this.stopped = true;
    this.running = false;
    clearTimeout(this.timer);
    clearTimeout(this.stableTimer);
    for (const off of this.unsubscribe) off();
  }

  private schedule(): void {
    const wait = this.delay;
    this.timer = setTimeout(() => this.tick(wait), wait);
    this.timer.unref();
  }

  private tick(waitedMs: number): void {
    this.timer = undefined;
    if (this.stopped || !this.running) return;
    this.attempt++;
    this.o.log.warn({ endpoint: this.o.endpoint, attempt: this.attempt, delayMs: waitedMs },
      this.everConnected ? 'subtensor reconnect attempt' : `subtensor connect attempt (waiting for ${this.o.endpoint})`);
    this.delay = Math.min(this.delay * 2, this.o.maxDelayMs);
    // The outcome arrives as 'connected' (ends the chain) or 'disconnected' (ignored:
    // the next attempt is already scheduled). connect() itself rejects only when the
    // previous attempt's socket is still opening, or the socket cannot be built.
    const attempt = this.attempt;
    this.provider.connect().catch((e: unknown) => {
      this.o.log.warn({ endpoint: this.o.endpoint, attempt, err: (e as Error).message }, 'subtensor reconnect attempt did not start');
    });
    this.schedule();
  }

  private onConnected(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) {
      this.running = false;
      this.o.log.info({ endpoint: this.o.endpoint, attempt: this.attempt }, this.everConnected ? 'subtensor reconnected' : 'subtensor connected');
    }
    this.everConnected = true;
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      this.delay = this.o.minDelayMs;
      this.attempt = 0;
    }, this.o.stableMs);
    this.stableTimer.unref();
  }
}
