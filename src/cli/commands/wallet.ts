// `gradmesh wallet ...`: dev wallets for testnets, and a look at existing ones.
// Secrets are written to disk (0600) and never printed.
import { Command } from 'commander';
import { addWalletOptions, createDevWallet, loadColdkeyPub, loadHotkey, passwordFromEnv, walletFromFlags, type WalletFlags } from '../../chain/index.js';

export function registerWallet(program: Command): void {
  const wallet = program.command('wallet').description('Bittensor wallets (same files and flags as btcli)');

  addWalletOptions(
    wallet.command('create')
      .description('create a dev wallet: a coldkey (if the wallet has none) and a new hotkey')
      .option('--no-password', 'store the coldkey unencrypted (dev only)'),
  ).action(async (opts: WalletFlags & { password: boolean }) => {
    const w = walletFromFlags(opts);
    // the password comes from the environment (btcli's BT_COLD_PW_<NAME> or
    // GRADMESH_COLDKEY_PASSWORD); a dev wallet without one is stored unencrypted
    const password = opts.password ? passwordFromEnv(w.name) : undefined;
    const made = await createDevWallet({ ...w, password });
    console.log(`hotkey  ${made.hotkey}  ${made.hotkeyPath}`);
    console.log(`coldkey ${made.coldkey}  ${made.coldkeyPath}${made.coldkeyEncrypted ? ' (encrypted)' : ''}`);
    if (!made.coldkeyEncrypted) {
      console.error('note: the coldkey is stored unencrypted (set BT_COLD_PW_<NAME> to encrypt it); use this wallet for dev and test networks only');
    }
  });

  addWalletOptions(wallet.command('show').description('print the addresses of a wallet (no secrets)')).action(async (opts: WalletFlags) => {
    const w = walletFromFlags(opts);
    const hot = await loadHotkey(w);
    console.log(`hotkey  ${hot.ss58}  ${hot.path}`);
    console.log(`coldkey ${loadColdkeyPub(w)}`);
  });
}
