// What a running `gradmesh testnet` publishes about itself in DIR/testnet.json, so that
// other commands find it without being told its ports: `gradmesh status` shows every
// node of it, `gradmesh testnet add-miner` joins a miner of your own to it (it needs
// the dev chain's URL, a bootstrap address and the run), and scripts read it. The
// file is written once the first validator is up (its address is the bootstrap), again
// when a node joins, and removed when the testnet stops; `pid` tells a file left by a
// testnet that was killed from one that runs.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/atomic-file.js';

export const TESTNET_INFO_FILE = 'testnet.json';
/** Miners joined with `gradmesh testnet add-miner`: one JSON file each (the testnet rewrites testnet.json; these are yours). */
export const ADDED_NODES_DIR = 'added';
/** `gradmesh testnet`'s default --dir, relative to the working directory (status and add-miner look there too). */
export const DEFAULT_TESTNET_DIR = join('.gradmesh', 'testnet');

export interface TestnetNodeInfo {
  name: string;
  role: 'miner' | 'validator';
  uid?: number;
  hotkey: string;
  /** Base URL of the node's status API (GET /api/status, /metrics, the dashboard). */
  opsUrl: string;
  adversary?: string;
  /** For nodes added by add-miner: the process, when add-miner started it. */
  pid?: number;
}

export interface TestnetInfo {
  version: 1;
  /** The orchestrator's process. */
  pid: number;
  run: string;
  netuid: number;
  /** The dev chain service (--dev-chain of every node). */
  chainUrl: string;
  /** The first validator's loopback address with /p2p/<id>: every node's --bootstrap. */
  bootstrap: string;
  dashboard?: string;
  /** --wallet.path and --wallet.name of the testnet's nodes. */
  walletPath: string;
  walletName: string;
  logsDir?: string;
  startedAt: string;
  nodes: TestnetNodeInfo[];
}

export function testnetInfoPath(dir: string): string {
  return join(dir, TESTNET_INFO_FILE);
}

export function writeTestnetInfo(dir: string, info: TestnetInfo): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(testnetInfoPath(dir), [JSON.stringify(info, null, 2) + '\n']);
}

export function removeTestnetInfo(dir: string): void {
  rmSync(testnetInfoPath(dir), { force: true });
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** DIR/testnet.json as written, or undefined when there is none (or it does not parse). */
export function readTestnetInfo(dir: string): TestnetInfo | undefined {
  const path = testnetInfoPath(dir);
  if (!existsSync(path)) return undefined;
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as TestnetInfo;
    if (j.version !== 1 || typeof j.pid !== 'number' || !Array.isArray(j.nodes) || typeof j.chainUrl !== 'string') return undefined;
    return j;
  } catch {
    return undefined;
  }
}

/** The testnet running in `dir` (its orchestrator alive), or undefined. */
export function findRunningTestnet(dir: string): TestnetInfo | undefined {
  const info = readTestnetInfo(dir);
  return info && processAlive(info.pid) ? info : undefined;
}

/** Nodes added to the testnet in `dir` by `gradmesh testnet add-miner`. */
export function readAddedNodes(dir: string): TestnetNodeInfo[] {
  const d = join(dir, ADDED_NODES_DIR);
  if (!existsSync(d)) return [];
  const out: TestnetNodeInfo[] = [];
  for (const f of readdirSync(d).filter((x) => x.endsWith('.json')).sort()) {
    try {
      const n = JSON.parse(readFileSync(join(d, f), 'utf8')) as TestnetNodeInfo;
      if (typeof n.name === 'string' && typeof n.opsUrl === 'string') out.push(n);
    } catch {
      // being written, or not ours: skip
    }
  }
  return out;
}

export function writeAddedNode(dir: string, n: TestnetNodeInfo): void {
  mkdirSync(join(dir, ADDED_NODES_DIR), { recursive: true });
  writeFileAtomic(join(dir, ADDED_NODES_DIR, `${n.name}.json`), [JSON.stringify(n, null, 2) + '\n']);
}

/** Every node of the testnet in `dir`: its own, then the added ones. */
export function allTestnetNodes(dir: string, info: TestnetInfo): TestnetNodeInfo[] {
  const own = new Set(info.nodes.map((n) => n.name));
  return [...info.nodes, ...readAddedNodes(dir).filter((n) => !own.has(n.name))];
}
