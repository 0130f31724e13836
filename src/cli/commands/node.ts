// `gradmesh miner` and `gradmesh validator`: one long-running node each.
// Settings come from flags > GRADMESH_* variables > --config file > the role's
// profile in config/profiles/ (src/ops/config).
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { FlagError, intArg, numberArg, RANGES } from '../flags.js';
import { planTrainingDevices, checkDeviceSyntax, describeTrainingDevices, GpuSelectionError, type TrainingDevices } from '../../node/gpus.js';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { connectSubtensor, connectDevChain, loadHotkey, type Chain } from '../../chain/index.js';
import { startNode, type Role } from '../../node/context.js';
import { runMiner } from '../../node/miner.js';
import { runValidator } from '../../node/validator.js';
import { createLogger, type Logger } from '../../node/log.js';
import { loadRunSpec } from '../../node/run-spec.js';
import { loadNative, selectNativeBackend } from '../../native/index.js';
import { resolveNodeConfig, explicitFlags, startNodeOps, type NodeConfig } from '../../ops/index.js';
import { Gauntlet } from '../../validate/index.js';
import { adversaryMinerHooks } from '../../node/adversary-wiring.js';
import { SUBTENSOR_BLOCK_MS } from '../../node/compute-floor.js';
import { ChainHistory, watchPay } from '../../node/chain-history.js';
import { WeightsRecorder } from '../../node/weights-recorder.js';
import type { NatOptions } from '../../p2p/index.js';

/** --device's parser: the form only (cuda:LIST is checked against the GPUs present at start). */
function deviceArg(value: string): string {
  try {
    return checkDeviceSyntax(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--device: /, ''));
  }
}

/**
 * What the node trains on, from --device / --gpus / --ranks (or their GRADMESH_* and
 * config-file forms), checked against the GPUs present; a refusal is a usage error
 * naming the flag (exit 2).
 */
export function nodeTrainingDevices(role: Role, c: Pick<NodeConfig, 'device' | 'gpus' | 'ranks'>): TrainingDevices {
  const probe = () => {
    const choice = selectNativeBackend({ prefer: 'cuda', log: () => undefined });
    return choice.backend === 'cuda' ? { count: choice.device.count, reason: choice.reason } : { count: 0, reason: choice.reason };
  };
  try {
    return planTrainingDevices(role, { ...(c.device !== undefined ? { device: c.device } : {}), ...(c.gpus !== undefined ? { gpus: c.gpus } : {}), ...(c.ranks !== undefined ? { ranks: c.ranks } : {}) }, probe);
  } catch (e) {
    if (!(e instanceof GpuSelectionError)) throw e;
    const flag = /^(--[a-z]+)/.exec(e.message)?.[1] ?? '--device';
    throw new FlagError(flag, String(flag === '--gpus' ? c.gpus : flag === '--ranks' ? c.ranks : c.device), e.message);
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

// The numeric flags are checked as they are read (so an error names the flag); the
// same settings from GRADMESH_* variables or a config file are checked by the
// config schema.
export function addNodeOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config file (flags and GRADMESH_* variables override it)')
    .option('--run <name|file>', 'run spec: a name in config/runs/ or a JSON file')
    .option('--data-dir <dir>', 'where this node keeps its key, state and content store')
    .option('--wallet.name <name>', 'wallet name (btcli)')
    .option('--wallet.hotkey <hotkey>', 'hotkey name (btcli)')
    .option('--wallet.path <dir>', 'wallets directory (btcli)')
    .addOption(new Option('--subtensor.network <network>', 'subtensor network').choices(['finney', 'test', 'local']))
    .option('--subtensor.chain_endpoint <url>', 'subtensor websocket endpoint (overrides --subtensor.network)')
    .option('--dev-chain <url>', 'use a gradmesh dev chain service instead of subtensor (testnets)')
    .option('--netuid <n>', "subnet uid (default: the run spec's)", intArg('--netuid', RANGES.netuid))
    .option('--listen <multiaddr>', 'listen address (repeatable)', collect)
    .option('--announce <multiaddr>', 'address to announce to peers (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'bootstrap peer with /p2p/<id> (repeatable)', collect)
    .addOption(new Option('--reachability <mode>', 'behind a NAT? auto (AutoNAT decides; holds a relay reservation until public), public, private (reachable through a relay)').choices(['auto', 'public', 'private']))
    .option('--relay.serve <bool>', 'serve as a circuit relay for peers behind NATs (validators: true)')
    .option('--relay.max_reservations <n>', 'relay: peers holding a reservation at once', intArg('--relay.max_reservations', { min: 1, max: 100_000 }))
    .option('--relay.data_limit_mib <MiB>', 'relay: bytes per relayed connection, 0 = no limit (a limit stops gossip over it)', numberArg('--relay.data_limit_mib', { min: 0 }))
    .option('--relay.duration_limit_s <s>', 'relay: lifetime of a relayed connection, 0 = no limit', numberArg('--relay.duration_limit_s', { min: 0 }))
    .option('--dataset <dir>', 'dataset directory (default: the run spec\'s; "default" = built-in corpus)')
    .option('--threads <n>', 'CPU threads for the engine', intArg('--threads', RANGES.threads))
    .option('--device <device>', 'engine backend: cpu, cuda, auto (CUDA when it loads and sees a GPU), or GPUs by index: cuda:N, cuda:0,1,2,3', deviceArg)
    .option('--gpus <n>', 'train on the first N GPUs (as --device cuda:0,…,N-1)', intArg('--gpus', { min: 1, max: 64 }))
    .option('--ranks <n>', 'miners: data-parallel ranks on the CPU (--device cpu), sharded optimiser states (docs/cuda.md)', intArg('--ranks', { min: 1, max: 64 }))
    .option('--log-level <level>', 'trace, debug, info, warn, error')
    .option('--logging.debug', 'log at debug level (as the Bittensor CLIs)')
    .option('--logging.trace', 'log at trace level')
    .option('--logging.logging_dir <dir>', 'also write the JSON log to a file in DIR (ROLE-WALLET-HOTKEY.log)')
    .option('--ops.enabled <bool>', 'serve the local status API, /metrics and the dashboard')
    .option('--ops.port <n>', 'port of the local API (0 = any free port)', intArg('--ops.port', RANGES.portOrAny))
    .option('--ops.host <host>', 'address the local API binds to')
    .option('--force', 'miners: start even when the measured step time cannot finish a window\'s inner steps in time (the compute floor)')
    .addOption(new Option('--adversary <mode>', 'miners only, for testnets: misbehave (docs/adversarial.md)').hideHelp());
}

/** Reachability and relay serving from the settings (docs/p2p.md, NAT). */
export function natOptions(c: NodeConfig): NatOptions {
  const r = c.relay;
  return {
    reachability: c.reachability,
    ...(r.serve
      ? { relay: { maxReservations: r.max_reservations, dataLimitBytes: Math.round(r.data_limit_mib * 1024 * 1024), durationLimitMs: Math.round(r.duration_limit_s * 1000) } }
      : {}),
  };
}

/** The node's log level and file, from --log-level and Bittensor's --logging.* flags (trace wins, then debug). */
export function nodeLogSettings(c: NodeConfig, role: Role): { level: string; loggingDir?: string; fileName?: string } {
  const level = c.logging?.trace ? 'trace' : c.logging?.debug ? 'debug' : c.logLevel;
  const dir = c.logging?.logging_dir;
  return dir ? { level, loggingDir: dir, fileName: `${role}-${c.wallet.name}-${c.wallet.hotkey}.log` } : { level };
}

async function connectChain(c: NodeConfig, netuid: number, log: Logger): Promise<Chain> {
  // A dev chain that does not answer yet is waited for (15 s, as subtensor), each retry logged.
  if (c.devChain) return connectDevChain(c.devChain, netuid, { log, connectTimeoutMs: 15_000 });
  return connectSubtensor({
    netuid,
    log,
    network: c.subtensor.network,
    ...(c.subtensor.chain_endpoint ? { endpoint: c.subtensor.chain_endpoint } : {}),
  });
}

async function runNode(role: Role, cmd: Command): Promise<void> {
  const { adversary, force, ...flags } = explicitFlags(cmd) as Record<string, unknown> & { adversary?: string; force?: boolean };
  const c = resolveNodeConfig({ role, flags });
  const devices = nodeTrainingDevices(role, c);
  const log = createLogger({ name: role, ...nodeLogSettings(c, role) });
  log.info({ event: 'devices', backend: devices.backend, ranks: devices.ranks, gpus: devices.devices }, describeTrainingDevices(devices));
  const spec = loadRunSpec(c.run);
  const netuid = c.netuid ?? spec.netuid;
  if (c.threads !== undefined) loadNative().setThreads(c.threads);
  const hotkey = await loadHotkey({ name: c.wallet.name, hotkey: c.wallet.hotkey, path: c.wallet.path });
  let chain: Chain | undefined;
  const dataDir = c.dataDir ?? join(homedir(), '.gradmesh', spec.run, `${c.wallet.name}-${c.wallet.hotkey}`);
  const ctx = await startNode({
    role, run: c.run, dataDir, hotkey, log,
    chain: async () => (chain = await connectChain(c, netuid, log)),
    listen: c.listen,
    bootstrap: c.bootstrap,
    ...(c.announce.length ? { announce: c.announce } : {}),
    nat: natOptions(c),
    ...(c.threads !== undefined ? { threads: c.threads } : {}),
    device: devices.backend,
    ...(devices.backend === 'cuda' ? { cudaDevice: devices.devices[0]! } : {}),
    ...(devices.ranks > 1 ? { ranks: devices.ranks } : {}),
    ...(c.dataset ? { dataset: c.dataset } : {}),
    // The compute floor is judged on the chain's block time: the dev chain's is the run spec's.
    computeFloor: { blockMs: c.devChain ? spec.timing.devBlockMs : SUBTENSOR_BLOCK_MS, force: force === true },
  });
  let weightsBlock: number | undefined;
  const gauntlet = role === 'validator'
    ? new Gauntlet({
        engine: ctx.engine, runHash: ctx.runHash, spec: ctx.spec, trainSet: ctx.trainSet,
        theta: () => ctx.replica.theta, thetaHash: () => ctx.replica.thetaHash,
        heard: (w) => ctx.announcements.forWindow(w),
        exclusive: (fn) => ctx.replica.lock.run(fn),
        statePath: join(dataDir, 'gauntlet.json'), log: ctx.log,
      })
    : undefined;
  // Is this node paid: the chain's figures for its uid each window, and (validators)
  // every set_weights it made, kept in its directory (docs/operators.md). Two tries per
  // window: the validator's window loop waits for them, and a chain that refuses twice
  // is tried again next window rather than holding the loop through its timeouts.
  const payHistory = new ChainHistory(join(dataDir, 'chain-history.json'));
  const stopPayWatch = watchPay({ chain: ctx.chain, uid: ctx.uid, history: payHistory, driver: ctx.driver, log });
  const weightsRecorder = gauntlet
    ? new WeightsRecorder({ path: join(dataDir, 'weights-history.json'), log, tries: 2, backoffMs: 2000, now: () => ({ window: ctx.driver.window, block: ctx.driver.block }) })
    : undefined;
  const pay = () => ({ history: payHistory.entries(), ...(weightsRecorder ? { weightsSet: weightsRecorder.entries() } : {}) });
  const ops = c.ops.enabled
    ? await startNodeOps(ctx, {
        port: c.ops.port, host: c.ops.host,
        ...(!gauntlet ? { extras: { pay } } : {}),
        ...(gauntlet
          ? {
              extras: {
                pay,
                scores: () => {
                  const weights = new Map(gauntlet.weights().map((x) => [x.uid, x.weight]));
                  return gauntlet.finalScores().map((s) => ({ ...s, weight: weights.get(s.uid) ?? 0 }));
                },
                weightsSetAtBlock: () => weightsBlock,
              },
            }
          : {}),
      })
    : undefined;
  log.info({ peerId: ctx.p2p.peerId, addrs: ctx.p2p.multiaddrs(), uid: ctx.uid, dataDir, ops: ops?.url }, `${role} started`);
  let stopping = false;
  const shutdown = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'shutting down');
    stopPayWatch();
    // State is saved atomically after every window, so a shutdown that hangs
    // (a stuck peer stream) may be cut short without losing anything.
    setTimeout(() => {
      log.warn('shutdown took over 10 s: exiting now');
      process.exit(0);
    }, 10_000).unref();
    // The chain goes last and cannot make a shutdown unclean: a connection the other
    // side already closed (a testnet's dev chain stopping, a subtensor node gone) is
    // closed, which is all this step is for.
    const closeChain = async (): Promise<void> => {
      try {
        await chain?.close();
      } catch (e) {
        log.debug({ err: (e as Error).message }, 'chain connection was already closed');
      }
    };
    Promise.resolve(ops?.close())
      .then(() => ctx.stop())
      .then(closeChain)
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((e: unknown) => {
        log.error({ err: (e as Error).message }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (role === 'miner') {
    if (adversary) log.warn({ mode: adversary }, 'ADVERSARIAL MODE: this miner misbehaves on purpose (testnets only)');
    await runMiner(ctx, adversary ? adversaryMinerHooks(ctx, adversary) : {});
  } else {
    const g = gauntlet!;
    await runValidator(ctx, {
      choose: (w, v) => g.choose(w, v),
      afterWindow: async (w, v) => {
        await g.afterWindow(w, v);
        // A set_weights that fails after the recorder's retries is not fatal: the
        // Gauntlet did not count it as set, so the next window tries again.
        try {
          if (await g.maybeSetWeights(w, weightsRecorder!.wrap(ctx.chain), ctx.hotkey)) weightsBlock = ctx.driver.block;
        } catch (e) {
          log.warn({ event: 'weights_not_set', window: w, err: (e as Error).message }, 'weights not set this window; trying again next window');
        }
      },
    });
  }
}

export function registerNode(program: Command): void {
  addNodeOptions(program.command('miner').description('train and gossip compressed pseudo-gradients')).action((_f: unknown, cmd: Command) => runNode('miner', cmd));
  addNodeOptions(program.command('validator').description('score miners, publish manifests and set weights')).action((_f: unknown, cmd: Command) => runNode('validator', cmd));
}
