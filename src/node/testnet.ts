// `gradmesh testnet`: a whole local network on one machine — a dev chain service,
// one or more validators and several miners, each a separate OS process talking
// real libp2p over loopback. Logs go to DIR/logs/NAME.log (JSON lines); the
// orchestrator follows them and prints one summary line per window.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevChain, startDevChainServer, createDevWallet } from '../chain/index.js';
import { ensureDefaultDataset } from '../train/data/index.js';
import { repoRoot } from '../train/model-config.js';
import { loadRunSpec } from './run-spec.js';
import { sleep } from './window-driver.js';
import { startTestnetDashboard } from '../ops/index.js';

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
  /** One extra miner per entry, misbehaving in that mode (docs/adversarial.md). */
  adversaries?: string[];
  onEvent?: (node: string, event: Record<string, unknown>) => void;
  print?: (line: string) => void;
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
  /** Flags added at the last start, reused by restart(). */
  extraArgs?: string[];
}

export interface WindowSummary {
  window: number;
  evalLoss?: number;
  thetaHashes: Map<string, string>;
  payloads?: number;
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

  constructor(private readonly o: TestnetOptions) {
    this.print = o.print ?? ((l) => console.log(l));
  }

  get chainUrl(): string {
    return this.server!.url;
  }

  async start(): Promise<void> {
    const o = this.o;
    const spec = loadRunSpec(o.run);
    if (o.fresh && existsSync(o.dir)) rmSync(o.dir, { recursive: true, force: true });
    mkdirSync(join(o.dir, 'logs'), { recursive: true });
    if (spec.dataset === 'default') {
      this.print('preparing the built-in dataset (first run only)…');
      await ensureDefaultDataset();
    }
    this.chain = DevChain.create({ netuid: spec.netuid, blockTimeMs: spec.timing.devBlockMs });
    this.server = await startDevChainServer(this.chain, { port: o.basePort, host: '127.0.0.1' });
    for (let i = 0; i < o.validators; i++) await this.addNode('validator', i);
    for (let i = 0; i < o.miners; i++) await this.addNode('miner', i);
    for (const [j, mode] of (o.adversaries ?? []).entries()) {
      // A manifest forger holds a permit and some stake (less than any validator): a
      // registered identity that the speaker rule must keep from overriding the lead.
      const n = await this.addNode('miner', o.miners + j, mode === 'forge-manifest' ? 500 : 0);
      n.args.push('--adversary', mode);
    }
    this.print(`dev chain at ${this.server.url} (netuid ${spec.netuid}, ${spec.timing.devBlockMs} ms blocks, ${spec.timing.blocksPerWindow} blocks per window)`);

    // The first validator is everyone's bootstrap peer.
    const first = this.nodes[0]!;
    this.spawnNode(first, []);
    const info = await this.waitForNodeInfo(first);
    this.bootstrap = info.multiaddrs.find((a) => a.includes('127.0.0.1')) ?? info.multiaddrs[0]!;
    for (const n of this.nodes.slice(1)) {
      const extra = n.role === 'miner' && o.minerArgs ? o.minerArgs(Number(n.hotkey.replace('miner', ''))) : [];
      this.spawnNode(n, ['--bootstrap', this.bootstrap, ...extra]);
    }
    this.print(`started ${o.validators} validator(s) and ${o.miners} miner(s); logs in ${join(o.dir, 'logs')}`);
    this.dashboard = await startTestnetDashboard({
      port: o.basePort + 99,
      nodes: () => this.nodes.map((n) => ({ name: n.name, url: n.opsUrl })),
    });
    this.print(`dashboard at ${this.dashboard.url}`);
  }

  /** Creates a wallet, registers it on the dev chain and records how to start the node. */
  private async addNode(role: 'miner' | 'validator', i: number, minerStake = 0): Promise<NodeProcess> {
    const o = this.o;
    const walletPath = join(o.dir, 'wallets');
    const hotkey = `${role}${i}`;
    const opsPort = o.basePort + 100 + this.nodes.length;
    const w = await createDevWallet({ path: walletPath, name: 'testnet', hotkey });
    // Validators hold stake (and so a permit); miners hold none.
    this.chain!.register(w.hotkey, w.coldkey, role === 'validator' ? 1000 * (o.validators - i) : minerStake);
    const n: NodeProcess = {
      name: hotkey, role, hotkey, dataDir: join(o.dir, 'nodes', hotkey), opsUrl: `http://127.0.0.1:${opsPort}`,
      args: [
        role, '--run', o.run, '--dev-chain', this.server!.url,
        '--wallet.path', walletPath, '--wallet.name', 'testnet', '--wallet.hotkey', hotkey,
        '--data-dir', join(o.dir, 'nodes', hotkey), '--threads', String(o.threadsPerNode),
        '--listen', `/ip4/127.0.0.1/tcp/${o.basePort + 1 + this.nodes.length}`,
        '--ops.port', String(opsPort), '--ops.host', '127.0.0.1',
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
      if (n.child?.exitCode !== null && n.child?.exitCode !== undefined) throw new Error(`${n.name} exited with code ${n.child.exitCode} while starting (see ${join(this.o.dir, 'logs', `${n.name}.log`)})`);
      await sleep(200);
    }
    throw new Error(`${n.name} did not start within ${timeoutMs / 1000} s`);
  }

  /** Starts (or restarts) one node process with the given extra flags. */
  spawnNode(n: NodeProcess, extra: string[]): void {
    const bin = join(repoRoot(), 'bin', 'gradmesh.js');
    const child = spawn(process.execPath, [bin, ...n.args, ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GRADMESH_LOG_JSON: '1' },
    });
    n.child = child;
    n.extraArgs = extra;
    const out = createWriteStream(join(this.o.dir, 'logs', `${n.name}.log`), { flags: 'a' });
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
    this.exitWaiters.set(n.name, new Promise((resolve) => child.on('exit', (code) => resolve(code))));
  }

  /** Kills a node with a signal and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = this.nodes.find((x) => x.name === name)!;
    n.child?.kill(signal);
    await this.exitWaiters.get(name);
  }

  /** Restarts a node that was killed, with the same flags. */
  restart(name: string): void {
    const n = this.nodes.find((x) => x.name === name)!;
    this.spawnNode(n, n.extraArgs ?? []);
  }

  private onEvent(n: NodeProcess, ev: Record<string, unknown>): void {
    this.o.onEvent?.(n.name, ev);
    const window = typeof ev.window === 'number' ? ev.window : undefined;
    if (window === undefined) return;
    if (ev.event === 'manifest_applied' && typeof ev.thetaHash === 'string') {
      // θ after the manifest of w is θ_{w+1}.
      const s = this.summary(window + 1);
      s.thetaHashes.set(n.name, ev.thetaHash);
      if (typeof ev.payloads === 'number') s.payloads = ev.payloads;
    }
    if (ev.event === 'eval' && typeof ev.loss === 'number') {
      const s = this.summary(window);
      s.evalLoss = ev.loss;
      const hashes = new Set(s.thetaHashes.values());
      this.print(
        `window ${String(window).padStart(4)}  held-out loss ${ev.loss.toFixed(4)}  payloads ${s.payloads ?? 0}  ` +
          `θ ${[...hashes].map((h) => h.slice(0, 10)).join(',')} (${s.thetaHashes.size} nodes${hashes.size > 1 ? ', DISAGREE' : ''})`,
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
        if (node.child && node.child.exitCode !== null && node.child.signalCode === null && node.child.exitCode !== 0) {
          throw new Error(`${node.name} exited with code ${node.child.exitCode} (see ${join(this.o.dir, 'logs', `${node.name}.log`)})`);
        }
      }
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map(async (n) => {
      if (n.child && n.child.exitCode === null && n.child.signalCode === null) {
        n.child.kill('SIGTERM');
        const t = setTimeout(() => n.child?.kill('SIGKILL'), 10_000);
        await this.exitWaiters.get(n.name);
        clearTimeout(t);
      }
    }));
    await this.dashboard?.close();
    await this.server?.close();
    await this.chain?.close();
  }
}
