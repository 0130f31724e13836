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
import { repoRoot } from '../train/model-config.js';
import { findRunningTestnet, readTestnetInfo, writeAddedNode, type TestnetNodeInfo } from './testnet-info.js';

export interface AddMinerOptions {
  /** The running testnet's --dir. */
  dir: string;
  /** Wallet and node name (default: the first free of mine0, mine1, …). */
  name?: string;
  threads?: number;
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
    ...(o.extraArgs ?? []),
  ];
  const node: TestnetNodeInfo = { name, role: 'miner', uid, hotkey: w.hotkey, opsUrl };
  writeAddedNode(o.dir, node);
  const command = [process.execPath, join(repoRoot(), 'bin', 'gradmesh.js'), ...args].map(shellQuote).join(' ');
  return { name, uid, hotkey: w.hotkey, opsUrl, args, command };
}
