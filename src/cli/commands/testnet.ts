// `gradmesh testnet`: one command starts a whole local network.
import { isNodeAdversaryMode, NODE_ADVERSARY_MODES } from '../../node/adversary-wiring.js';
import type { Command } from 'commander';
import { join } from 'node:path';
import { Testnet } from '../../node/testnet.js';
import { isAdversaryMode, ADVERSARY_MODES } from '../../validate/index.js';

interface TestnetFlags {
  run: string;
  dir: string;
  miners: string;
  validators: string;
  port: string;
  windows: string;
  threads: string;
  keep?: boolean;
  adversary?: string[];
  /** false with --no-restart */
  restart: boolean;
}

export function registerTestnet(program: Command): void {
  program
    .command('testnet')
    .description('start a local network: a dev chain, validators and miners as separate processes')
    .option('--run <name|file>', 'run spec', 'testnet-tiny')
    .option('--dir <dir>', 'where the testnet keeps wallets, node state and logs', join('.gradmesh', 'testnet'))
    .option('--miners <n>', 'number of miners', '3')
    .option('--validators <n>', 'number of validators', '1')
    .option('--port <n>', 'first loopback port (dev chain; nodes use the following ones)', '9700')
    .option('--windows <n>', 'stop after this many evaluated windows (0 = until Ctrl-C)', '0')
    .option('--threads <n>', 'engine threads per node', '1')
    .option('--keep', 'keep the state of a previous testnet in --dir (default: start fresh)')
    .option('--adversary <mode>', 'add a misbehaving miner: free-rider, noise, nan, scale, copycat, stale, lazy, forge-manifest (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--no-restart', 'leave a node that dies (crash, SIGKILL) dead instead of restarting it with backoff')
    .action(async (f: TestnetFlags) => {
      for (const m of f.adversary ?? []) {
        if (!isAdversaryMode(m) && !isNodeAdversaryMode(m)) throw new Error(`--adversary ${m}: expected one of ${[...ADVERSARY_MODES, ...NODE_ADVERSARY_MODES].join(', ')}`);
      }
      const abort = new AbortController();
      const net = new Testnet({
        run: f.run, dir: f.dir, miners: Number(f.miners), validators: Number(f.validators), basePort: Number(f.port),
        threadsPerNode: Number(f.threads), fresh: !f.keep, restart: f.restart,
        ...(f.adversary ? { adversaries: f.adversary } : {}),
      });
      let stopping = false;
      const stop = async (code: number): Promise<never> => {
        if (!stopping) {
          stopping = true;
          console.log('stopping the testnet…');
          abort.abort();
          await net.stop();
          for (const l of net.summaryLines()) console.log(l);
        }
        process.exit(code);
      };
      process.on('SIGINT', () => void stop(0));
      process.on('SIGTERM', () => void stop(0));
      try {
        await net.start();
        const windows = Number(f.windows);
        await net.waitForEvaluatedWindows(windows > 0 ? windows : Number.POSITIVE_INFINITY, abort.signal);
      } catch (e) {
        console.error(`gradmesh testnet: ${(e as Error).message}`);
        await stop(1);
      }
      await stop(0);
    });
}
