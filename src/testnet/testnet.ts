// `gradmesh testnet`: a whole local network on one machine — a dev chain service,
// one or more validators and several miners, each a separate OS process talking
// real libp2p over loopback. Logs go to DIR/logs/NAME.log (JSON lines); the
// orchestrator follows them and prints one summary line per window. It also
// supervises the nodes: a node that exits without being asked to (a crash, a
// SIGKILL from outside) is restarted with exponential backoff, and each restart is
// printed and counted (restart: false turns this off).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevChain, startDevChainServer, createDevWallet } from '../chain/index.js';
import { ensureDefaultDataset } from '../train/data/index.js';
import { DEFAULT_TESTNET_DIR, allTestnetNodes, findRunningTestnet, removeTestnetInfo, readTestnetInfo, writeTestnetInfo, type TestnetInfo } from './testnet-info.js';
import { repoRoot } from '../shared/repo-root.js';
import { isPathLike, loadRunSpec, runSpecPath, type RunSpec } from '../node/run-spec.js';
import { Engine } from '../train/engine.js';
import { loadModelConfig } from '../train/model-config.js';
import { measureStepSeconds } from '../node/compute-floor.js';
import { sizeWindows, withDevBlockMs } from './testnet-timing.js';
import { sleep } from '../node/window-driver.js';
import { startTestnetDashboard } from '../ops/index.js';
import { formatBytes, formatReasons } from '../ops/format-status.js';

export interface TestnetOptions {
  run: string;
  dir: string;
  miners: number;
  validators: number;
  basePort: number;
  threadsPerNode: number;
  fresh: boolean;
  /** Extra flags per miner index. */
  minerArgs?: (index: number) => string[];
  /** Extra flags for every node (e.g. `--log-level debug`). */
  nodeArgs?: string[];
  /** Where the nodes' JSON logs go (default DIR/logs). */
  logsDir?: string;
  /** One extra miner per entry, misbehaving in that mode (docs/adversarial.md). */
  adversaries?: string[];
  onEvent?: (node: string, event: Record<string, unknown>) => void;
  print?: (line: string) => void;
  /**
   * Supervision (default on): a node process that exits without the orchestrator
   * asking (kill() and stop() ask; a crash or an outside SIGKILL does not) is
   * restarted after a backoff delay. false leaves it dead.
   */
  restart?: boolean;
  backoff?: Partial<BackoffOptions>;
  /**
   * Hold the dev chain at block 0 until every node has started, then produce blocks
   * (default: blocks from the start, while the nodes are still starting). On a loaded
   * machine nodes take tens of seconds to start; held, they all meet window 1 together.
   * Default: on with adaptive timing, off with fixed.
   */
  startTogether?: boolean;
  /** Called when the supervisor sees an unrequested exit, and again when it restarts the node. */
  onSupervisor?: (e: SupervisorEvent) => void;
  /**
   * 'fixed' (default here; `gradmesh testnet --fixed-timing`): the run spec's block time.
   * 'adaptive' (`gradmesh testnet`'s default): measure the run's step time once and
   * lengthen the dev chain's block time until a window fits this machine
   * (testnet-timing.ts); the nodes then run DIR/run.json, the spec with that block time.
   */
  timing?: 'fixed' | 'adaptive';
  /** Address the dev chain and the nodes listen on (default 127.0.0.1). */
  host?: string;
  /**
   * Runs a node inside a network namespace (the NAT test): the command prefix that
   * enters it (e.g. `ip netns exec NS`) and the node's address there.
   */
  netns?: (node: string) => { exec: string[]; host: string } | undefined;
}

export interface BackoffOptions {
  /** Delay before the first restart (doubles with each restart, up to maxMs). */
  initialMs: number;
  maxMs: number;
  /** A node that ran this long before exiting starts again from initialMs. */
  stableMs: number;
  /** Give up on a node that exited with an error code this many times in a row, each before stableMs (a crash loop). */
  maxCrashLoop: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000, stableMs: 30_000, maxCrashLoop: 5 };

export interface SupervisorEvent {
  kind: 'exit' | 'restart' | 'give_up';
  node: string;
  code: number | null;
  signal: string | null;
  /** How long the process had run, ms. */
  uptimeMs: number;
  /** The chain's window when it happened. */
  chainWindow: number;
  at: number;
  /** For 'exit' with supervision on: the delay before the restart. */
  delayMs?: number;
  /** The restart's ordinal for this node (1 = first restart). */
  restart?: number;
  pid?: number;
}

export interface NodeProcess {
  name: string;
  role: 'miner' | 'validator';
  hotkey: string;
  dataDir: string;
  args: string[];
  /** The node's local status API. */
  opsUrl: string;
  child?: ChildProcess;
  /** Flags added at the first start, reused by restart(). */
  extraArgs?: string[];
  /** The uid the dev chain gave its hotkey. */
  uid?: number;
  /** Its adversarial mode, if it misbehaves on purpose. */
  adversary?: string;
  /** Supervisor restarts so far. */
  restarts: number;
  /** Unrequested exits so far (with or without a restart). */
  exits: Array<{ code: number | null; signal: string | null; at: number; uptimeMs: number }>;
  /** When the current process was spawned. */
  startedAt?: number;
  /** Set while the orchestrator wants the node down (kill(), stop()): its exit is not restarted. */
  stopRequested?: boolean;
  /** The supervisor stopped restarting it (crash loop). */
  gaveUp?: boolean;
  /** Supervisor state. */
  backoffMs?: number;
  crashLoop?: number;
  restartTimer?: NodeJS.Timeout;
}

export interface WindowSummary {
  window: number;
  evalLoss?: number;
  thetaHashes: Map<string, string>;
  payloads?: number;
  /** Why the manifest that made this θ had fewer payloads (its manifest_published rejectedByReason). */
  reasons?: Record<string, number>;
}

/** What the end of a run reports, as the last line of `gradmesh testnet` prints it (JSON, snake_case). */
export interface TestnetReport {
  /** Windows with a held-out evaluation. */
  windows: number;
  /** Of those, windows in which every node that reported θ reported the same hash (at least one did). */
  theta_agree_windows: number;
  eval_loss_start: number | null;
  eval_loss_end: number | null;
  /** Mean payloads aggregated by the manifests behind the evaluated windows. */
  payloads_per_window: number | null;
  /** Mean size of an honest miner's announced payload: what one miner puts on the wire per window. */
  bytes_per_miner_per_window: number | null;
  restarts: number;
}

/**
 * The end-of-run figures from the per-window summaries, the `bytes` of the honest
 * miners' `announced` events and the supervisor's restart count.
 */
export function testnetReport(windows: Iterable<WindowSummary>, announcedBytes: number[], restarts: number): TestnetReport {
  const evaluated = [...windows].filter((s) => s.evalLoss !== undefined).sort((a, b) => a.window - b.window);
  const agree = evaluated.filter((s) => s.thetaHashes.size > 0 && new Set(s.thetaHashes.values()).size === 1).length;
  const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const round = (x: number | null, digits: number): number | null => (x === null ? null : Number(x.toFixed(digits)));
  return {
    windows: evaluated.length,
    theta_agree_windows: agree,
    eval_loss_start: round(evaluated[0]?.evalLoss ?? null, 4),
    eval_loss_end: round(evaluated.at(-1)?.evalLoss ?? null, 4),
    payloads_per_window: round(mean(evaluated.map((s) => s.payloads ?? 0)), 2),
    bytes_per_miner_per_window: round(mean(announcedBytes), 0),
    restarts,
  };
}

/**
 * Prepares the built-in dataset if the run uses it, saying so only when it really is
 * being prepared (the message used to print on every run, for a cache hit too).
 */
export async function ensureBuiltInDataset(print: (line: string) => void, opts: { cacheDir?: string; documents?: string[] } = {}): Promise<void> {
  await ensureDefaultDataset({ ...opts, onBuild: () => print('preparing the built-in dataset (first run only)…') });
}

export class Testnet {
  readonly nodes: NodeProcess[] = [];
  readonly windows = new Map<number, WindowSummary>();
  private chain?: DevChain;
  private server?: { url: string; close(): Promise<void> };
  private dashboard?: { url: string; close(): Promise<void> };
  private bootstrap?: string;
  private print: (line: string) => void;
  private exitWaiters = new Map<string, Promise<number | null>>();
  private stopping = false;
  private blockTimer?: NodeJS.Timeout;
  private blocksPerWindow = 1;
  private readonly backoff: BackoffOptions;
  /** Every supervisor event, in order (exits, restarts, give-ups). */
  readonly supervisorLog: SupervisorEvent[] = [];
  /** `bytes` of every `announced` event of an honest miner. */
  readonly announcedBytes: number[] = [];
  private info?: TestnetInfo;
  private netuid = 0;
  /** What the nodes get as --run: the user's run, or DIR/run.json when the windows were sized to the machine. */
  private runArg: string;

  constructor(private readonly o: TestnetOptions) {
    this.print = o.print ?? ((l) => console.log(l));
    this.backoff = { ...DEFAULT_BACKOFF, ...o.backoff };
    this.runArg = o.run;
  }

  /** Where the dev chain and the nodes listen (TestnetOptions.host). */
  get host(): string {
    return this.o.host ?? '127.0.0.1';
  }

  get chainUrl(): string {
    return this.server!.url;
  }

  /** Where the nodes' JSON logs are. */
  get logsDir(): string {
    return this.o.logsDir ?? join(this.o.dir, 'logs');
  }

  private logOf(name: string): string {
    return join(this.logsDir, `${name}.log`);
  }

  get supervising(): boolean {
    return this.o.restart !== false;
  }

  /** The dev chain's current window (block / blocksPerWindow); -1 before start(). */
  get chainWindow(): number {
    return this.chain ? Math.floor(this.chain.state.block / this.blocksPerWindow) : -1;
  }

  node(name: string): NodeProcess {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node named ${name}`);
    return n;
  }

  /** Whether the node's process is running now. */
  alive(name: string): boolean {
    const c = this.node(name).child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  async start(): Promise<void> {
    const o = this.o;
    let spec = loadRunSpec(o.run);
    // Starting fresh deletes DIR: never under a testnet that runs there.
    const running = findRunningTestnet(o.dir);
    if (running && running.pid !== process.pid) {
      throw new Error(`a testnet is already running in ${o.dir} (pid ${running.pid}, dev chain ${running.chainUrl}); stop it first, or use another --dir`);
    }
    if (o.fresh && existsSync(o.dir)) rmSync(o.dir, { recursive: true, force: true });
    mkdirSync(this.logsDir, { recursive: true });
    if (spec.dataset === 'default') await ensureBuiltInDataset(this.print);
    if (o.timing === 'adaptive') spec = await this.sizeWindowsToMachine(spec);
    this.netuid = spec.netuid;
    this.blocksPerWindow = spec.timing.blocksPerWindow;
    // Windows sized to the machine also wait for its nodes (tens of seconds each to start on a busy one).
    const together = o.startTogether ?? o.timing === 'adaptive';
    this.chain = DevChain.create({ netuid: spec.netuid, blockTimeMs: together ? 0 : spec.timing.devBlockMs });
    this.server = await startDevChainServer(this.chain, { port: o.basePort, host: this.host });
    for (let i = 0; i < o.validators; i++) await this.addNode('validator', i);
    for (let i = 0; i < o.miners; i++) await this.addNode('miner', i);
    for (const [j, mode] of (o.adversaries ?? []).entries()) {
      // A manifest forger holds a permit and some stake (less than any validator): a
      // registered identity that the speaker rule must keep from overriding the lead.
      const n = await this.addNode('miner', o.miners + j, mode === 'forge-manifest' ? 500 : 0);
      n.args.push('--adversary', mode);
      n.adversary = mode;
    }
    this.print(`dev chain at ${this.server.url} (netuid ${spec.netuid}, ${spec.timing.devBlockMs} ms blocks, ${spec.timing.blocksPerWindow} blocks per window)`);

    // The first validator is everyone's bootstrap peer.
    const first = this.nodes[0]!;
    this.spawnNode(first, []);
    const info = await this.waitForNodeInfo(first);
    this.bootstrap = info.multiaddrs.find((a) => a.includes(`/ip4/${this.host}/`)) ?? info.multiaddrs[0]!;
    for (const n of this.nodes.slice(1)) {
      const extra = n.role === 'miner' && o.minerArgs ? o.minerArgs(Number(n.hotkey.replace('miner', ''))) : [];
      this.spawnNode(n, ['--bootstrap', this.bootstrap, ...extra]);
    }
    const adv = o.adversaries?.length ? ` and ${o.adversaries.length} adversarial miner(s) (${o.adversaries.join(', ')})` : '';
    if (together) {
      this.print('holding the chain at block 0 until every node has started…');
      await Promise.all(this.nodes.slice(1).map((n) => this.waitForNodeInfo(n, 600_000)));
      const chain = this.chain;
      this.blockTimer = setInterval(() => chain.advance(1), spec.timing.devBlockMs);
    }
    this.print(`started ${o.validators} validator(s), ${o.miners} miner(s)${adv}; logs in ${join(o.dir, 'logs')}; ` +
      (this.supervising ? `a node that dies is restarted (backoff ${this.backoff.initialMs / 1000} s, doubling, up to ${this.backoff.maxMs / 1000} s)` : 'no restarts (--no-restart)'));
    this.dashboard = await startTestnetDashboard({
      port: o.basePort + 99,
      // the testnet's nodes and the miners joined with `gradmesh testnet add-miner`
      nodes: () => (this.info ? allTestnetNodes(o.dir, this.info) : this.nodes).map((n) => ({ name: n.name, url: n.opsUrl })),
    });
    this.print(`dashboard at ${this.dashboard.url}`);
    for (const n of this.nodes) this.print(`  ${n.name.padEnd(12)} uid ${String(n.uid ?? '?').padEnd(3)} status API ${n.opsUrl}`);
    this.publishInfo();
    const dirFlag = o.dir === DEFAULT_TESTNET_DIR ? '' : ` --dir ${o.dir}`;
    this.print(`\`gradmesh status${dirFlag}\` shows every node; \`gradmesh testnet add-miner${dirFlag}\` joins a miner of your own (${join(o.dir, 'testnet.json')})`);
  }

  /**
   * Adaptive timing: the run spec with the dev chain's block time set so that a window
   * fits this machine, written to DIR/run.json for the nodes. Measured once: a kept
   * testnet (fresh: false) reuses its DIR/run.json, so its nodes keep their runHash.
   */
  private async sizeWindowsToMachine(spec: RunSpec): Promise<RunSpec> {
    const o = this.o;
    const path = join(o.dir, 'run.json');
    if (!o.fresh && existsSync(path)) {
      const kept = loadRunSpec(path);
      this.runArg = path;
      this.print(`windows as this testnet sized them before: ${kept.timing.devBlockMs} ms blocks (${path})`);
      return kept;
    }
    this.print(`measuring the run's step time on this machine (${spec.model}, batch ${spec.batch} × ${spec.seqLen}, ${o.threadsPerNode} thread(s))…`);
    const engine = Engine.create(loadModelConfig(spec.model), {
      batch: spec.batch, seqLen: spec.seqLen, threads: o.threadsPerNode, device: 'auto', log: () => {},
    });
    let measured: number;
    try {
      measured = await measureStepSeconds(engine);
    } finally {
      engine.dispose();
    }
    const nodes = o.validators + o.miners + (o.adversaries?.length ?? 0);
    const sizing = sizeWindows(spec, { measuredSPerStep: measured, nodes, threadsPerNode: o.threadsPerNode });
    this.print(sizing.message);
    if (!sizing.changed) return spec;
    const raw = JSON.parse(readFileSync(runSpecPath(o.run), 'utf8')) as RunSpec;
    writeFileSync(path, JSON.stringify(withDevBlockMs(raw, sizing.blockMs), null, 2) + '\n');
    this.runArg = path;
    return loadRunSpec(path);
  }

  /** Writes DIR/testnet.json: what status and add-miner need to find this testnet. */
  private publishInfo(): void {
    if (!this.server || !this.bootstrap) return;
    this.info = {
      // a run spec file as an absolute path: add-miner may run elsewhere
      version: 1, pid: process.pid, run: isPathLike(this.runArg) ? runSpecPath(this.runArg) : this.runArg, netuid: this.netuid, chainUrl: this.server.url, bootstrap: this.bootstrap,
      ...(this.dashboard ? { dashboard: this.dashboard.url } : {}),
      walletPath: join(this.o.dir, 'wallets'), walletName: 'testnet', logsDir: this.logsDir,
      startedAt: this.info?.startedAt ?? new Date().toISOString(),
      nodes: this.nodes.map((n) => ({
        name: n.name, role: n.role, hotkey: n.hotkey, opsUrl: n.opsUrl,
        ...(n.uid !== undefined ? { uid: n.uid } : {}), ...(n.adversary ? { adversary: n.adversary } : {}),
      })),
    };
    writeTestnetInfo(this.o.dir, this.info);
  }

  /** The end-of-run figures (see testnetReport). */
  report(): TestnetReport {
    return testnetReport(this.windows.values(), this.announcedBytes, this.nodes.reduce((a, n) => a + n.restarts, 0));
  }

  /** Creates a wallet, registers it on the dev chain and records how to start the node. */
  private async addNode(role: 'miner' | 'validator', i: number, minerStake = 0): Promise<NodeProcess> {
    const o = this.o;
    const walletPath = join(o.dir, 'wallets');
    const hotkey = `${role}${i}`;
    const opsPort = o.basePort + 100 + this.nodes.length;
    const w = await createDevWallet({ path: walletPath, name: 'testnet', hotkey });
    const extra = o.nodeArgs ?? [];
    // Validators hold stake (and so a permit); miners hold none.
    const uid = this.chain!.register(w.hotkey, w.coldkey, role === 'validator' ? 1000 * (o.validators - i) : minerStake);
    const host = o.netns?.(hotkey)?.host ?? this.host;
    const n: NodeProcess = {
      name: hotkey, role, hotkey, uid, restarts: 0, exits: [], dataDir: join(o.dir, 'nodes', hotkey), opsUrl: `http://127.0.0.1:${opsPort}`,
      args: [
        role, '--run', this.runArg, '--dev-chain', this.server!.url,
        '--wallet.path', walletPath, '--wallet.name', 'testnet', '--wallet.hotkey', hotkey,
        '--data-dir', join(o.dir, 'nodes', hotkey), '--threads', String(o.threadsPerNode),
        '--listen', `/ip4/${host}/tcp/${o.basePort + 1 + this.nodes.length}`,
        '--ops.port', String(opsPort), '--ops.host', '127.0.0.1',
        // A testnet's window length is its researcher's choice on a shared machine (all
        // nodes measure their step time at once while starting): a miner below the
        // compute floor starts anyway, warns, and its late windows are counted.
        ...(role === 'miner' ? ['--force'] : []), ...extra,
      ],
    };
    this.nodes.push(n);
    return n;
  }

  /** A miner that joins the running network now, with no state: it catches up from a checkpoint. */
  async joinMiner(extra: string[] = []): Promise<string> {
    const index = this.nodes.filter((n) => n.role === 'miner').length;
    const n = await this.addNode('miner', index);
    this.spawnNode(n, ['--bootstrap', this.bootstrap!, ...extra]);
    this.publishInfo();
    return n.name;
  }

  private async waitForNodeInfo(n: NodeProcess, timeoutMs = 120_000): Promise<{ peerId: string; multiaddrs: string[] }> {
    const path = join(n.dataDir, 'node-info.json');
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (existsSync(path)) {
        try {
          const j = JSON.parse(readFileSync(path, 'utf8')) as { peerId: string; multiaddrs: string[]; pid: number };
          if (j.pid === n.child?.pid) return j;
        } catch {
          // being written: retry
        }
      }
      if (n.child?.exitCode !== null && n.child?.exitCode !== undefined) throw new Error(`${n.name} exited with code ${n.child.exitCode} while starting (see ${this.logOf(n.name)})`);
      await sleep(200);
    }
    throw new Error(`${n.name} did not start within ${timeoutMs / 1000} s`);
  }

  /**
   * Starts (or restarts) one node process with the given extra flags (kept for
   * restarts); `peers` are more bootstrap addresses for this start only.
   */
  spawnNode(n: NodeProcess, extra: string[], peers: string[] = []): void {
    const bin = join(repoRoot(), 'bin', 'gradmesh.js');
    const [cmd, ...prefix] = [...(this.o.netns?.(n.name)?.exec ?? []), process.execPath];
    const child = spawn(cmd!, [...prefix, bin, ...n.args, ...extra, ...peers.flatMap((p) => ['--bootstrap', p])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GRADMESH_LOG_JSON: '1' },
    });
    n.child = child;
    n.extraArgs = extra;
    n.startedAt = Date.now();
    n.stopRequested = false;
    const out = createWriteStream(this.logOf(n.name), { flags: 'a' });
    child.stderr!.pipe(out, { end: false });
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      out.write(line + '\n');
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      this.onEvent(n, ev);
    });
    // One log stream per process: closed once both of its pipes are drained.
    let open = 2;
    const drained = (): void => {
      if (--open === 0) out.end();
    };
    rl.on('close', drained);
    child.stderr!.on('close', drained);
    this.exitWaiters.set(n.name, new Promise((resolve) => child.on('exit', (code, signal) => {
      resolve(code);
      this.onExit(n, child, code, signal);
    })));
  }

  /** The supervisor: restarts a node that exited without being asked to. */
  private onExit(n: NodeProcess, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (n.child !== child || this.stopping || n.stopRequested) return;
    const now = Date.now();
    const uptimeMs = now - (n.startedAt ?? now);
    n.exits.push({ code, signal, at: now, uptimeMs });
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const base = { node: n.name, code, signal, uptimeMs, chainWindow: this.chainWindow, at: now };
    const ran = `after ${(uptimeMs / 1000).toFixed(1)} s`;
    if (!this.supervising) {
      this.emitSupervisor({ kind: 'exit', ...base });
      this.print(`[supervisor] ${n.name} exited (${how}) ${ran}; not restarting (--no-restart)`);
      return;
    }
    const b = this.backoff;
    if (uptimeMs >= b.stableMs) {
      n.backoffMs = b.initialMs;
      n.crashLoop = 0;
    }
    // An error exit soon after starting, again and again, will not get better by itself.
    if (signal === null && code !== 0 && uptimeMs < b.stableMs) n.crashLoop = (n.crashLoop ?? 0) + 1;
    if ((n.crashLoop ?? 0) >= b.maxCrashLoop) {
      n.gaveUp = true;
      this.emitSupervisor({ kind: 'give_up', ...base });
      this.print(`[supervisor] ${n.name} exited (${how}) ${ran}, ${n.crashLoop} times in a row soon after starting: giving up (see ${this.logOf(n.name)})`);
      return;
    }
    const delayMs = n.backoffMs ?? b.initialMs;
    n.backoffMs = Math.min(b.maxMs, delayMs * 2);
    const restart = n.restarts + 1;
    this.emitSupervisor({ kind: 'exit', ...base, delayMs, restart });
    this.print(`[supervisor] ${n.name} exited (${how}) ${ran} in window ${base.chainWindow}; restart #${restart} in ${(delayMs / 1000).toFixed(1)} s`);
    n.restartTimer = setTimeout(() => {
      n.restartTimer = undefined;
      if (this.stopping || n.stopRequested || n.child !== child) return;
      n.restarts = restart;
      this.spawnNode(n, n.extraArgs ?? [], this.livePeers(n));
      this.emitSupervisor({ kind: 'restart', ...base, chainWindow: this.chainWindow, at: Date.now(), restart, pid: n.child?.pid });
      this.print(`[supervisor] ${n.name} restarted (pid ${n.child?.pid}, restart #${restart}) in window ${this.chainWindow}`);
    }, delayMs);
  }

  private emitSupervisor(e: SupervisorEvent): void {
    this.supervisorLog.push(e);
    this.o.onSupervisor?.(e);
  }

  /**
   * Loopback addresses of up to two other running nodes (validators first), so that a
   * restarted node finds the swarm even if its bootstrap peer is the one that is down,
   * or is itself the bootstrap peer (which starts with none).
   */
  private livePeers(self: NodeProcess): string[] {
    const out: string[] = [];
    const others = this.nodes.filter((x) => x !== self && x.child && x.child.exitCode === null && x.child.signalCode === null);
    others.sort((a, b) => (a.role === b.role ? 0 : a.role === 'validator' ? -1 : 1));
    for (const x of others) {
      if (out.length >= 2) break;
      try {
        const j = JSON.parse(readFileSync(join(x.dataDir, 'node-info.json'), 'utf8')) as { multiaddrs: string[]; pid: number };
        if (j.pid !== x.child!.pid) continue;
        const a = j.multiaddrs.find((m) => m.includes(`/ip4/${this.host}/`));
        if (a && a !== this.bootstrap && !(self.extraArgs ?? []).includes(a)) out.push(a);
      } catch {
        // not started yet
      }
    }
    return out;
  }

  /** Kills a node with a signal and waits for it to exit; the supervisor leaves it down (restart() brings it back). */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.node(name);
    n.stopRequested = true;
    clearTimeout(n.restartTimer);
    n.restartTimer = undefined;
    n.child?.kill(signal);
    await this.exitWaiters.get(name);
  }

  /**
   * Kills a node as a crash would (by default SIGKILL), without telling the
   * supervisor: it is restarted after the backoff delay (if supervision is on).
   * Resolves once the process has exited.
   */
  async crash(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.node(name);
    if (n.child?.pid !== undefined && n.child.exitCode === null && n.child.signalCode === null) process.kill(n.child.pid, signal);
    await this.exitWaiters.get(name);
  }

  /** Restarts a node that was killed, with the same flags. */
  restart(name: string): void {
    const n = this.node(name);
    clearTimeout(n.restartTimer);
    n.restartTimer = undefined;
    n.gaveUp = false;
    this.spawnNode(n, n.extraArgs ?? [], this.livePeers(n));
  }

  /** Takes in one JSON log line of a node, as the orchestrator does for each it reads (public for tests and replays). */
  record(name: string, ev: Record<string, unknown>): void {
    this.onEvent(this.node(name), ev);
  }

  private onEvent(n: NodeProcess, ev: Record<string, unknown>): void {
    this.o.onEvent?.(n.name, ev);
    if (ev.event === 'announced' && typeof ev.bytes === 'number' && n.role === 'miner' && !n.adversary) this.announcedBytes.push(ev.bytes);
    const window = typeof ev.window === 'number' ? ev.window : undefined;
    if (window === undefined) return;
    if (ev.event === 'manifest_applied' && typeof ev.thetaHash === 'string') {
      // θ after the manifest of w is θ_{w+1}.
      const s = this.summary(window + 1);
      s.thetaHashes.set(n.name, ev.thetaHash);
      if (typeof ev.payloads === 'number') s.payloads = ev.payloads;
    }
    if (ev.event === 'manifest_published' && ev.rejectedByReason && typeof ev.rejectedByReason === 'object') {
      this.summary(window + 1).reasons = ev.rejectedByReason as Record<string, number>;
    }
    if (ev.event === 'eval' && typeof ev.loss === 'number') {
      const s = this.summary(window);
      // Every validator evaluates: one line per window, on the first report.
      const first = s.evalLoss === undefined;
      s.evalLoss = ev.loss;
      if (!first) return;
      const hashes = new Set(s.thetaHashes.values());
      this.print(
        `window ${String(window).padStart(4)}  held-out loss ${ev.loss.toFixed(4)}  payloads ${s.payloads ?? 0}  ` +
          `θ ${[...hashes].map((h) => h.slice(0, 10)).join(',')} (${s.thetaHashes.size} nodes${hashes.size > 1 ? ', DISAGREE' : ''})` +
          formatReasons(s.reasons ?? {}),
      );
    }
    if (ev.level !== undefined && typeof ev.level === 'number' && ev.level >= 50) {
      this.print(`[${n.name}] ${String(ev.msg)} ${ev.err ? String(ev.err) : ''}`);
    }
  }

  private summary(window: number): WindowSummary {
    let s = this.windows.get(window);
    if (!s) {
      s = { window, thetaHashes: new Map() };
      this.windows.set(window, s);
    }
    return s;
  }

  /** Resolves once `count` windows have a held-out evaluation. */
  async waitForEvaluatedWindows(count: number, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const n = [...this.windows.values()].filter((s) => s.evalLoss !== undefined).length;
      if (n >= count) return;
      for (const node of this.nodes) {
        // Under supervision an exit is restarted; only a crash loop the supervisor gave up on ends the run.
        const failed = this.supervising
          ? node.gaveUp
          : node.child && node.child.exitCode !== null && node.child.signalCode === null && node.child.exitCode !== 0 && !node.stopRequested;
        if (failed) {
          throw new Error(`${node.name} exited with code ${node.child?.exitCode} (see ${this.logOf(node.name)})`);
        }
      }
      await sleep(250);
    }
  }

  /** End-of-run summary lines: windows, loss, θ agreement, and every unrequested exit and restart. */
  summaryLines(): string[] {
    const evaluated = [...this.windows.values()].filter((s) => s.evalLoss !== undefined).sort((a, b) => a.window - b.window);
    const lines: string[] = [];
    const r = this.report();
    if (evaluated.length) {
      const disagree = [...this.windows.values()].filter((s) => new Set(s.thetaHashes.values()).size > 1).length;
      lines.push(`summary: ${evaluated.length} windows evaluated (${evaluated[0]!.window}–${evaluated[evaluated.length - 1]!.window}), ` +
        `held-out loss ${evaluated[0]!.evalLoss!.toFixed(4)} → ${evaluated[evaluated.length - 1]!.evalLoss!.toFixed(4)}, ` +
        `θ agreed in ${r.theta_agree_windows} of ${r.windows} window(s), disagreement in ${disagree} window(s)`);
      const bytes = r.bytes_per_miner_per_window;
      lines.push(`traffic: ${r.payloads_per_window!.toFixed(1)} payloads aggregated per window; ` +
        (bytes === null ? 'no payload announced' : `${formatBytes(bytes)} per miner per window (${this.announcedBytes.length} payloads announced)`));
    } else {
      lines.push('summary: no window evaluated');
    }
    const exited = this.nodes.filter((n) => n.exits.length > 0);
    const restarts = this.nodes.reduce((a, n) => a + n.restarts, 0);
    const detail = exited.map((n) => {
      const how = n.exits.map((e) => e.signal ?? `code ${e.code}`).join(', ');
      return `${n.name} ×${n.exits.length} (${how})${n.gaveUp ? ' gave up' : ''}`;
    }).join('; ');
    lines.push(this.supervising
      ? `supervisor: ${restarts} restart(s)${detail ? ` — ${detail}` : ''}`
      : `supervisor: off; ${exited.length} node(s) exited unasked${detail ? ` — ${detail}` : ''}`);
    return lines;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.blockTimer);
    for (const n of this.nodes) {
      clearTimeout(n.restartTimer);
      n.restartTimer = undefined;
    }
    await Promise.all(this.nodes.map(async (n) => {
      if (n.child && n.child.exitCode === null && n.child.signalCode === null) {
        n.stopRequested = true;
        n.child.kill('SIGTERM');
        const t = setTimeout(() => n.child?.kill('SIGKILL'), 10_000);
        await this.exitWaiters.get(n.name);
        clearTimeout(t);
      }
    }));
    // Nodes first (above), then what they talk to: a node whose chain goes away while
    // it stops logs retries, not a clean shutdown.
    await this.dashboard?.close();
    await this.server?.close();
    await this.chain?.close();
    if (readTestnetInfo(this.o.dir)?.pid === process.pid) removeTestnetInfo(this.o.dir);
  }
}
