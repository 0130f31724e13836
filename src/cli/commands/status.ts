// `gradmesh status`: a one-screen summary of a running node, read from its local API —
// or, with no --url, of every node of the testnet running in --dir (found through the
// DIR/testnet.json it publishes), else of the node at the default address.
import type { Command } from 'commander';
import { numberArg } from '../flags.js';
import { fetchStatus, fetchNodeEntries, DEFAULT_OPS_URL } from '../../ops/status-client.js';
import { formatStatus, formatTestnetStatus } from '../../ops/format-status.js';
import { DEFAULT_TESTNET_DIR, allTestnetNodes, findRunningTestnet } from '../../testnet/testnet-info.js';

interface StatusFlags {
  url?: string;
  dir: string;
  json?: boolean;
  watch?: number;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("summarise a running node (reads its local API; see the node's --ops.port), or every node of a running testnet")
    .option('--url <url>', `the node's ops API (default: $GRADMESH_OPS_URL; else the testnet in --dir if one runs; else ${DEFAULT_OPS_URL})`)
    .option('--dir <dir>', 'the testnet directory to look in when no --url is given', DEFAULT_TESTNET_DIR)
    .option('--json', 'print the raw status JSON')
    .option('--watch <seconds>', 'refresh every N seconds until Ctrl-C', numberArg('--watch', { min: 0, exclusiveMin: true }))
    .action(async (f: StatusFlags) => {
      const url = f.url ?? process.env.GRADMESH_OPS_URL;
      const show = async (): Promise<void> => {
        let text: string;
        // Re-read each time: the testnet may have stopped, or a miner joined.
        const testnet = url === undefined ? findRunningTestnet(f.dir) : undefined;
        if (testnet) {
          const known = allTestnetNodes(f.dir, testnet);
          const nodes = await fetchNodeEntries(known.map((n) => ({ name: n.name, url: n.opsUrl })), { timeoutMs: 3000 });
          text = f.json ? JSON.stringify({ testnet, nodes }, null, 2) : formatTestnetStatus(f.dir, testnet, nodes, known);
        } else {
          const s = await fetchStatus(url ?? DEFAULT_OPS_URL).catch((e: unknown) => {
            if (url !== undefined) throw e;
            // Nothing was named: say where else it looked.
            throw new Error(`${(e as Error).message} (and no testnet runs in ${f.dir}: give --url URL, or --dir of a running testnet)`);
          });
          text = f.json ? JSON.stringify(s, null, 2) : formatStatus(s);
        }
        if (f.watch) process.stdout.write('\x1b[2J\x1b[H');
        console.log(text);
      };
      await show();
      if (!f.watch) return;
      const every = f.watch;
      for (;;) {
        await new Promise((r) => setTimeout(r, every * 1000));
        await show().catch((e: unknown) => console.error(`gradmesh status: ${(e as Error).message}`));
      }
    });
}
