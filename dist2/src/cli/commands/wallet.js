// `gradmesh wallet ...`: create and regenerate wallets the way btcli does, and look
// at existing ones. The only secret ever printed is the mnemonic of a key this command
// has just made: it is the key's one backup, shown once (as btcli shows it).
import { Argument, Option } from 'commander';
import { addWalletOptions, loadColdkeyPub, loadHotkey, walletFromFlags } from '../../chain/index.js';
import { MNEMONIC_WORDS, chooseColdkeyPassword, createWallet, promptHidden, regenColdkey, regenHotkey, walletNeedsColdkey, } from '../../chain/wallet.js';
import { ChainError } from '../../chain/errors.js';
/** The text that shows a new key's mnemonic, with btcli's warning. */
export function mnemonicNotice(key, mnemonic, regen) {
    return [
        '',
        `IMPORTANT: write down the mnemonic of the new ${key} and keep it offline and private. It is shown`,
        'only this once. Anyone who has it controls the key; without it a lost or forgotten key cannot be recovered.',
        `The mnemonic of the new ${key} is:`,
        '',
        `    ${mnemonic}`,
        '',
        `To recreate the key from it: ${regen}`,
        '',
    ].join('\n');
}
function addPasswordOptions(cmd) {
    return cmd
        .option('--no-password', 'store the coldkey unencrypted (dev and test networks only; warns)')
        .addOption(new Option('--password-env <var>', 'read the coldkey password from this environment variable (no terminal needed)'));
}
/** The coldkey's password decision, asked on the terminal when there is one. */
function coldkeyPassword(o) {
    return chooseColdkeyPassword({
        noPassword: o.password === false,
        passwordEnv: o.passwordEnv,
        isTTY: !!process.stdin.isTTY,
        prompt: promptHidden,
    });
}
function walletArgs(w, withHotkey) {
    return `--wallet.name ${w.name}${withHotkey ? ` --wallet.hotkey ${w.hotkey}` : ''}${w.path && w.path !== '~/.bittensor/wallets' ? ` --wallet.path ${w.path}` : ''}`;
}
export function registerWallet(program) {
    const wallet = program.command('wallet').description('Bittensor wallets (same files and flags as btcli)');
    addPasswordOptions(addWalletOptions(wallet.command('create')
        .description('create a wallet as btcli does: a coldkey (if the wallet has none, encrypted) and a new hotkey; shows their mnemonics once')
        .addOption(new Option('--n-words <n>', 'words in each new mnemonic').choices(MNEMONIC_WORDS.map(String)).default('12')))).action(async (opts) => {
        const w = walletFromFlags(opts);
        // Ask for a password only when a coldkey is to be made: adding a hotkey to an
        // existing wallet needs none (btcli's new_hotkey).
        const password = walletNeedsColdkey(w) ? await coldkeyPassword(opts) : null;
        if (password !== null)
            process.stderr.write('encrypting the coldkey (argon2i over 512 MiB: this takes a while)…\n');
        const made = await createWallet({ ...w, password, words: Number(opts.nWords) });
        if (made.coldkeyMnemonic) {
            console.log(mnemonicNotice('coldkey', made.coldkeyMnemonic, `gradmesh wallet regen coldkey ${walletArgs(w, false)} (or btcli wallet regen-coldkey)`));
        }
        console.log(mnemonicNotice('hotkey', made.hotkeyMnemonic, `gradmesh wallet regen hotkey ${walletArgs(w, true)} (or btcli wallet regen-hotkey)`));
        console.log(`hotkey  ${made.hotkey}  ${made.hotkeyPath}`);
        console.log(`coldkey ${made.coldkey}  ${made.coldkeyPath}${made.coldkeyMnemonic ? (made.coldkeyEncrypted ? ' (new, encrypted)' : ' (new, UNENCRYPTED)') : ' (existing)'}`);
    });
    addPasswordOptions(addWalletOptions(wallet.command('regen')
        .description("recreate a coldkey (with coldkeypub.txt) or a hotkey from its mnemonic or seed (btcli's regen-coldkey / regen-hotkey)")
        .addArgument(new Argument('<key>', 'which key').choices(['coldkey', 'hotkey']))
        .addOption(new Option('--mnemonic <words>', 'the BIP-39 mnemonic, quoted (asked on the terminal when neither this nor --seed is given, which keeps it out of the shell history)'))
        .addOption(new Option('--seed <hex>', 'the 32-byte seed in hex (secretSeed) instead of a mnemonic').conflicts('mnemonic'))
        .option('--overwrite', 'replace an existing key file (the old key is lost unless you hold its mnemonic)'))).action(async (key, opts) => {
        const w = walletFromFlags(opts);
        let source;
        if (opts.seed !== undefined)
            source = { seed: opts.seed };
        else if (opts.mnemonic !== undefined)
            source = { mnemonic: opts.mnemonic };
        else if (process.stdin.isTTY)
            source = { mnemonic: await promptHidden(`Mnemonic of the ${key}: `) };
        else
            throw new ChainError('wallet_invalid', 'give the key as --mnemonic "word word …" or --seed 0x… (there is no terminal to ask for it)');
        if (key === 'hotkey') {
            const r = await regenHotkey({ ...w, source, overwrite: opts.overwrite });
            console.log(`hotkey  ${r.ss58}  ${r.path}`);
            return;
        }
        const r = await regenColdkey({
            ...w, source, overwrite: opts.overwrite,
            password: async () => {
                const pw = await coldkeyPassword(opts);
                if (pw !== null)
                    process.stderr.write('encrypting the coldkey (argon2i over 512 MiB: this takes a while)…\n');
                return pw;
            },
        });
        console.log(`coldkey ${r.ss58}  ${r.path}${r.encrypted ? ' (encrypted)' : ' (UNENCRYPTED)'}`);
    });
    addWalletOptions(wallet.command('show').description('print the addresses of a wallet (no secrets)')).action(async (opts) => {
        const w = walletFromFlags(opts);
        const hot = await loadHotkey(w);
        console.log(`hotkey  ${hot.ss58}  ${hot.path}`);
        console.log(`coldkey ${loadColdkeyPub(w)}`);
    });
}
//# sourceMappingURL=wallet.js.map