// `gradmesh testnet add-miner`: join a miner of your own to the running testnet.
import type { Command } from 'commander';
import { addMinerToTestnet, superviseMiner } from '../../testnet/testnet-add-miner.js';
import { writeAddedNode, DEFAULT_TESTNET_DIR } from '../../testnet/testnet-info.js';
import { intArg, RANGES } from '../flags.js';

interface AddMinerFlags {
  dir: string;
  name?: string;
  threads: number;
  /** false with --no-start */
  start: boolean;
  force?: boolean;
  /** false with --no-restart */
  restart: boolean;
  'logging.debug'?: boolean;
  'logging.trace'?: boolean;
}

export function registerAddMiner(testnet: Command): void {
  testnet
    .command('add-miner')
    .description('join a miner of your own to the running testnet: a wallet, its hotkey registered on the dev chain, then `gradmesh miner`')
    .option('--dir <dir>', "the running testnet's --dir", DEFAULT_TESTNET_DIR)
    .option('--name <name>', 'wallet and node name (default: mine0, mine1, …)')
    .option('--threads <n>', 'engine threads', intArg('--threads', RANGES.threads), 1)
    .option('--no-start', 'only print the command that starts the miner (to run it yourself, under a debugger, with your changes)')
    .option('--force', "start the miner even if this machine is below the run's compute floor (it will be late)")
    .option('--no-restart', 'do not restart the miner when it exits (by default it is restarted with backoff, as the testnet restarts its own nodes)')
    .option('--logging.debug', 'the miner logs at debug level')
    .option('--logging.trace', 'the miner logs at trace level')
    .action(async (_local: AddMinerFlags, cmd: Command) => {
      // `testnet` has --dir, --threads and --logging.* too, and reads them wherever they
      // stand: the merged values hold them, whichever of the two took them in.
      const f = cmd.optsWithGlobals<AddMinerFlags>();
      const level = f['logging.trace'] ? 'trace' : f['logging.debug'] ? 'debug' : undefined;
      const m = await addMinerToTestnet({
        dir: f.dir, threads: f.threads, ...(f.force ? { force: true } : {}),
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(level ? { extraArgs: ['--log-level', level] } : {}),
      });
      // To stderr, so that the miner's own output (stdout) stays its log alone.
      const say = (l: string): void => void process.stderr.write(`${l}\n`);
      say(`registered ${m.name} as uid ${m.uid} (hotkey ${m.hotkey}) on the testnet in ${f.dir}; status API ${m.opsUrl}`);
      say(`start it with:\n  ${m.command}`);
      if (!f.start) return;
      // Supervised like the testnet's own nodes: restarted with backoff when it exits
      // unasked (not after a usage error or a compute-floor refusal, which a restart
      // cannot fix), stopped when the testnet stops, or on Ctrl-C / SIGTERM here.
      const stop = new AbortController();
      // Ctrl-C reaches the miner too (same process group); a SIGTERM to this process is passed on.
      process.on('SIGINT', () => stop.abort());
      process.on('SIGTERM', () => stop.abort());
      const r = await superviseMiner({
        command: process.execPath, args: [process.argv[1]!, ...m.args], testnetPid: m.testnetPid, signal: stop.signal,
        ...(f.restart ? {} : { maxQuickExits: 1, stableMs: Number.POSITIVE_INFINITY }),
        onEvent: (e) => {
          if (e.kind === 'start' && e.pid) writeAddedNode(f.dir, { name: m.name, role: 'miner', uid: m.uid, hotkey: m.hotkey, opsUrl: m.opsUrl, pid: e.pid });
          else if (e.kind === 'exit') say(`${m.name} exited (${e.signal ?? `code ${e.code}`}); restarting in ${((e.delayMs ?? 0) / 1000).toFixed(1)} s`);
          else if (e.kind === 'restart') say(`${m.name}: restart ${e.restart}`);
          else if (e.kind === 'not_restarted') say(`${m.name} exited with code ${e.code}: ${e.code === 78 ? "below the run's compute floor; not restarted (add --force to start it anyway)" : 'a usage error; not restarted'}`);
          else if (e.kind === 'give_up') say(`${m.name} keeps exiting (${e.signal ?? `code ${e.code}`}); not restarted any more`);
          else if (e.kind === 'testnet_gone') say(`the testnet in ${f.dir} stopped; stopping ${m.name}`);
        },
      });
      const code = r.reason === 'testnet_gone' || r.reason === 'stopped' ? 0 : r.code;
      process.exit(code);
    });
}
