// `gradmesh status`: a one-screen summary of a running node, read from its local API.
import type { Command } from 'commander';
import { numberArg } from '../flags.js';
import { fetchStatus, DEFAULT_OPS_URL } from '../../ops/status-client.js';
import { formatStatus } from '../../ops/format-status.js';

interface StatusFlags {
  url: string;
  json?: boolean;
  watch?: number;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("summarise a running node (reads its local API; see the node's --ops-port)")
    .option('--url <url>', 'the node\'s ops API', process.env.GRADMESH_OPS_URL ?? DEFAULT_OPS_URL)
    .option('--json', 'print the raw status JSON')
    .option('--watch <seconds>', 'refresh every N seconds until Ctrl-C', numberArg('--watch', { min: 0, exclusiveMin: true }))
    .action(async (f: StatusFlags) => {
      const show = async (): Promise<void> => {
        const s = await fetchStatus(f.url);
        const text = f.json ? JSON.stringify(s, null, 2) : formatStatus(s);
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
