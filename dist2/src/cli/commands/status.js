import { numberArg } from '../flags.js';
import { fetchStatus, fetchNodeEntries, DEFAULT_OPS_URL } from '../../ops/status-client.js';
import { formatStatus, formatTestnetStatus } from '../../ops/format-status.js';
import { DEFAULT_TESTNET_DIR, allTestnetNodes, findRunningTestnet } from '../../testnet/testnet-info.js';
export function registerStatus(program) {
    program
        .command('status')
        .description("summarise a running node (reads its local API; see the node's --ops.port), or every node of a running testnet")
        .option('--url <url>', `the node's ops API (default: $GRADMESH_OPS_URL; else the testnet in --dir if one runs; else ${DEFAULT_OPS_URL})`)
        .option('--dir <dir>', 'the testnet directory to look in when no --url is given', DEFAULT_TESTNET_DIR)
        .option('--json', 'print the raw status JSON')
        .option('--watch <seconds>', 'refresh every N seconds until Ctrl-C', numberArg('--watch', { min: 0, exclusiveMin: true }))
        .action(async (f) => {
        const url = f.url ?? process.env.GRADMESH_OPS_URL;
        const show = async () => {
            let text;
            // Re-read each time: the testnet may have stopped, or a miner joined.
            const testnet = url === undefined ? findRunningTestnet(f.dir) : undefined;
            if (testnet) {
                const known = allTestnetNodes(f.dir, testnet);
                const nodes = await fetchNodeEntries(known.map((n) => ({ name: n.name, url: n.opsUrl })), { timeoutMs: 3000 });
                text = f.json ? JSON.stringify({ testnet, nodes }, null, 2) : formatTestnetStatus(f.dir, testnet, nodes, known);
            }
            else {
                const s = await fetchStatus(url ?? DEFAULT_OPS_URL).catch((e) => {
                    if (url !== undefined)
                        throw e;
                    // Nothing was named: say where else it looked.
                    throw new Error(`${e.message} (and no testnet runs in ${f.dir}: give --url URL, or --dir of a running testnet)`);
                });
                text = f.json ? JSON.stringify(s, null, 2) : formatStatus(s);
            }
            if (f.watch)
                process.stdout.write('\x1b[2J\x1b[H');
            console.log(text);
        };
        await show();
        if (!f.watch)
            return;
        const every = f.watch;
        for (;;) {
            await new Promise((r) => setTimeout(r, every * 1000));
            await show().catch((e) => console.error(`gradmesh status: ${e.message}`));
        }
    });
}
//# sourceMappingURL=status.js.map