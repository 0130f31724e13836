// `gradmesh testnet`: one command starts a whole local network.
import { isNodeAdversaryMode, NODE_ADVERSARY_MODES } from '../../node/adversary-wiring.js';
import type { Command } from 'commander';
import { Testnet } from '../../testnet/testnet.js';
import { DEFAULT_TESTNET_DIR } from '../../testnet/testnet-info.js';
import { isAdversaryMode, ADVERSARY_MODES } from '../../validate/index.js';
import { FlagError, intArg, RANGES } from '../flags.js';
import { registerAddMiner } from './testnet-add-miner.js';

interface TestnetFlags {
  run: string;
  dir: string;
  miners: number;
  validators: number;
  port: number;
  /** undefined: until Ctrl-C */
  windows?: number;
  threads: number;
  keep?: boolean;
  adversary?: string[];
  /** false with --no-restart */
  restart: boolean;
  /** keep the run spec's block time (default: windows sized to this machine) */
  fixedTiming?: boolean;
  'logging.debug'?: boolean;
  'logging.trace'?: boolean;
  'logging.logging_dir'?: string;
}

/**
 * The testnet's ports, from --port P: the dev chain P, node i listens on P+1+i, the
 * dashboard P+99, node i's status API P+100+i. So at most 98 nodes, and P+199 ≤ 65535.
 */
export const TESTNET_PORT_SPAN = 199;
const MAX_NODES = 98;
const LIMITS = {
  miners: { min: 0, max: 64 },
  validators: { min: 1, max: 16 },
  port: { min: 1, max: 65535 },
} as const;

/** Checks between flags, before anything runs (the ranges of single flags are commander's). */
export function checkTestnetFlags(f: Pick<TestnetFlags, 'port' | 'miners' | 'validators' | 'adversary'>): void {
  for (const m of f.adversary ?? []) {
    if (!isAdversaryMode(m) && !isNodeAdversaryMode(m)) {
      throw new FlagError('--adversary', m, `--adversary ${m}: expected one of ${[...ADVERSARY_MODES, ...NODE_ADVERSARY_MODES].join(', ')}`);
    }
  }
  if (f.port + TESTNET_PORT_SPAN > 65535) {
    throw new FlagError('--port', String(f.port), `--port ${f.port}: node ports would pass 65535 (the testnet uses --port to --port + ${TESTNET_PORT_SPAN}); use a --port of at most ${65535 - TESTNET_PORT_SPAN}`);
  }
  const nodes = f.miners + f.validators + (f.adversary?.length ?? 0);
  if (nodes > MAX_NODES) {
    throw new FlagError('--miners', String(f.miners), `--miners ${f.miners}, --validators ${f.validators} and ${f.adversary?.length ?? 0} --adversary: ${nodes} nodes, at most ${MAX_NODES} (ports --port + 1 to + ${MAX_NODES})`);
  }
}

export function registerTestnet(program: Command): void {
  const cmd = program
    .command('testnet')
    .description('start a local network: a dev chain, validators and miners as separate processes')
    .option('--run <name|file>', 'run spec', 'testnet-tiny')
    .option('--dir <dir>', 'where the testnet keeps wallets, node state, logs and testnet.json', DEFAULT_TESTNET_DIR)
    .option('--miners <n>', 'number of miners', intArg('--miners', LIMITS.miners), 3)
    .option('--validators <n>', 'number of validators', intArg('--validators', LIMITS.validators), 1)
    .option('--port <n>', `first loopback port (dev chain; nodes, dashboard and status APIs use the next ${TESTNET_PORT_SPAN})`, intArg('--port', LIMITS.port), 9700)
    .option('--windows <n>', 'stop after this many evaluated windows and print a summary (default: until Ctrl-C)', intArg('--windows', RANGES.positive))
    .option('--threads <n>', 'engine threads per node', intArg('--threads', RANGES.threads), 1)
    .option('--keep', 'keep the state of a previous testnet in --dir (default: start fresh)')
    .option('--adversary <mode>', 'add a misbehaving miner: free-rider, noise, nan, scale, copycat, stale, lazy, forge-manifest (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--fixed-timing', "keep the run spec's block time (default: measure the step time and lengthen the windows until they fit this machine)")
    .option('--no-restart', 'leave a node that dies (crash, SIGKILL) dead instead of restarting it with backoff')
    .option('--logging.debug', 'nodes log at debug level')
    .option('--logging.trace', 'nodes log at trace level')
    .option('--logging.logging_dir <dir>', "where the nodes' JSON logs go (default DIR/logs)")
    .addHelpText('after', `
With --windows N it stops by itself and prints a summary; the last line is JSON:
  {"windows":…,"theta_agree_windows":…,"eval_loss_start":…,"eval_loss_end":…,"payloads_per_window":…,"bytes_per_miner_per_window":…,"restarts":…}`)
    .action(async (f: TestnetFlags) => {
      checkTestnetFlags(f);
      const abort = new AbortController();
      const level = f['logging.trace'] ? 'trace' : f['logging.debug'] ? 'debug' : undefined;
      const net = new Testnet({
        run: f.run, dir: f.dir, miners: f.miners, validators: f.validators, basePort: f.port,
        threadsPerNode: f.threads, fresh: !f.keep, restart: f.restart,
        timing: f.fixedTiming ? 'fixed' : 'adaptive',
        ...(f.adversary ? { adversaries: f.adversary } : {}),
        ...(level ? { nodeArgs: ['--log-level', level] } : {}),
        ...(f['logging.logging_dir'] ? { logsDir: f['logging.logging_dir'] } : {}),
      });
      // One stop, whoever asks first (a signal, the end of --windows, an error); a
      // second caller waits for it. (The abort below ends the wait for windows, whose
      // caller then asked again and, finding a stop under way, exited at once: the
      // orchestrator left before its nodes had stopped and printed no summary.)
      let stopping: Promise<never> | undefined;
      const stop = (code: number): Promise<never> => {
        stopping ??= (async () => {
          console.log('stopping the testnet…');
          abort.abort();
          await net.stop();
          for (const l of net.summaryLines()) console.log(l);
          // Last line, for scripts: `gradmesh testnet --windows 20 | tail -1 | jq`.
          console.log(JSON.stringify(net.report()));
          process.exit(code);
        })();
        return stopping;
      };
      process.on('SIGINT', () => void stop(0));
      process.on('SIGTERM', () => void stop(0));
      try {
        await net.start();
        await net.waitForEvaluatedWindows(f.windows ?? Number.POSITIVE_INFINITY, abort.signal);
      } catch (e) {
        console.error(`gradmesh testnet: ${(e as Error).message}`);
        await stop(1);
      }
      await stop(0);
    });
  registerAddMiner(cmd);
}

