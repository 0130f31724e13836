// `gradmesh testnet add-miner`: join a miner of your own to the running testnet.
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { addMinerToTestnet } from '../../node/testnet-add-miner.js';
import { writeAddedNode, DEFAULT_TESTNET_DIR } from '../../node/testnet-info.js';
import { intArg, RANGES } from '../flags.js';

interface AddMinerFlags {
  dir: string;
  name?: string;
  threads: number;
  /** false with --no-start */
  start: boolean;
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
    .option('--logging.debug', 'the miner logs at debug level')
    .option('--logging.trace', 'the miner logs at trace level')
    .action(async (_local: AddMinerFlags, cmd: Command) => {
      // `testnet` has --dir, --threads and --logging.* too, and reads them wherever they
      // stand: the merged values hold them, whichever of the two took them in.
      const f = cmd.optsWithGlobals<AddMinerFlags>();
      const level = f['logging.trace'] ? 'trace' : f['logging.debug'] ? 'debug' : undefined;
      const m = await addMinerToTestnet({
        dir: f.dir, threads: f.threads,
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(level ? { extraArgs: ['--log-level', level] } : {}),
      });
      // To stderr, so that the miner's own output (stdout) stays its log alone.
      const say = (l: string): void => void process.stderr.write(`${l}\n`);
      say(`registered ${m.name} as uid ${m.uid} (hotkey ${m.hotkey}) on the testnet in ${f.dir}; status API ${m.opsUrl}`);
      say(`start it with:\n  ${m.command}`);
      if (!f.start) return;
      const child = spawn(process.execPath, [process.argv[1]!, ...m.args], { stdio: 'inherit' });
      writeAddedNode(f.dir, { name: m.name, role: 'miner', uid: m.uid, hotkey: m.hotkey, opsUrl: m.opsUrl, ...(child.pid ? { pid: child.pid } : {}) });
      // Ctrl-C reaches the miner too (same process group); a SIGTERM to this process is passed on.
      process.on('SIGINT', () => undefined);
      process.on('SIGTERM', () => child.kill('SIGTERM'));
      const code = await new Promise<number>((r) => child.on('exit', (c, sig) => r(c ?? (sig ? 128 : 1))));
      process.exit(code);
    });
}
