// The btcli flag spellings, added to any commander Command, and the objects they build.
import { Option } from 'commander';
import { connectSubtensor } from './subtensor.js';
import { connectDevChain } from './dev-chain-server.js';
import { loadHotkey } from './wallet.js';
/** --wallet.name, --wallet.hotkey, --wallet.path (defaults as in btcli) */
export function addWalletOptions(cmd) {
    return cmd
        .addOption(new Option('--wallet.name <name>', 'wallet name (folder under --wallet.path)').default('default'))
        .addOption(new Option('--wallet.hotkey <hotkey>', 'hotkey name (file under NAME/hotkeys/)').default('default'))
        .addOption(new Option('--wallet.path <path>', 'wallets folder').default('~/.bittensor/wallets'));
}
/** --subtensor.network, --subtensor.chain_endpoint, --netuid, and --devchain URL */
export function addSubtensorOptions(cmd) {
    return cmd
        .addOption(new Option('--subtensor.network <network>', 'subtensor network').choices(['finney', 'test', 'local']).default('finney'))
        .addOption(new Option('--subtensor.chain_endpoint <url>', 'subtensor WebSocket endpoint (overrides --subtensor.network)'))
        .addOption(new Option('--netuid <n>', 'subnet id'))
        .addOption(new Option('--devchain <url>', 'use a gradmesh dev chain at this URL instead of subtensor'));
}
export function walletFromFlags(o) {
    return { name: o['wallet.name'] ?? 'default', hotkey: o['wallet.hotkey'] ?? 'default', path: o['wallet.path'] };
}
export function hotkeyFromFlags(o) {
    return loadHotkey(walletFromFlags(o));
}
export function chainFromFlags(o, defaultNetuid) {
    const netuid = o.netuid !== undefined ? Number(o.netuid) : defaultNetuid;
    if (o.devchain)
        return connectDevChain(o.devchain, netuid);
    if (netuid === undefined || !Number.isInteger(netuid))
        throw new Error('--netuid is required (the subnet id, e.g. --netuid 3)');
    return connectSubtensor({ network: o['subtensor.network'], endpoint: o['subtensor.chain_endpoint'], netuid });
}
//# sourceMappingURL=cli-options.js.map