// Builds a running node: chain identity, engine, θ (fresh or resumed from disk),
// the p2p host, the window driver and the gossip handlers that miners and
// validators share. The role loops (miner.ts, validator.ts) run on top of it.
import { join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Chain, Hotkey } from '../chain/index.js';
import { createP2PNode, rateLimited, type NatEvent, type NatOptions, type P2PNode } from '../p2p/index.js';
import type { GradAnnouncement } from '../p2p/proto/messages.js';
import { Engine, type EngineDevice } from '../train/engine.js';
import { loadModelConfig, parameterCount, type ModelConfig } from '../train/model-config.js';
import { modelShapeHash } from '../train/compress/index.js';
import { sharedFloat32, thetaHashAsync, copyAsync } from '../train/compress/offload.js';
import { ensureDefaultDataset, openDataset, type Dataset } from '../train/data/index.js';
import { heldOutLoss } from '../train/held-out.js';
import { loadRunSpec, runHash as computeRunHash, toHex, type RunSpec } from './run-spec.js';
import { saveNodeStateAsync, loadNodeState, StateError } from './node-state.js';
import { writeFileAtomic } from '../shared/atomic-file.js';
import { PeerDirectory, peerCommitment } from './peer-directory.js';
import { Replica, manifestBytes, type ManifestMsg } from './replica.js';
import { WindowDriver } from './window-driver.js';
import { AnnouncementBook } from './announcements.js';
import { NodeMetrics } from './node-metrics.js';
import { EventLoopMonitor } from './event-loop.js';
import { ComputeFloorError, judgeComputeFloor, measureStepSeconds } from './compute-floor.js';
import { Checkpoints } from './checkpoints.js';
import type { CheckpointAnnouncement } from '../p2p/proto/messages.js';
import { judgeManifest, speakerOrder, speakerRules, type SpeakerRules } from './protocol/speakers.js';
import type { PeerInfo } from './peer-directory.js';

export type Role = 'miner' | 'validator';

export interface NodeOptions {
  role: Role;
  run: string;
  dataDir: string;
  /** The chain, or how to connect to it (called after the state on disk was verified). */
  chain: Chain | (() => Promise<Chain>);
  hotkey: Hotkey;
  listen: string[];
  announce?: string[];
  bootstrap: string[];
  /** reachability (--reachability) and relay serving (--relay.*): docs/p2p.md, NAT */
  nat?: NatOptions;
  threads?: number;
  /** engine backend (default auto: CUDA when the addon loads and sees a GPU, else CPU; the choice is logged) */
  device?: EngineDevice;
  /** CUDA device index (default 0), from --device cuda:N */
  cudaDevice?: number;
  /** miners: data-parallel CPU ranks (--ranks; src/node/gpus.ts); default 1 */
  ranks?: number;
  log: Logger;
  /** Dataset directory; default: the run spec's, "default" = the built-in corpus. */
  dataset?: string;
  /**
   * Miners: measure the step time and refuse to start below the run's compute floor
   * (compute-floor.ts); `blockMs` is the chain's block time, `force` starts anyway.
   */
  computeFloor?: { blockMs: number; force: boolean };
}

/** A reachability change or a relayed connection, as one log line (docs/p2p.md, NAT). */
function logNatEvent(log: Logger, e: NatEvent): void {
  if (e.event === 'reachability') {
    log.info(e, `reachability ${e.state}: ${e.reason}`);
  } else if (e.event === 'relayed_connection') {
    log.info(e, `relayed connection (${e.direction}) with ${e.peer}`);
  } else {
    log.info(e, `payload stream (${e.protocol}, ${e.direction}) with ${e.peer} through a relay`);
  }
}

/** Measures this engine's step time and judges it against the run's floor: throws ComputeFloorError, or warns when forced. */
async function checkComputeFloor(engine: Engine, spec: RunSpec, o: { blockMs: number; force: boolean }, log: Logger): Promise<void> {
  const measured = await measureStepSeconds(engine);
  const v = judgeComputeFloor(spec, o.blockMs, measured);
  const fields = {
    event: 'compute_floor', ok: v.ok, forced: !v.ok && o.force, measuredSPerStep: v.measuredSPerStep, steps: v.steps, tokens: v.tokens,
    neededMs: Math.round(v.neededMs), availableMs: Math.round(v.availableMs), windowMs: v.windowMs, floorSPerStep: v.floorSPerStep,
  };
  if (v.ok) log.info(fields, v.message);
  else if (o.force) log.warn(fields, `--force: starting anyway; expect late payloads. ${v.message}`);
  else throw new ComputeFloorError(v);
}

// What each role loop needs of the running node, split out of NodeContext so that a
// role depends only on what it uses (and tests can hand it just that): NodeCore is
// what every loop reads; MinerDeps and ValidatorDeps add each role's own parts.
// NodeContext, what startNode returns, has them all (and satisfies ops' NodeStatusSource).

/** What every role loop uses: the run, this node's uid, θ, the clock, p2p and the log. */
export interface NodeCore {
  spec: RunSpec;
  runHash: Uint8Array;
  uid: number;
  p2p: P2PNode;
  engine: Engine;
  replica: Replica;
  driver: WindowDriver;
  /** The validators that may publish manifests now, lead first. */
  speakers(): PeerInfo[];
  log: Logger;
  metrics: NodeMetrics;
  signal: AbortSignal;
  manifestApplied(): Promise<void>;
}

/** What the miner loop (miner.ts) uses besides NodeCore: its data, error feedback and state file. */
export interface MinerDeps extends NodeCore {
  modelShapeHash: Uint8Array;
  trainSet: Dataset;
  errorBuffer: Float32Array;
  innerStep: number;
  warmupUntilWindow?: number;
  saveState(): Promise<void>;
}

/** What the validator loop (validator.ts) uses besides NodeCore: announcements, checkpoints, evaluation. */
export interface ValidatorDeps extends NodeCore {
  announcements: AnnouncementBook;
  checkpoints: Checkpoints;
  /** Resolves when the next manifest admitted by the speaker rule arrives (before it is applied). */
  manifestHeard(): Promise<void>;
  heldOutLoss(theta: Float32Array): Promise<number>;
  encodeManifest(m: ManifestMsg): Uint8Array;
}

export interface NodeContext extends MinerDeps, ValidatorDeps {
  role: Role;
  model: ModelConfig;
  runHashHex: string;
  hotkey: Hotkey;
  chain: Chain;
  directory: PeerDirectory;
  /** The run's rule for who speaks for a window (src/node/protocol/speakers.ts). */
  speakerRules: SpeakerRules;
  valSet: Dataset;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startNode(o: NodeOptions): Promise<NodeContext> {
  const log = o.log;
  const spec = loadRunSpec(o.run);
  const model = loadModelConfig(spec.model);
  const runHash = computeRunHash(spec, model);
  const runHashHex = toHex(runHash);
  mkdirSync(o.dataDir, { recursive: true });

  // Verify any saved state first: a node with a corrupt or foreign state refuses to
  // start (and says why) before it touches the network or the chain.
  const numParams = parameterCount(model);
  // θ and the error-feedback buffer are hashed, copied and saved in place on libuv's
  // threads (src/train/compress/offload.ts): the event loop does none of that work.
  const theta = sharedFloat32(numParams);
  const errorBuffer = sharedFloat32(numParams);
  const savedM = new Float32Array(numParams);
  const savedV = new Float32Array(numParams);
  const statePath = join(o.dataDir, 'state.bin');
  let head: { digest: string; window: number } | undefined;
  let innerStep = 0;
  let adamStep = 0;
  if (existsSync(statePath)) {
    const h = loadNodeState(statePath, { runHash: runHashHex, numParams }, { params: theta, errorBuffer, adamM: savedM, adamV: savedV });
    const got = await thetaHashAsync(theta);
    if (got !== h.thetaHash) throw new StateError(statePath, `θ hashes to ${got.slice(0, 12)}…, the header says ${h.thetaHash.slice(0, 12)}…`);
    adamStep = h.adamStep;
    innerStep = h.innerStep;
    head = { digest: h.manifestDigest, window: h.window };
    log.info({ window: h.window, thetaHash: got }, 'resumed from saved state');
  }

  // The engine first: a miner below the run's compute floor refuses to start before it
  // registers on the chain or joins the network (compute-floor.ts).
  const engine = Engine.create(model, { batch: spec.batch, seqLen: spec.seqLen, ...(o.threads ? { threads: o.threads } : {}), device: o.device ?? 'auto',
    ...(o.cudaDevice !== undefined ? { cudaDevice: o.cudaDevice } : {}), ...(o.ranks !== undefined ? { ranks: o.ranks } : {}),
    // Through the node's logger: its log is JSON lines, and a plain stderr line broke them.
    log: (line, fields) => log.info(fields, line) });
  if (o.role === 'miner' && o.computeFloor) {
    try {
      await checkComputeFloor(engine, spec, o.computeFloor, log);
    } catch (e) {
      engine.dispose();
      throw e;
    }
  }

  const chain = typeof o.chain === 'function' ? await o.chain() : o.chain;
  const uid = await chain.ensureRegistered(o.hotkey.ss58);
  log.info({ uid, hotkey: o.hotkey.ss58, role: o.role, run: spec.run, runHash: runHashHex }, 'registered on chain');

  const datasetDir = o.dataset ?? spec.dataset;
  let trainDir: string;
  let valDir: string;
  if (datasetDir === 'default') {
    ({ train: trainDir, val: valDir } = await ensureDefaultDataset());
  } else {
    trainDir = join(datasetDir, 'train');
    valDir = join(datasetDir, 'val');
    if (!existsSync(trainDir)) {
      trainDir = datasetDir;
      valDir = datasetDir;
    }
  }
  const trainSet = openDataset(trainDir);
  const valSet = openDataset(valDir);

  if (head && engine.ranks > 1) {
    // The sharded trainer cannot load AdamW moments (sharded-device.ts): start them
    // afresh (zero, step 0; the compute-floor steps' are dropped too). θ comes from the
    // saved state each window, so only the inner optimiser's memory is lost.
    engine.initParams(spec.initSeed);
    log.warn({ event: 'moments_reset', ranks: engine.ranks, savedAdamStep: adamStep }, `resumed on ${engine.ranks} ranks: the sharded trainer starts its AdamW moments afresh (it cannot load saved ones yet)`);
  } else if (head) {
    engine.adamM.set(savedM);
    engine.adamV.set(savedV);
    engine.adamStep = adamStep;
  } else {
    engine.initParams(spec.initSeed);
    theta.set(engine.params);
  }
  const theta0Hash = await thetaHashAsync(theta);
  if (!head) log.info({ thetaHash: theta0Hash, params: engine.numParams }, 'initialised θ_0 from the run seed');

  const p2p = await createP2PNode({
    dataDir: join(o.dataDir, 'p2p'),
    listen: o.listen,
    ...(o.announce ? { announce: o.announce } : {}),
    bootstrap: o.bootstrap,
    network: spec.network,
    runHash: runHashHex,
    ...(o.nat ? { nat: o.nat } : {}),
    onNatEvent: (e) => logNatEvent(log, e),
  });
  await p2p.start();
  const commitment = peerCommitment(p2p.peerId);
  const existing = (await chain.readCommitments()).get(o.hotkey.ss58);
  if (existing !== commitment) await chain.setCommitment(o.hotkey, commitment);

  const directory = new PeerDirectory(chain);
  // Once per window, and when a peer we do not know as registered speaks (it may have
  // committed since our last read): coalesced, at most one chain read per 5 s.
  const refreshPeers = rateLimited(async (): Promise<void> => {
    await directory.refresh();
    p2p.setRegisteredPeers(directory.registeredPeerIds(), new Set(directory.validators().map((v) => v.peerId)));
    p2p.setAppScores(directory.stakeScores());
  }, 5000);
  await refreshPeers();
  p2p.onUnknownPeer(() => {
    // a failed read is retried on the next request and every window (whose failures warn)
    refreshPeers().catch((e: unknown) => log.debug({ err: (e as Error).message }, 'peer refresh on an unknown peer failed'));
  });

  const metrics = new NodeMetrics();
  metrics.eventLoopMonitor = new EventLoopMonitor();
  // What the engine trains on, per rank, for the status API (the device label: the
  // engine's backend, so that --device auto reports what it chose).
  const deviceLabel = engine.device === 'cuda' ? `cuda:${o.cudaDevice ?? 0}` : 'cpu';
  metrics.ranks = engine.rankMemory().map((r) => ({ ...r, device: deviceLabel }));
  log.info({ event: 'engine_ranks', ranks: metrics.ranks }, `engine on ${metrics.ranks.length} rank(s): ${metrics.ranks.map((r) => `${r.rank} ${r.device}`).join(', ')}`);
  const abort = new AbortController();
  let appliedWaiters: Array<() => void> = [];
  let heardWaiters: Array<() => void> = [];
  const ctxRef: { ctx?: NodeContext } = {};
  const saveState = async (): Promise<void> => {
    const c = ctxRef.ctx!;
    // Off the event loop; under the replica lock (every caller holds it), so nothing
    // writes θ, the error buffer or the engine's moments while the file is written.
    await saveNodeStateAsync(statePath, {
      runHash: runHashHex, numParams: engine.numParams, window: replica.chain.head.window, manifestDigest: replica.chain.head.digest,
      thetaHash: replica.thetaHash, adamStep: engine.adamStep, innerStep: c.innerStep, savedAt: new Date().toISOString(),
    }, { params: theta, errorBuffer, adamM: engine.adamM, adamV: engine.adamV });
  };
  const checkpoints = new Checkpoints({
    dataDir: o.dataDir, keep: spec.checkpoint.keep, model, layout: engine.layout, runHash, runHashHex, p2p, log,
  });
  const startedFresh = head === undefined;
  const replica = new Replica({
    layout: engine.layout, runHash, outerLr: spec.outer.lr, p2p, directory, log, theta, thetaHash: theta0Hash,
    ...(head ? { head } : {}),
    onSuperseded: () => { metrics.manifestsSuperseded++; },
    rankOf: (validatorUid) => {
      const r = speakers().findIndex((v) => v.uid === validatorUid);
      return r < 0 ? undefined : r;
    },
    jumpToCheckpoint: async (h) => {
      const jumped = await checkpoints.jump(h, theta);
      // A joiner's error-feedback buffer is empty: it stays out of manifests for a
      // short warm-up while it accumulates (SparseLoCo, Psyche do the same).
      if (jumped && startedFresh && ctxRef.ctx) ctxRef.ctx.warmupUntilWindow = driver.window + 2;
      return jumped;
    },
    onApplied: async (m) => {
      metrics.onManifest();
      const lead = speakerOrder(directory.validators(), speakerRules(spec))[0];
      if (o.role === 'validator' && lead?.uid === uid && (Number(m.window) + 1) % spec.checkpoint.everyWindows === 0) {
        await checkpoints.write(theta, replica.chain.head, replica.thetaHash);
      }
      const latest = checkpoints.latest;
      if (latest) await p2p.store.prune(latest.window - spec.checkpoint.keep * spec.checkpoint.everyWindows);
      await saveState();
      const waiting = appliedWaiters;
      appliedWaiters = [];
      for (const r of waiting) r();
    },
  });

  const driver = new WindowDriver(chain, spec.timing.blocksPerWindow);
  await driver.start();
  const announcements = new AnnouncementBook(runHashHex);
  const rules = speakerRules(spec);
  const speakers = (): PeerInfo[] => speakerOrder(directory.validators(), rules);

  p2p.on('grad', (msg, from) => {
    const sender = directory.peer(from);
    const reason = announcements.add(msg as GradAnnouncement, from, sender?.uid, driver.window);
    if (reason && reason !== 'duplicate') log.debug({ from, reason }, 'announcement not recorded');
  });
  p2p.on('checkpoint', (msg, from) => {
    if (directory.peer(from)?.validatorPermit) checkpoints.heard(msg as CheckpointAnnouncement, from);
  });
  // Which validator may speak for a window, and when, is one rule (protocol/speakers.ts),
  // judged as the manifest arrives: a manifest from anyone else is neither applied nor
  // forwarded, and its signer is penalised.
  p2p.guard('manifest', (m, from) => {
    const window = Number(m.window);
    const sender = directory.peer(from);
    const verdict = judgeManifest({
      window, validatorUid: m.validatorUid, signer: sender, speakers: speakers(), currentWindow: driver.window,
      closingStartMs: driver.startOf(window + 1), nowMs: Date.now(), timing: spec.timing, rules,
    });
    if (verdict.kind === 'accept') return { kind: 'accept' };
    const fields = { from, uid: sender?.uid, window, validatorUid: m.validatorUid, reason: verdict.reason };
    if (verdict.kind === 'reject') {
      metrics.onManifestRejected(verdict.reason);
      log.warn({ event: 'manifest_rejected', ...fields }, 'manifest from a peer that may not speak for this window: rejected, sender penalised');
    } else {
      log.info({ event: 'manifest_ignored', ...fields }, 'manifest ignored');
    }
    return verdict;
  });
  p2p.on('manifest', (msg, from) => {
    const m = msg as ManifestMsg;
    if (toHex(m.runHash) !== runHashHex) return;
    const rank = speakers().findIndex((v) => v.peerId === from);
    const heard = heardWaiters;
    heardWaiters = [];
    for (const r of heard) r();
    replica.offer(m, from, rank < 0 ? undefined : rank).catch((e: unknown) => log.error({ err: (e as Error).message, window: Number(m.window) }, 'could not apply manifest'));
  });

  // Refresh the peer directory once per window (registrations, commitments, stake).
  const refreshLoop = (async () => {
    let w = driver.window;
    while (!abort.signal.aborted) {
      w = await driver.waitFor(w + 1);
      if (w < 0) break;
      const loop = metrics.eventLoopMonitor?.roll();
      if (loop) log.info({ event: 'event_loop', window: w - 1, ...loop }, 'event-loop delay over the last window');
      await refreshPeers().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'peer refresh failed'));
    }
  })();

  writeFileAtomic(join(o.dataDir, 'node-info.json'), [
    JSON.stringify({ peerId: p2p.peerId, multiaddrs: p2p.multiaddrs(), uid, role: o.role, pid: process.pid, runHash: runHashHex }, null, 2),
  ]);

  const ctx: NodeContext = {
    role: o.role, spec, model, runHash, runHashHex, modelShapeHash: modelShapeHash(engine.layout), uid, hotkey: o.hotkey,
    chain, directory, p2p, engine, replica, driver, announcements, checkpoints, speakerRules: rules, speakers, trainSet, valSet, errorBuffer, innerStep,
    log, metrics, signal: abort.signal, dataDir: o.dataDir,
    manifestApplied: () => new Promise<void>((r) => appliedWaiters.push(r)),
    manifestHeard: () => new Promise<void>((r) => heardWaiters.push(r)),
    saveState,
    heldOutLoss: async (params: Float32Array) => {
      await copyAsync(engine.params, params);
      return heldOutLoss(engine, valSet, spec.eval.heldOutSequences);
    },
    encodeManifest: manifestBytes,
    stop: async () => {
      abort.abort();
      metrics.eventLoopMonitor?.stop();
      refreshPeers.cancel();
      driver.stop();
      await refreshLoop.catch(() => undefined);
      // The role loop may be inside a window (a miner's trainStep runs off the event
      // loop for up to seconds; a validator scores under the lock): the abort ends it at
      // its next step, and the engine may only be freed after that — disposing a busy
      // engine threw, and every testnet node logged an unclean shutdown. The window's
      // work holds the replica's lock (and may still need the network), so wait for the
      // lock first, then stop p2p, then free the engine under the lock once it is idle.
      await replica.lock.run(() => engine.whenIdle());
      await p2p.stop();
      await replica.lock.run(async () => {
        while (engine.busy) await engine.whenIdle();
        trainSet.close();
        valSet.close();
        engine.dispose();
      });
    },
  };
  ctxRef.ctx = ctx;
  return ctx;
}

