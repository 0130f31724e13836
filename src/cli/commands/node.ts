// `gradmesh miner` and `gradmesh validator`: one long-running node each.
import type { Command } from 'commander';
import { Option } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connectSubtensor, connectDevChain, loadHotkey, type Chain } from '../../chain/index.js';
import { startNode, type Role } from '../../node/context.js';
import { runMiner } from '../../node/miner.js';
import { runValidator } from '../../node/validator.js';
import { createLogger } from '../../node/log.js';
import { loadRunSpec } from '../../node/run-spec.js';
import { loadNative } from '../../native/index.js';

interface NodeFlags {
  run: string;
  dataDir?: string;
  'wallet.name': string;
  'wallet.hotkey': string;
  'wallet.path'?: string;
  'subtensor.network'?: 'finney' | 'test' | 'local';
  'subtensor.chain_endpoint'?: string;
  devChain?: string;
  netuid?: string;
  listen: string[];
  announce?: string[];
  bootstrap: string[];
  threads?: string;
  logLevel?: string;
  dataset?: string;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addNodeOptions(cmd: Command): Command {
  return cmd
    .option('--run <name|file>', 'run spec: a name in config/runs/ or a JSON file', 'testnet-tiny')
    .option('--data-dir <dir>', 'where this node keeps its key, state and content store')
    .option('--wallet.name <name>', 'wallet name (btcli)', 'default')
    .option('--wallet.hotkey <hotkey>', 'hotkey name (btcli)', 'default')
    .option('--wallet.path <dir>', 'wallets directory (btcli)', join(homedir(), '.bittensor', 'wallets'))
    .addOption(new Option('--subtensor.network <network>', 'subtensor network').choices(['finney', 'test', 'local']))
    .option('--subtensor.chain_endpoint <url>', 'subtensor websocket endpoint (overrides --subtensor.network)')
    .option('--dev-chain <url>', 'use a gradmesh dev chain service instead of subtensor (testnets)')
    .option('--netuid <n>', 'subnet uid (default: the run spec\'s)')
    .option('--listen <multiaddr>', 'listen address (repeatable)', collect, [])
    .option('--announce <multiaddr>', 'address to announce to peers (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer with /p2p/<id> (repeatable)', collect, [])
    .option('--dataset <dir>', 'dataset directory (default: the run spec\'s; "default" = built-in corpus)')
    .option('--threads <n>', 'CPU threads for the engine')
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info');
}

async function connectChain(f: NodeFlags, netuid: number): Promise<Chain> {
  if (f.devChain) return connectDevChain(f.devChain, netuid);
  return connectSubtensor({
    netuid,
    ...(f['subtensor.chain_endpoint'] ? { endpoint: f['subtensor.chain_endpoint'] } : {}),
    network: f['subtensor.network'] ?? 'finney',
  });
}

async function runNode(role: Role, f: NodeFlags): Promise<void> {
  const log = createLogger({ name: role, ...(f.logLevel ? { level: f.logLevel } : {}) });
  const spec = loadRunSpec(f.run);
  const netuid = f.netuid !== undefined ? Number(f.netuid) : spec.netuid;
  const threads = f.threads !== undefined ? Number(f.threads) : undefined;
  if (threads !== undefined) loadNative().setThreads(threads);
  const hotkey = await loadHotkey({ name: f['wallet.name'], hotkey: f['wallet.hotkey'], ...(f['wallet.path'] ? { path: f['wallet.path'] } : {}) });
  let chain: Chain | undefined;
  const dataDir = f.dataDir ?? join(homedir(), '.gradmesh', spec.run, `${f['wallet.name']}-${f['wallet.hotkey']}`);
  const ctx = await startNode({
    role, run: f.run, dataDir, hotkey, log,
    chain: async () => (chain = await connectChain(f, netuid)),
    listen: f.listen.length ? f.listen : ['/ip4/0.0.0.0/tcp/0'],
    bootstrap: f.bootstrap,
    ...(f.announce ? { announce: f.announce } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(f.dataset ? { dataset: f.dataset } : {}),
  });
  log.info({ peerId: ctx.p2p.peerId, addrs: ctx.p2p.multiaddrs(), uid: ctx.uid, dataDir }, `${role} started`);
  let stopping = false;
  const shutdown = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'shutting down');
    // State is saved atomically after every window, so a shutdown that hangs
    // (a stuck peer stream) may be cut short without losing anything.
    setTimeout(() => {
      log.warn('shutdown took over 10 s: exiting now');
      process.exit(0);
    }, 10_000).unref();
    ctx.stop()
      .then(() => chain?.close())
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        log.error({ err: (e as Error).message }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (role === 'miner') await runMiner(ctx);
  else await runValidator(ctx);
}

export function registerNode(program: Command): void {
  addNodeOptions(program.command('miner').description('train and gossip compressed pseudo-gradients')).action((f: NodeFlags) => runNode('miner', f));
  addNodeOptions(program.command('validator').description('score miners, publish manifests and set weights')).action((f: NodeFlags) => runNode('validator', f));
}
