// Bittensor wallets, exactly where and how btcli keeps them:
//   <path>/<name>/hotkeys/<hotkey>   JSON keyfile (usually unencrypted)
//   <path>/<name>/coldkey            keyfile, normally "$NACL"-encrypted
//   <path>/<name>/coldkeypub.txt     JSON with the public half only
// with <path> = ~/.bittensor/wallets by default. A keyfile's JSON holds accountId,
// publicKey, privateKey, secretPhrase, secretSeed and ss58Address (hex with 0x).
// Secrets leave this module only inside a KeyringPair, and as the mnemonic of a key
// just created (createWallet), which the CLI shows once because it is the only backup.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex, hexToU8a } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate, mnemonicToMiniSecret, mnemonicValidate, decodeAddress } from '@polkadot/util-crypto';
import { ChainError } from './errors.js';
import { decryptKeyfileData, encryptKeyfileData, keyfileEncoding } from './keyfile-crypto.js';
export const SS58_FORMAT = 42; // Bittensor uses the generic Substrate prefix
export function defaultWalletPath() {
    return process.env.BT_WALLET_PATH ?? join(homedir(), '.bittensor', 'wallets');
}
export function expandHome(p) {
    return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}
export function walletPaths(w) {
    const dir = resolve(expandHome(w.path ?? defaultWalletPath()), w.name);
    return { dir, hotkey: join(dir, 'hotkeys', w.hotkey ?? 'default'), coldkey: join(dir, 'coldkey'), coldkeypub: join(dir, 'coldkeypub.txt') };
}
const warnToStderr = (m) => process.stderr.write(`gradmesh: warning: ${m}\n`);
/**
 * Refuses a secret key file that anyone on the machine can read, and warns when the
 * group can. Returns the bytes.
 */
function readSecretFile(path, what, howToCreate, warn) {
    if (!existsSync(path)) {
        throw new ChainError('wallet_missing', `${what} not found at ${path}; ${howToCreate}`);
    }
    const mode = statSync(path).mode & 0o777;
    if (process.platform !== 'win32') {
        if (mode & 0o004) {
            throw new ChainError('wallet_insecure', `${what} ${path} is readable by every user (mode ${mode.toString(8)}); run "chmod 600 ${path}" and retry`);
        }
        if (mode & 0o040)
            warn(`${what} ${path} is readable by its group (mode ${mode.toString(8)}); consider "chmod 600 ${path}"`);
    }
    return readFileSync(path);
}
function parseKeyfileJson(bytes, path) {
    try {
        const v = JSON.parse(Buffer.from(bytes).toString('utf8'));
        if (v && typeof v === 'object')
            return v;
    }
    catch {
        /* fall through */
    }
    throw new ChainError('wallet_invalid', `${path} is not a Bittensor keyfile (expected JSON with secretSeed/secretPhrase and ss58Address); regenerate it with "btcli wallet regen-hotkey" or "gradmesh wallet create"`);
}
function pairFromKeyfile(json, path) {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
    let pair;
    if (json.secretSeed)
        pair = keyring.addFromSeed(hexToU8a(json.secretSeed));
    else if (json.secretPhrase)
        pair = keyring.addFromUri(json.secretPhrase);
    else
        throw new ChainError('wallet_invalid', `${path} holds no secretSeed or secretPhrase, so it cannot sign; regenerate it with "btcli wallet regen-hotkey"`);
    if (json.ss58Address && json.ss58Address !== pair.address) {
        // the file's own address disagrees with its secret: corrupted or hand-edited
        throw new ChainError('wallet_invalid', `${path}: the secret derives ${pair.address} but the file says ${json.ss58Address}; restore the keyfile from its mnemonic with btcli`);
    }
    return pair;
}
/** ~/.bittensor/wallets/NAME/hotkeys/HOTKEY → a signing key */
export async function loadHotkey(opts) {
    await cryptoWaitReady();
    const p = walletPaths(opts);
    const bytes = readSecretFile(p.hotkey, `hotkey "${opts.hotkey}" of wallet "${opts.name}"`, `create it with "gradmesh wallet create --wallet.name ${opts.name} --wallet.hotkey ${opts.hotkey}" (dev) or "btcli wallet new-hotkey", or pass --wallet.path`, opts.warn ?? warnToStderr);
    let plain = bytes;
    if (keyfileEncoding(bytes) !== 'plain') {
        const password = opts.password ?? (await passwordFor(opts.name, `hotkey ${opts.name}/${opts.hotkey}`));
        plain = await decryptKeyfileData(bytes, password, opts.kdf, p.hotkey);
    }
    const pair = pairFromKeyfile(parseKeyfileJson(plain, p.hotkey), p.hotkey);
    return { ss58: pair.address, pair, path: p.hotkey };
}
/** the coldkey's public address, from coldkeypub.txt (no password needed) */
export function loadColdkeyPub(opts) {
    const p = walletPaths(opts);
    if (!existsSync(p.coldkeypub)) {
        throw new ChainError('wallet_missing', `coldkeypub.txt of wallet "${opts.name}" not found at ${p.coldkeypub}; create the wallet with "btcli wallet create" or "gradmesh wallet create", or pass --wallet.path`);
    }
    const json = parseKeyfileJson(readFileSync(p.coldkeypub), p.coldkeypub);
    const addr = json.ss58Address;
    if (!addr)
        throw new ChainError('wallet_invalid', `${p.coldkeypub} has no ss58Address; regenerate it with "btcli wallet regen-coldkeypub"`);
    try {
        decodeAddress(addr);
    }
    catch {
        throw new ChainError('wallet_invalid', `${p.coldkeypub} holds an invalid address; regenerate it with "btcli wallet regen-coldkeypub"`);
    }
    return addr;
}
/** the coldkey, decrypted. Only commands that move funds or register call this. */
export async function loadColdkey(opts) {
    await cryptoWaitReady();
    const p = walletPaths(opts);
    const bytes = readSecretFile(p.coldkey, `coldkey of wallet "${opts.name}"`, `create it with "btcli wallet create" or "gradmesh wallet create", or pass --wallet.path`, opts.warn ?? warnToStderr);
    let plain = bytes;
    if (keyfileEncoding(bytes) !== 'plain') {
        const password = opts.password ?? (await passwordFor(opts.name, `coldkey of wallet ${opts.name}`));
        plain = await decryptKeyfileData(bytes, password, opts.kdf, p.coldkey);
    }
    return pairFromKeyfile(parseKeyfileJson(plain, p.coldkey), p.coldkey);
}
/** btcli's variable (BT_COLD_PW_<NAME>), then GRADMESH_COLDKEY_PASSWORD, then a TTY prompt */
export function passwordFromEnv(walletName) {
    const btcli = `BT_COLD_PW_${walletName.replace(/-/g, '_').toUpperCase()}`;
    return process.env[btcli] ?? process.env.GRADMESH_COLDKEY_PASSWORD;
}
async function passwordFor(walletName, what) {
    const env = passwordFromEnv(walletName);
    if (env !== undefined)
        return env;
    if (!process.stdin.isTTY) {
        throw new ChainError('bad_password', `${what} is encrypted and no terminal is attached to ask for its password; set BT_COLD_PW_${walletName.replace(/-/g, '_').toUpperCase()} (or GRADMESH_COLDKEY_PASSWORD)`);
    }
    return promptHidden(`Password for ${what}: `);
}
/** reads a line from the terminal without echoing it */
export function promptHidden(question) {
    return new Promise((resolvePw, reject) => {
        const stdin = process.stdin;
        process.stderr.write(question);
        let buf = '';
        stdin.setRawMode?.(true);
        stdin.resume();
        const onData = (d) => {
            for (const ch of d.toString('utf8')) {
                if (ch === '\r' || ch === '\n')
                    return done();
                if (ch === '\u0003')
                    return done(new ChainError('bad_password', 'password prompt interrupted'));
                if (ch === '\u007f')
                    buf = buf.slice(0, -1);
                else
                    buf += ch;
            }
        };
        const done = (err) => {
            stdin.off('data', onData);
            stdin.setRawMode?.(false);
            stdin.pause();
            process.stderr.write('\n');
            if (err)
                reject(err);
            else
                resolvePw(buf);
        };
        stdin.on('data', onData);
    });
}
/**
 * A keyfile's JSON as btcli writes it. privateKey is left out on purpose: the seed
 * determines it, and btcli reads secretPhrase first, then secretSeed.
 */
function keyfileJson(pair, seed, mnemonic) {
    const pub = u8aToHex(pair.publicKey);
    // btcli leaves secretPhrase out (rather than null) for a key regenerated from a seed
    return JSON.stringify({ accountId: pub, publicKey: pub, ...(mnemonic ? { secretPhrase: mnemonic } : {}), secretSeed: u8aToHex(seed), ss58Address: pair.address });
}
function coldkeypubJson(pair) {
    const pub = u8aToHex(pair.publicKey);
    return JSON.stringify({ accountId: pub, publicKey: pub, ss58Address: pair.address });
}
/** BIP-39 word counts btcli offers (--n-words). */
export const MNEMONIC_WORDS = [12, 15, 18, 21, 24];
/** Trims and lower-cases a typed mnemonic and checks its words and checksum. */
export function normaliseMnemonic(text) {
    const m = text.trim().toLowerCase().split(/\s+/).join(' ');
    if (!MNEMONIC_WORDS.includes(m.split(' ').length) || !mnemonicValidate(m)) {
        // the words are not echoed: a near-miss mnemonic is still a secret
        throw new ChainError('wallet_invalid', `the mnemonic is not a valid BIP-39 English phrase of ${MNEMONIC_WORDS.join('/')} words (a word is misspelt, missing or out of order: the checksum does not match)`);
    }
    return m;
}
/** The sr25519 key btcli derives: mnemonic → mini-secret (substrate-bip39) → pair. */
function keyFrom(source) {
    const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
    if ('mnemonic' in source) {
        const mnemonic = normaliseMnemonic(source.mnemonic);
        const seed = mnemonicToMiniSecret(mnemonic);
        return { pair: keyring.addFromSeed(seed), seed, mnemonic };
    }
    const hex = source.seed.trim();
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(hex))
        throw new ChainError('wallet_invalid', 'a seed is 32 bytes in hex (64 hex digits, optionally with 0x)');
    const seed = hexToU8a(hex.startsWith('0x') ? hex : `0x${hex}`);
    return { pair: keyring.addFromSeed(seed), seed };
}
function newKey(words) {
    if (!MNEMONIC_WORDS.includes(words))
        throw new ChainError('wallet_invalid', `a mnemonic has ${MNEMONIC_WORDS.join(', ')} words, not ${words}`);
    return keyFrom({ mnemonic: mnemonicGenerate(words) });
}
/**
 * Writes a key file with mode 0600. `overwrite` replaces an existing file atomically
 * (a temporary file renamed over it), so a crash never leaves half a key behind;
 * without it an existing file is an error and is left untouched.
 */
function writeKeyFile(path, data, mode, overwrite) {
    if (!overwrite) {
        writeFileSync(path, data, { mode, flag: 'wx' });
        return;
    }
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, data, { mode, flag: 'w' });
    chmodSync(tmp, mode); // the umask may have narrowed or a stale tmp widened it
    renameSync(tmp, path);
}
async function coldkeyFileData(k, password, kdf) {
    const plain = Buffer.from(keyfileJson(k.pair, k.seed, k.mnemonic));
    return password === null ? plain : encryptKeyfileData(plain, password, kdf);
}
/** True when creating this wallet makes a new coldkey (so a password decision is needed). */
export function walletNeedsColdkey(w) {
    return !existsSync(walletPaths(w).coldkeypub);
}
/**
 * A new wallet as btcli makes one: a fresh coldkey (encrypted when a password is
 * given) unless the wallet has one, and a fresh, unencrypted hotkey (btcli keeps
 * hotkeys in the clear: miners and validators sign with them unattended). Existing
 * keys are never overwritten. Returns the mnemonics, which exist nowhere else but in
 * the key files: the caller shows them to the user once.
 */
export async function createWallet(opts) {
    await cryptoWaitReady();
    const p = walletPaths(opts);
    if (existsSync(p.hotkey)) {
        throw new ChainError('wallet_invalid', `hotkey ${p.hotkey} already exists; pick another --wallet.hotkey (existing keys are never overwritten)`);
    }
    const words = opts.words ?? 12;
    mkdirSync(join(p.dir, 'hotkeys'), { recursive: true, mode: 0o700 });
    let coldkey;
    let coldkeyEncrypted = false;
    let coldkeyMnemonic;
    if (existsSync(p.coldkeypub)) {
        coldkey = loadColdkeyPub(opts);
    }
    else {
        if (existsSync(p.coldkey)) {
            throw new ChainError('wallet_invalid', `${p.coldkey} exists but ${p.coldkeypub} does not; restore it with "btcli wallet regen-coldkeypub" (or "gradmesh wallet regen coldkey") instead of creating a new coldkey over it`);
        }
        const cold = newKey(words);
        const password = opts.password ?? null;
        writeKeyFile(p.coldkey, await coldkeyFileData(cold, password, opts.kdf), 0o600, false);
        writeKeyFile(p.coldkeypub, coldkeypubJson(cold.pair), 0o644, false);
        coldkey = cold.pair.address;
        coldkeyEncrypted = password !== null;
        coldkeyMnemonic = cold.mnemonic;
    }
    const hot = newKey(words);
    writeKeyFile(p.hotkey, keyfileJson(hot.pair, hot.seed, hot.mnemonic), 0o600, false);
    return {
        hotkey: hot.pair.address, coldkey, hotkeyPath: p.hotkey, coldkeyPath: p.coldkey, coldkeyEncrypted,
        ...(coldkeyMnemonic ? { coldkeyMnemonic } : {}), hotkeyMnemonic: hot.mnemonic,
    };
}
/** createWallet for dev and test networks (the testnet's wallets): unencrypted unless a password is given. */
export function createDevWallet(opts) {
    return createWallet({ ...opts, password: opts.password || null });
}
function refuseExisting(path, what, overwrite) {
    if (existsSync(path) && !overwrite) {
        throw new ChainError('wallet_invalid', `${what} ${path} already exists; pass --overwrite to replace it (make sure you hold its mnemonic first: the old key is lost)`);
    }
}
/** btcli's regen_coldkey: the coldkey (encrypted unless password is null) and coldkeypub.txt from a mnemonic or seed. */
export async function regenColdkey(opts) {
    await cryptoWaitReady();
    const p = walletPaths(opts);
    // a bad mnemonic or an existing file fails before anyone is asked for a password
    const k = keyFrom(opts.source);
    refuseExisting(p.coldkey, `coldkey of wallet "${opts.name}"`, opts.overwrite);
    refuseExisting(p.coldkeypub, `coldkeypub.txt of wallet "${opts.name}"`, opts.overwrite);
    const password = typeof opts.password === 'function' ? await opts.password() : opts.password;
    mkdirSync(p.dir, { recursive: true, mode: 0o700 });
    writeKeyFile(p.coldkey, await coldkeyFileData(k, password, opts.kdf), 0o600, !!opts.overwrite);
    writeKeyFile(p.coldkeypub, coldkeypubJson(k.pair), 0o644, !!opts.overwrite);
    return { ss58: k.pair.address, path: p.coldkey, encrypted: password !== null };
}
/** btcli's regen_hotkey: hotkeys/<hotkey> (unencrypted, as btcli keeps hotkeys) from a mnemonic or seed. */
export async function regenHotkey(opts) {
    await cryptoWaitReady();
    const p = walletPaths(opts);
    const k = keyFrom(opts.source);
    refuseExisting(p.hotkey, `hotkey "${opts.hotkey ?? 'default'}" of wallet "${opts.name}"`, opts.overwrite);
    mkdirSync(join(p.dir, 'hotkeys'), { recursive: true, mode: 0o700 });
    writeKeyFile(p.hotkey, keyfileJson(k.pair, k.seed, k.mnemonic), 0o600, !!opts.overwrite);
    return { ss58: k.pair.address, path: p.hotkey, encrypted: false };
}
/** btcli's password rule for a new coldkey: at least 6 characters (btcli also scores strength). */
export const MIN_PASSWORD_LENGTH = 6;
function checkPasswordRule(pw, from) {
    if (pw.length < MIN_PASSWORD_LENGTH) {
        throw new ChainError('bad_password', `${from} is shorter than ${MIN_PASSWORD_LENGTH} characters (btcli's minimum for a coldkey password)`);
    }
}
/**
 * Decides how a new coldkey is protected, as btcli does: asked twice on a terminal,
 * or taken from a named environment variable; --no-password stores it in the clear
 * with a warning. With no terminal and neither flag there is nobody to ask, and
 * silently writing an unencrypted coldkey is what this refuses to do.
 */
export async function chooseColdkeyPassword(c) {
    const warn = c.warn ?? warnToStderr;
    if (c.noPassword && c.passwordEnv)
        throw new ChainError('bad_password', '--no-password and --password-env contradict each other; give one');
    if (c.noPassword) {
        warn('the coldkey is stored UNENCRYPTED (--no-password): anyone who can read the file can move its funds; use such a wallet for dev and test networks only');
        return null;
    }
    if (c.passwordEnv) {
        const pw = (c.env ?? process.env)[c.passwordEnv];
        if (pw === undefined || pw === '')
            throw new ChainError('bad_password', `--password-env ${c.passwordEnv}: that environment variable is not set (or empty)`);
        checkPasswordRule(pw, `the password in ${c.passwordEnv}`);
        return pw;
    }
    if (!c.isTTY || !c.prompt) {
        throw new ChainError('bad_password', 'no terminal to ask for the coldkey password: pass --password-env VAR (the password is in environment variable VAR) or --no-password (unencrypted, dev and test networks only)');
    }
    const attempts = c.attempts ?? 3;
    for (let i = 0; i < attempts; i++) {
        const pw = await c.prompt('Enter a password to encrypt the coldkey: ');
        if (pw.length < MIN_PASSWORD_LENGTH) {
            warn(`the password must have at least ${MIN_PASSWORD_LENGTH} characters; try again`);
            continue;
        }
        if ((await c.prompt('Retype the password: ')) === pw)
            return pw;
        warn('the passwords do not match; try again');
    }
    throw new ChainError('bad_password', `no usable password after ${attempts} attempts; nothing was written`);
}
/** an in-memory hotkey from a dev URI such as "//Alice" (tests, dev chains) */
export async function hotkeyFromUri(uri) {
    await cryptoWaitReady();
    const pair = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT }).addFromUri(uri);
    return { ss58: pair.address, pair };
}
//# sourceMappingURL=wallet.js.map