// `gradmesh testnet add-miner`: a miner of your own joins a running testnet, the way
// one would join a public subnet — a wallet of its own, its hotkey registered on the
// chain, then `gradmesh miner` with the network's bootstrap address. The running
// testnet publishes what that needs in DIR/testnet.json (testnet-info.ts); the hotkey
// is registered through the dev chain service's API (the "register" call), as any
// process other than the orchestrator must.
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectDevChain, createDevWallet, walletPaths } from '../chain/index.js';
import { repoRoot } from '../shared/repo-root.js';
import { findRunningTestnet, processAlive, readTestnetInfo, writeAddedNode, type TestnetNodeInfo } from './testnet-info.js';

export interface AddMinerOptions {
  /** The running testnet's --dir. */
  dir: string;
  /** Wallet and node name (default: the first free of mine0, mine1, …). */
  name?: string;
  threads?: number;
  /** Start the miner even below the run's compute floor (the miner's --force). */
  force?: boolean;
  /** Extra flags for the miner (e.g. --log-level debug). */
  extraArgs?: string[];
}

export interface AddedMiner {
  name: string;
  uid: number;
  hotkey: string;
  opsUrl: string;
  /** `gradmesh miner …`: the flags after the binary. */
  args: string[];
  /** The whole command line, to paste into a shell. */
  command: string;
  /** The testnet's orchestrator process: the miner stops when it is gone. */
  testnetPid: number;
}

export class AddMinerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddMinerError';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r, j) => {
    s.once('error', j);
    s.listen(0, '127.0.0.1', () => r());
  });
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * Creates the miner's wallet (DIR/wallets/NAME, hotkey "default"), registers its
 * hotkey on the testnet's dev chain (no stake: a miner) and returns the command that
 * starts it. Refuses, naming the reason, when no testnet runs in `dir` or the name is
 * taken.
 */
export async function addMinerToTestnet(o: AddMinerOptions): Promise<AddedMiner> {
  const info = findRunningTestnet(o.dir);
  if (!info) {
    const stale = readTestnetInfo(o.dir);
    throw new AddMinerError(stale
      ? `the testnet in ${o.dir} is not running any more (pid ${stale.pid} is gone); start one with: gradmesh testnet${o.dir === join('.gradmesh', 'testnet') ? '' : ` --dir ${o.dir}`}`
      : `no testnet running in ${o.dir} (no ${join(o.dir, 'testnet.json')}); start one with: gradmesh testnet, or give its --dir`);
  }
  const walletPath = resolve(o.dir, 'wallets');
  const taken = (n: string): boolean => info.nodes.some((x) => x.name === n) || existsSync(walletPaths({ name: n, path: walletPath }).dir);
  let name = o.name;
  if (name === undefined) {
    for (let i = 0; ; i++) {
      if (!taken(`mine${i}`)) {
        name = `mine${i}`;
        break;
      }
    }
  } else if (!NAME.test(name)) {
    throw new AddMinerError(`--name ${JSON.stringify(name)}: expected 1 to 32 letters, digits, "-" or "_", starting with a letter or digit`);
  } else if (taken(name)) {
    throw new AddMinerError(`--name ${name}: taken (a node of the testnet, or a wallet in ${walletPath}); pick another --name`);
  }

  const w = await createDevWallet({ path: walletPath, name, hotkey: 'default' });
  const chain = await connectDevChain(info.chainUrl, info.netuid);
  let uid: number;
  try {
    uid = await chain.registerHotkey(w.hotkey, w.coldkey, 0);
  } finally {
    await chain.close();
  }

  const [p2pPort, opsPort] = [await freePort(), await freePort()];
  const opsUrl = `http://127.0.0.1:${opsPort}`;
  // testnet.json holds a run given as a file as an absolute path, a name in config/runs/ as the name.
  const run = info.run;
  const args = [
    'miner', '--run', run, '--dev-chain', info.chainUrl,
    '--wallet.path', walletPath, '--wallet.name', name, '--wallet.hotkey', 'default',
    '--data-dir', resolve(o.dir, 'nodes', name),
    '--listen', `/ip4/127.0.0.1/tcp/${p2pPort}`, '--bootstrap', info.bootstrap,
    '--ops.port', String(opsPort), '--ops.host', '127.0.0.1',
    '--threads', String(o.threads ?? 1),
    ...(o.force ? ['--force'] : []),
    ...(o.extraArgs ?? []),
  ];
  const node: TestnetNodeInfo = { name, role: 'miner', uid, hotkey: w.hotkey, opsUrl };
  writeAddedNode(o.dir, node);
  const command = [process.execPath, join(repoRoot(), 'bin', 'gradmesh.js'), ...args].map(shellQuote).join(' ');
  return { name, uid, hotkey: w.hotkey, opsUrl, args, command, testnetPid: info.pid };
}

export interface SuperviseEvent {
  kind: 'start' | 'exit' | 'restart' | 'not_restarted' | 'give_up' | 'testnet_gone';
  pid?: number;
  code?: number | null;
  signal?: string | null;
  /** exit: the wait before the restart */
  delayMs?: number;
  /** restart: its ordinal (1 = first) */
  restart?: number;
}

export interface SuperviseOptions {
  /** the program and its arguments (the miner: node, bin/gradmesh.js, miner …) */
  command: string;
  args: string[];
  /** the testnet's orchestrator: when it is gone, the miner is stopped and supervision ends */
  testnetPid?: number;
  /** exits that a restart cannot fix (default: 2, a usage error; 78, below the compute floor) */
  noRestartCodes?: number[];
  /** first restart delay, doubled after each quick exit up to maxDelayMs (1 s, 30 s) */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** a run at least this long resets the backoff (60 s) */
  stableMs?: number;
  /** quick exits in a row after which it gives up (10) */
  maxQuickExits?: number;
  /** how often the testnet's pid is checked (1 s) */
  pollMs?: number;
  /** a stop requested (Ctrl-C, SIGTERM): the miner is stopped and not restarted */
  signal?: AbortSignal;
  stdio?: 'inherit' | 'ignore';
  onEvent?: (e: SuperviseEvent) => void;
}

export interface SuperviseResult {
  /** the miner's last exit status (128 + signal number style: 1 when killed by a signal) */
  code: number;
  restarts: number;
  reason: 'stopped' | 'testnet_gone' | 'not_restartable' | 'gave_up';
}

/**
 * Runs a miner the way `gradmesh testnet` runs its own nodes: an exit nobody asked for
 * is restarted after a backoff (1 s, doubling, reset by a stable run), except an exit
 * a restart cannot fix (a usage error; below the compute floor), and a crash loop is
 * given up. The miner is stopped (SIGTERM, then SIGKILL after 15 s) when the testnet
 * stops or a stop is requested.
 */
export async function superviseMiner(o: SuperviseOptions): Promise<SuperviseResult> {
  const { spawn } = await import('node:child_process');
  const noRestart = new Set(o.noRestartCodes ?? [2, 78]);
  const base = o.baseDelayMs ?? 1000;
  const maxDelay = o.maxDelayMs ?? 30_000;
  const stableMs = o.stableMs ?? 60_000;
  const maxQuick = o.maxQuickExits ?? 10;
  let restarts = 0;
  let quick = 0;
  let stopReason: 'stopped' | 'testnet_gone' | undefined;
  let current: import('node:child_process').ChildProcess | undefined;
  let wake: (() => void) | undefined;
  const stop = (why: 'stopped' | 'testnet_gone'): void => {
    if (stopReason) return;
    stopReason = why;
    if (why === 'testnet_gone') o.onEvent?.({ kind: 'testnet_gone' });
    if (current && current.exitCode === null && current.signalCode === null) {
      current.kill('SIGTERM');
      const child = current;
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, 15_000).unref();
    }
    wake?.();
  };
  o.signal?.addEventListener('abort', () => stop('stopped'), { once: true });
  if (o.signal?.aborted) stop('stopped');
  const poll = o.testnetPid !== undefined
    ? setInterval(() => {
        if (!processAlive(o.testnetPid!)) stop('testnet_gone');
      }, o.pollMs ?? 1000)
    : undefined;
  try {
    for (;;) {
      if (stopReason) return { code: 0, restarts, reason: stopReason };
      const started = Date.now();
      const child = spawn(o.command, o.args, { stdio: o.stdio ?? 'inherit' });
      current = child;
      o.onEvent?.({ kind: 'start', ...(child.pid ? { pid: child.pid } : {}) });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => {
        child.once('exit', (c, s) => r([c, s]));
        child.once('error', () => r([127, null]));
      });
      const status = code ?? 1;
      if (stopReason) return { code: status, restarts, reason: stopReason };
      if (code !== null && noRestart.has(code)) {
        o.onEvent?.({ kind: 'not_restarted', code, signal });
        return { code, restarts, reason: 'not_restartable' };
      }
      quick = Date.now() - started >= stableMs ? 0 : quick + 1;
      if (quick >= maxQuick) {
        o.onEvent?.({ kind: 'give_up', code, signal });
        return { code: status, restarts, reason: 'gave_up' };
      }
      const delayMs = Math.min(maxDelay, base * 2 ** Math.max(0, quick - 1));
      o.onEvent?.({ kind: 'exit', code, signal, delayMs });
      await new Promise<void>((r) => {
        const t = setTimeout(r, delayMs);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = undefined;
      if (stopReason) return { code: status, restarts, reason: stopReason };
      restarts++;
      o.onEvent?.({ kind: 'restart', restart: restarts });
    }
  } finally {
    if (poll) clearInterval(poll);
  }
}
