// Bittensor wallets, exactly where and how btcli keeps them:
//   <path>/<name>/hotkeys/<hotkey>   JSON keyfile (usually unencrypted)
//   <path>/<name>/coldkey            keyfile, normally "$NACL"-encrypted
//   <path>/<name>/coldkeypub.txt     JSON with the public half only
// with <path> = ~/.bittensor/wallets by default. A keyfile's JSON holds accountId,
// publicKey, privateKey, secretPhrase, secretSeed and ss58Address (hex with 0x).
// Secrets never leave this module except inside a KeyringPair.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex, hexToU8a } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate, mnemonicToMiniSecret, decodeAddress } from '@polkadot/util-crypto';
import { ChainError } from './errors.js';
import { decryptKeyfileData, encryptKeyfileData, keyfileEncoding, type KdfParams } from './keyfile-crypto.js';
import type { Hotkey } from './types.js';

export const SS58_FORMAT = 42; // Bittensor uses the generic Substrate prefix

export function defaultWalletPath(): string {
  return process.env.BT_WALLET_PATH ?? join(homedir(), '.bittensor', 'wallets');
}

export function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

export interface WalletRef {
  name: string;
  hotkey: string;
  path?: string;
}

export function walletPaths(w: { name: string; hotkey?: string; path?: string }): { dir: string; hotkey: string; coldkey: string; coldkeypub: string } {
  const dir = resolve(expandHome(w.path ?? defaultWalletPath()), w.name);
  return { dir, hotkey: join(dir, 'hotkeys', w.hotkey ?? 'default'), coldkey: join(dir, 'coldkey'), coldkeypub: join(dir, 'coldkeypub.txt') };
}

interface KeyfileJson {
  accountId?: string;
  publicKey?: string;
  privateKey?: string;
  secretPhrase?: string | null;
  secretSeed?: string | null;
  ss58Address?: string;
}

export type Logger = (msg: string) => void;
const warnToStderr: Logger = (m) => process.stderr.write(`gradmesh: warning: ${m}\n`);

/**
 * Refuses a secret key file that anyone on the machine can read, and warns when the
 * group can. Returns the bytes.
 */
function readSecretFile(path: string, what: string, howToCreate: string, warn: Logger): Uint8Array {
  if (!existsSync(path)) {
    throw new ChainError('wallet_missing', `${what} not found at ${path}; ${howToCreate}`);
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32') {
    if (mode & 0o004) {
      throw new ChainError('wallet_insecure', `${what} ${path} is readable by every user (mode ${mode.toString(8)}); run "chmod 600 ${path}" and retry`);
    }
    if (mode & 0o040) warn(`${what} ${path} is readable by its group (mode ${mode.toString(8)}); consider "chmod 600 ${path}"`);
  }
  return readFileSync(path);
}

function parseKeyfileJson(bytes: Uint8Array, path: string): KeyfileJson {
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (v && typeof v === 'object') return v as KeyfileJson;
  } catch {
    /* fall through */
  }
  throw new ChainError('wallet_invalid', `${path} is not a Bittensor keyfile (expected JSON with secretSeed/secretPhrase and ss58Address); regenerate it with "btcli wallet regen-hotkey" or "gradmesh wallet create"`);
}

function pairFromKeyfile(json: KeyfileJson, path: string): KeyringPair {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
  let pair: KeyringPair;
  if (json.secretSeed) pair = keyring.addFromSeed(hexToU8a(json.secretSeed));
  else if (json.secretPhrase) pair = keyring.addFromUri(json.secretPhrase);
  else throw new ChainError('wallet_invalid', `${path} holds no secretSeed or secretPhrase, so it cannot sign; regenerate it with "btcli wallet regen-hotkey"`);
  if (json.ss58Address && json.ss58Address !== pair.address) {
    // the file's own address disagrees with its secret: corrupted or hand-edited
    throw new ChainError('wallet_invalid', `${path}: the secret derives ${pair.address} but the file says ${json.ss58Address}; restore the keyfile from its mnemonic with btcli`);
  }
  return pair;
}

export interface LoadOptions {
  /** password for an encrypted file; otherwise taken from the environment or a prompt */
  password?: string;
  kdf?: KdfParams; // tests only: cheaper argon2 parameters
  warn?: Logger;
}

/** ~/.bittensor/wallets/NAME/hotkeys/HOTKEY → a signing key */
export async function loadHotkey(opts: WalletRef & LoadOptions): Promise<Hotkey> {
  await cryptoWaitReady();
  const p = walletPaths(opts);
  const bytes = readSecretFile(p.hotkey, `hotkey "${opts.hotkey}" of wallet "${opts.name}"`,
    `create it with "gradmesh wallet create --wallet.name ${opts.name} --wallet.hotkey ${opts.hotkey}" (dev) or "btcli wallet new-hotkey", or pass --wallet.path`, opts.warn ?? warnToStderr);
  let plain = bytes;
  if (keyfileEncoding(bytes) !== 'plain') {
    const password = opts.password ?? (await passwordFor(opts.name, `hotkey ${opts.name}/${opts.hotkey}`));
    plain = await decryptKeyfileData(bytes, password, opts.kdf, p.hotkey);
  }
  const pair = pairFromKeyfile(parseKeyfileJson(plain, p.hotkey), p.hotkey);
  return { ss58: pair.address, pair, path: p.hotkey };
}

/** the coldkey's public address, from coldkeypub.txt (no password needed) */
export function loadColdkeyPub(opts: { name: string; path?: string }): string {
  const p = walletPaths(opts);
  if (!existsSync(p.coldkeypub)) {
    throw new ChainError('wallet_missing', `coldkeypub.txt of wallet "${opts.name}" not found at ${p.coldkeypub}; create the wallet with "btcli wallet create" or "gradmesh wallet create", or pass --wallet.path`);
  }
  const json = parseKeyfileJson(readFileSync(p.coldkeypub), p.coldkeypub);
  const addr = json.ss58Address;
  if (!addr) throw new ChainError('wallet_invalid', `${p.coldkeypub} has no ss58Address; regenerate it with "btcli wallet regen-coldkeypub"`);
  try {
    decodeAddress(addr);
  } catch {
    throw new ChainError('wallet_invalid', `${p.coldkeypub} holds an invalid address; regenerate it with "btcli wallet regen-coldkeypub"`);
  }
  return addr;
}

/** the coldkey, decrypted. Only commands that move funds or register call this. */
export async function loadColdkey(opts: { name: string; path?: string } & LoadOptions): Promise<KeyringPair> {
  await cryptoWaitReady();
  const p = walletPaths(opts);
  const bytes = readSecretFile(p.coldkey, `coldkey of wallet "${opts.name}"`,
    `create it with "btcli wallet create" or "gradmesh wallet create", or pass --wallet.path`, opts.warn ?? warnToStderr);
  let plain = bytes;
  if (keyfileEncoding(bytes) !== 'plain') {
    const password = opts.password ?? (await passwordFor(opts.name, `coldkey of wallet ${opts.name}`));
    plain = await decryptKeyfileData(bytes, password, opts.kdf, p.coldkey);
  }
  return pairFromKeyfile(parseKeyfileJson(plain, p.coldkey), p.coldkey);
}

/** btcli's variable (BT_COLD_PW_<NAME>), then GRADMESH_COLDKEY_PASSWORD, then a TTY prompt */
export function passwordFromEnv(walletName: string): string | undefined {
  const btcli = `BT_COLD_PW_${walletName.replace(/-/g, '_').toUpperCase()}`;
  return process.env[btcli] ?? process.env.GRADMESH_COLDKEY_PASSWORD;
}

async function passwordFor(walletName: string, what: string): Promise<string> {
  const env = passwordFromEnv(walletName);
  if (env !== undefined) return env;
  if (!process.stdin.isTTY) {
    throw new ChainError('bad_password', `${what} is encrypted and no terminal is attached to ask for its password; set BT_COLD_PW_${walletName.replace(/-/g, '_').toUpperCase()} (or GRADMESH_COLDKEY_PASSWORD)`);
  }
  return promptHidden(`Password for ${what}: `);
}

/** reads a line from the terminal without echoing it */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolvePw, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let buf = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new ChainError('bad_password', 'password prompt interrupted'));
        if (ch === '\u007f') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolvePw(buf);
    };
    stdin.on('data', onData);
  });
}

function keyfileJson(pair: KeyringPair, mnemonic: string): string {
  const seed = mnemonicToMiniSecret(mnemonic);
  const pub = u8aToHex(pair.publicKey);
  // privateKey is left out on purpose: the seed and phrase determine it, and btcli
  // reads either of them.
  return JSON.stringify({ accountId: pub, publicKey: pub, secretPhrase: mnemonic, secretSeed: u8aToHex(seed), ss58Address: pair.address });
}

export interface CreatedWallet {
  hotkey: string; // ss58
  coldkey: string; // ss58
  hotkeyPath: string;
  coldkeyPath: string;
  coldkeyEncrypted: boolean;
}

/**
 * A new wallet for dev and test networks: a fresh coldkey (encrypted when a password
 * is given) unless one exists, and a fresh hotkey. Existing keys are never overwritten.
 */
export async function createDevWallet(opts: WalletRef & { password?: string; kdf?: KdfParams }): Promise<CreatedWallet> {
  await cryptoWaitReady();
  const p = walletPaths(opts);
  if (existsSync(p.hotkey)) {
    throw new ChainError('wallet_invalid', `hotkey ${p.hotkey} already exists; pick another --wallet.hotkey (existing keys are never overwritten)`);
  }
  const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT });
  mkdirSync(join(p.dir, 'hotkeys'), { recursive: true, mode: 0o700 });
  let coldkey: string;
  let coldkeyEncrypted = false;
  if (existsSync(p.coldkeypub)) {
    coldkey = loadColdkeyPub(opts);
  } else {
    const mnemonic = mnemonicGenerate(12);
    const pair = keyring.addFromUri(mnemonic);
    let data: Uint8Array = Buffer.from(keyfileJson(pair, mnemonic));
    if (opts.password) {
      data = await encryptKeyfileData(data, opts.password, opts.kdf);
      coldkeyEncrypted = true;
    }
    writeFileSync(p.coldkey, data, { mode: 0o600, flag: 'wx' });
    const pub = u8aToHex(pair.publicKey);
    writeFileSync(p.coldkeypub, JSON.stringify({ accountId: pub, publicKey: pub, ss58Address: pair.address }), { mode: 0o644, flag: 'wx' });
    coldkey = pair.address;
  }
  const mnemonic = mnemonicGenerate(12);
  const hot = keyring.addFromUri(mnemonic);
  writeFileSync(p.hotkey, keyfileJson(hot, mnemonic), { mode: 0o600, flag: 'wx' });
  return { hotkey: hot.address, coldkey, hotkeyPath: p.hotkey, coldkeyPath: p.coldkey, coldkeyEncrypted };
}

/** an in-memory hotkey from a dev URI such as "//Alice" (tests, dev chains) */
export async function hotkeyFromUri(uri: string): Promise<Hotkey> {
  await cryptoWaitReady();
  const pair = new Keyring({ type: 'sr25519', ss58Format: SS58_FORMAT }).addFromUri(uri);
  return { ss58: pair.address, pair };
}
