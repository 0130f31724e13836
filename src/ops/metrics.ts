// Prometheus metrics of one node, on a registry of its own (not prom-client's global
// one, so several nodes or tests in one process never mix their series). Every
// metric is collected lazily: a scrape takes one status snapshot from the provider
// and each metric reads its figure from that snapshot.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeStatus, StatusProvider } from './status.js';

export interface OpsMetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag, GC) with the gradmesh_ prefix. Default on. */
  processMetrics?: boolean;
}

/** Counters mirror totals the node keeps itself: set them to the snapshot's value. */
function setCounter<T extends string>(c: Counter<T>, value: number, labels: Partial<Record<T, string | number>>): void {
  // A zero total is still a series (0 fetch failures is a figure, not an absence).
  c.inc(labels, Math.max(0, value));
}

function last<T>(xs: T[]): T | undefined {
  return xs.length ? xs[xs.length - 1] : undefined;
}

export class OpsMetrics {
  readonly registry = new Registry();
  private snapshot: NodeStatus | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly provider: StatusProvider,
    o: OpsMetricsOptions = {},
  ) {
    const r = this.registry;
    const snap = (): NodeStatus | undefined => this.snapshot;
    if (o.processMetrics !== false) collectDefaultMetrics({ register: r, prefix: 'gradmesh_' });

    const gauge = (name: string, help: string, read: (s: NodeStatus) => number | undefined): void => {
      // Labelled by role: a labelled metric with nothing set is left out of the scrape,
      // where an unlabelled one would read 0 (a validator has no training loss, not 0).
      new Gauge({
        name, help, labelNames: ['role'], registers: [r],
        collect() {
          this.reset();
          const s = snap();
          const v = s ? read(s) : undefined;
          if (s && v !== undefined && Number.isFinite(v)) this.set({ role: s.role }, v);
        },
      });
    };
    const counter = (name: string, help: string, read: (s: NodeStatus) => number): void => {
      new Counter({
        name, help, labelNames: ['role'], registers: [r],
        collect() {
          this.reset();
          const s = snap();
          if (s) setCounter(this, read(s), { role: s.role });
        },
      });
    };

    new Gauge({
      name: 'gradmesh_node_info', help: 'Constant 1, labelled with who this node is', labelNames: ['role', 'uid', 'peer_id', 'run', 'run_hash'], registers: [r],
      collect() {
        this.reset();
        const s = snap();
        if (s) this.set({ role: s.role, uid: String(s.uid), peer_id: s.peerId, run: s.run, run_hash: s.runHash.slice(0, 16) }, 1);
      },
    });

    // Training.
    gauge('gradmesh_window', 'Current window (floor(block / blocksPerWindow))', (s) => s.window);
    gauge('gradmesh_window_progress_ratio', 'Fraction of the current window elapsed, by blocks', (s) => (s.block - s.window * s.blocksPerWindow) / s.blocksPerWindow);
    gauge('gradmesh_train_loss', 'Mean training loss of the last window trained (miners)', (s) => last(s.trainLoss)?.loss);
    gauge('gradmesh_train_loss_window', 'Window of gradmesh_train_loss', (s) => last(s.trainLoss)?.window);
    gauge('gradmesh_eval_loss', 'Held-out loss of the shared model at the last evaluated window', (s) => last(s.evalLoss)?.loss);
    gauge('gradmesh_eval_loss_window', 'Window of gradmesh_eval_loss', (s) => last(s.evalLoss)?.window);
    gauge('gradmesh_tokens_per_second', 'Training throughput of the last window (miners)', (s) => s.tokensPerSecond);
    const perRank = (name: string, help: string, read: (x: NonNullable<NodeStatus['ranks']>[number]) => number): void => {
      new Gauge({
        name, help, labelNames: ['rank', 'device'], registers: [r],
        collect() {
          this.reset();
          for (const x of snap()?.ranks ?? []) this.set({ rank: String(x.rank), device: x.device }, read(x));
        },
      });
    };
    perRank('gradmesh_rank_memory_bytes', 'Memory the engine holds on each data-parallel rank (GPU: device memory it allocated; CPU: weights, gradient and its AdamW shard)', (x) => x.memoryBytes);
    perRank('gradmesh_rank_optimizer_state_bytes', 'AdamW moments each rank holds (a shard when the ranks shard the optimiser states)', (x) => x.optimizerStateBytes);
    perRank('gradmesh_rank_tokens_per_second', 'Training throughput of each rank over the last window (miners)', (x) => x.tokensPerSecond);
    counter('gradmesh_inner_steps_total', 'Inner optimizer steps taken since the run began', (s) => s.innerSteps);
    counter('gradmesh_announcements_total', 'Payloads this node announced', (s) => s.bytes.announcements);
    counter('gradmesh_announced_bytes_total', 'Bytes of the payloads this node announced', (s) => s.bytes.announced);

    // Peer-to-peer.
    new Gauge({
      name: 'gradmesh_peers', help: 'Connected peers by role on chain', labelNames: ['role'], registers: [r],
      collect() {
        this.reset();
        const s = snap();
        if (!s) return;
        for (const role of ['miner', 'validator', 'unregistered'] as const) this.set({ role }, s.peers.filter((p) => p.role === role).length);
      },
    });
    new Counter({
      name: 'gradmesh_p2p_bytes_total', help: 'Bytes on the wire by direction and gossip topic ("blob" = the blob protocol)', labelNames: ['direction', 'topic'], registers: [r],
      collect() {
        this.reset();
        const s = snap();
        if (!s) return;
        for (const [topic, n] of Object.entries(s.bytes.in)) setCounter(this, n, { direction: 'in', topic });
        for (const [topic, n] of Object.entries(s.bytes.out)) setCounter(this, n, { direction: 'out', topic });
      },
    });
    new Counter({
      name: 'gradmesh_p2p_rejected_messages_total', help: 'Gossip messages refused by validation, by reason', labelNames: ['reason'], registers: [r],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(snap()?.rejections ?? {})) setCounter(this, n, { reason });
      },
    });
    counter('gradmesh_p2p_fetch_failures_total', 'Blob fetches that failed (timeout, bad digest, no provider)', (s) => s.fetchFailures);
    counter('gradmesh_p2p_dht_walks_total', 'DHT random walks started for peer discovery', (s) => s.dhtWalks);
    new Gauge({
      name: 'gradmesh_gossip_peer_score', help: 'Gossipsub score of each connected peer, as this node sees it', labelNames: ['peer_id', 'uid'], registers: [r],
      collect() {
        this.reset();
        const s = snap();
        if (!s) return;
        for (const p of s.peers) if (p.score !== undefined) this.set({ peer_id: p.peerId, uid: p.uid === undefined ? '' : String(p.uid) }, p.score);
      },
    });

    // Chain.
    gauge('gradmesh_chain_block', 'Latest block seen', (s) => s.block);
    gauge('gradmesh_chain_stake', 'Stake of this node\'s hotkey on the subnet', (s) => s.chain.stake);
    gauge('gradmesh_chain_weights_set_block', 'Block at which this node last set weights (validators)', (s) => s.chain.weightsSetAtBlock);
    // Is this node paid (the chain's figures for its uid at the newest reading).
    const pay = (s: NodeStatus) => s.pay?.history[s.pay.history.length - 1];
    const nn = (x: number | null | undefined): number | undefined => (x === null ? undefined : x);
    gauge('gradmesh_chain_incentive', 'Incentive the chain gives this node\'s uid (0..1)', (s) => pay(s)?.incentive);
    gauge('gradmesh_chain_emission', 'Alpha this uid earned in the chain\'s last epoch (subtensor: per tempo; dev chain: per block)', (s) => nn(pay(s)?.emission));
    gauge('gradmesh_chain_trust', 'Trust of this uid (share of its rank kept after consensus clipping)', (s) => nn(pay(s)?.trust));
    gauge('gradmesh_chain_consensus', 'Consensus weight of this uid (stake-weighted median of the validators\' weights)', (s) => nn(pay(s)?.consensus));
    gauge('gradmesh_chain_rank', 'Rank of this uid (stake-weighted share of the validators\' weights)', (s) => nn(pay(s)?.rank));
    gauge('gradmesh_chain_pay_window', 'Window of the newest chain reading behind gradmesh_chain_incentive', (s) => pay(s)?.window);
    new Gauge({
      name: 'gradmesh_chain_weight_from_validator', help: 'Weight each validator gives this node\'s uid, as a share of its row', labelNames: ['validator_uid'], registers: [r],
      collect() {
        this.reset();
        const s = snap();
        for (const w of (s ? pay(s)?.weightsFrom : undefined) ?? []) this.set({ validator_uid: String(w.validatorUid) }, w.weight);
      },
    });
    new Counter({
      name: 'gradmesh_weights_set_attempts_total', help: 'set_weights calls this validator made (recorded history), by result', labelNames: ['result'], registers: [r],
      collect() {
        this.reset();
        const ws = snap()?.pay?.weightsSet;
        if (!ws) return;
        setCounter(this, ws.filter((a) => a.ok).length, { result: 'ok' });
        setCounter(this, ws.filter((a) => !a.ok).length, { result: 'failed' });
      },
    });
    new Gauge({
      name: 'gradmesh_miner_score', help: 'Validator score of each evaluated miner', labelNames: ['uid'], registers: [r],
      collect() {
        this.reset();
        for (const e of snap()?.scores ?? []) this.set({ uid: String(e.uid) }, e.score);
      },
    });
    new Gauge({
      name: 'gradmesh_miner_weight', help: 'Weight this validator gives each miner', labelNames: ['uid'], registers: [r],
      collect() {
        this.reset();
        for (const e of snap()?.scores ?? []) if (e.weight !== undefined) this.set({ uid: String(e.uid) }, e.weight);
      },
    });

    // Sync.
    gauge('gradmesh_theta_in_sync', '1 when θ matched the thetaHash of the last manifest applied, else 0', (s) => (s.inSync ? 1 : 0));
    new Gauge({
      name: 'gradmesh_theta_peers', help: 'Peers (by status gossip) holding the same θ window as this node: same hash (agreeing), another hash (differing), another window (elsewhere)', labelNames: ['state'], registers: [r],
      collect() {
        this.reset();
        const t = snap()?.peerTheta;
        if (!t) return;
        this.set({ state: 'agreeing' }, t.agreeing);
        this.set({ state: 'differing' }, t.differing);
        this.set({ state: 'elsewhere' }, t.elsewhere);
      },
    });
    gauge('gradmesh_manifest_head_window', 'Window of the last manifest applied', (s) => s.headWindow);
    counter('gradmesh_manifests_applied_total', 'Manifests applied since the process started', (s) => s.manifestsApplied);
    new Counter({
      name: 'gradmesh_manifests_rejected_total', help: 'Manifests refused by the speaker rule (their signer may not speak then), by reason', labelNames: ['reason'], registers: [r],
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(snap()?.manifestRule?.rejected ?? {})) setCounter(this, n, { reason });
      },
    });
    counter('gradmesh_manifests_superseded_total', 'Applied fallback manifests replaced by the lead\'s for the same window', (s) => s.manifestRule?.superseded ?? 0);
    new Counter({
      name: 'gradmesh_manifest_comparisons_total', help: 'Applied manifests this validator compared with its own choice, by whether they agreed', labelNames: ['agree'], registers: [r],
      collect() {
        this.reset();
        const m = snap()?.manifestRule;
        if (!m) return;
        setCounter(this, m.compared - m.disagreed, { agree: 'true' });
        setCounter(this, m.disagreed, { agree: 'false' });
      },
    });
    new Gauge({
      name: 'gradmesh_event_loop_delay_seconds', help: 'Event-loop delay over the last window: 99th percentile (quantile 0.99) and largest (quantile 1)', labelNames: ['role', 'quantile'], registers: [r],
      collect() {
        this.reset();
        const s = snap();
        const e = s?.eventLoop;
        if (!s || !e) return;
        this.set({ role: s.role, quantile: '0.99' }, e.p99Ms / 1000);
        this.set({ role: s.role, quantile: '1' }, e.maxMs / 1000);
      },
    });
    gauge('gradmesh_event_loop_delay_mean_seconds', 'Mean event-loop delay over the last window', (s) => (s.eventLoop ? s.eventLoop.meanMs / 1000 : undefined));
    gauge('gradmesh_event_loop_delay_max_since_start_seconds', 'Largest event-loop delay since the node started', (s) => (s.eventLoop ? s.eventLoop.maxSinceStartMs / 1000 : undefined));
    gauge('gradmesh_manifests_missed', 'Closed windows whose manifest has not been applied (0 when caught up)', (s) => s.manifestsMissed);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One scrape: takes a status snapshot, then renders every metric from it. */
  render(): Promise<string> {
    // Scrapes are serialised: each reads the snapshot taken for it, never another's.
    const run = this.queue.then(async () => {
      this.snapshot = await this.provider();
      try {
        return await this.registry.metrics();
      } finally {
        this.snapshot = undefined;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
