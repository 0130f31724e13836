// Wallet creation and regeneration as btcli does them: the mnemonic is shown once, the
// coldkey is encrypted in btcli's "$NACL" format unless --no-password says otherwise,
// the hotkey stays in the clear, and keys come back from their mnemonic or seed.
// The keyfile format is checked against a second implementation: a Python script that
// calls the system's native libsodium (test/chain/fixtures/nacl_keyfile.py).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { ChainError } from '../../src/chain/errors.js';
import { decryptKeyfileData, encryptKeyfileData, keyfileEncoding } from '../../src/chain/keyfile-crypto.js';
import { chooseColdkeyPassword, createWallet, loadColdkey, loadColdkeyPub, loadHotkey, regenColdkey, regenHotkey, walletPaths, } from '../../src/chain/wallet.js';
import { repoRoot } from '../../src/train/model-config.js';
// libsodium's argon2i minimums: the same format, only cheaper than btcli's 8 / 512 MiB
const FAST = { opslimit: 3, memlimit: 8192 };
// Substrate's well-known dev phrase; `subkey inspect` gives this address and seed for it
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const DEV_ADDRESS = '5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV';
const DEV_SEED = '0xfac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e';
const tmp = () => mkdtempSync(join(tmpdir(), 'gm-wallet-create-'));
const isErr = (code, re) => (e) => e instanceof ChainError && e.code === code && re.test(e.message);
const fixtures = join(repoRoot(), 'test', 'chain', 'fixtures');
const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
const quiet = () => undefined;
/** Runs the independent implementation; null when python3 or libsodium is missing here. */
function python(args, input) {
    const r = spawnSync('python3', [join(fixtures, 'nacl_keyfile.py'), ...args], { input, encoding: 'utf8' });
    if (r.error || r.status === 3)
        return null;
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
}
describe('wallet create (btcli behaviour)', () => {
    it('returns each new mnemonic, which regenerates the same keys', async () => {
        const path = tmp();
        const made = await createWallet({ name: 'w', hotkey: 'h', path, password: null, words: 12 });
        assert.ok(made.coldkeyMnemonic && made.hotkeyMnemonic);
        assert.equal(made.coldkeyMnemonic.split(' ').length, 12);
        assert.notEqual(made.coldkeyMnemonic, made.hotkeyMnemonic);
        // the mnemonic is the key's backup: it must give back the very same addresses
        const cold = await regenColdkey({ name: 'again', path, source: { mnemonic: made.coldkeyMnemonic }, password: null });
        assert.equal(cold.ss58, made.coldkey);
        const hot = await regenHotkey({ name: 'again', hotkey: 'h', path, source: { mnemonic: made.hotkeyMnemonic } });
        assert.equal(hot.ss58, made.hotkey);
        // 24 words, as btcli's --n-words 24
        const long = await createWallet({ name: 'w24', hotkey: 'h', path, password: null, words: 24 });
        assert.equal(long.hotkeyMnemonic.split(' ').length, 24);
        // a second hotkey on the same wallet makes no coldkey and so has no coldkey mnemonic
        const second = await createWallet({ name: 'w', hotkey: 'h2', path, password: null });
        assert.equal(second.coldkey, made.coldkey);
        assert.equal(second.coldkeyMnemonic, undefined);
    });
    it('encrypts the coldkey with a password and keeps the hotkey in the clear', async () => {
        const path = tmp();
        const made = await createWallet({ name: 'enc', hotkey: 'h', path, password: 'hunter22', kdf: FAST });
        const p = walletPaths({ name: 'enc', hotkey: 'h', path });
        assert.equal(made.coldkeyEncrypted, true);
        const coldBytes = readFileSync(p.coldkey);
        assert.equal(keyfileEncoding(coldBytes), 'nacl');
        assert.ok(!coldBytes.includes(Buffer.from(made.coldkeyMnemonic)), 'no mnemonic in the encrypted coldkey');
        assert.equal(keyfileEncoding(readFileSync(p.hotkey)), 'plain', 'btcli keeps hotkeys unencrypted');
        assert.equal(statSync(p.coldkey).mode & 0o777, 0o600);
        assert.equal((await loadColdkey({ name: 'enc', path, kdf: FAST, password: 'hunter22' })).address, made.coldkey);
        assert.equal(loadColdkeyPub({ name: 'enc', path }), made.coldkey);
        // the decrypted keyfile is btcli's JSON, holding the mnemonic that was shown
        const json = JSON.parse(Buffer.from(await decryptKeyfileData(coldBytes, 'hunter22', FAST)).toString('utf8'));
        assert.equal(json.secretPhrase, made.coldkeyMnemonic);
        assert.equal(json.ss58Address, made.coldkey);
    });
    it('an independent libsodium reads the coldkey gradmesh encrypted', async (t) => {
        const path = tmp();
        const made = await createWallet({ name: 'x', hotkey: 'h', path, password: 'interop-pw', kdf: FAST });
        const hex = readFileSync(walletPaths({ name: 'x', path }).coldkey).toString('hex');
        const out = python(['decrypt', 'interop-pw', String(FAST.opslimit), String(FAST.memlimit)], hex);
        if (out === null)
            return t.skip('python3 with a system libsodium is not available here');
        assert.equal(JSON.parse(out).ss58Address, made.coldkey);
    });
    it('refuses to make a coldkey over an orphaned coldkey file', async () => {
        const path = tmp();
        const p = walletPaths({ name: 'o', path });
        mkdirSync(join(p.dir, 'hotkeys'), { recursive: true });
        writeFileSync(p.coldkey, 'old', { mode: 0o600 });
        await assert.rejects(createWallet({ name: 'o', hotkey: 'h', path, password: null }), isErr('wallet_invalid', /regen/));
        assert.equal(readFileSync(p.coldkey, 'utf8'), 'old');
    });
});
describe('btcli keyfile vectors from an independent implementation', () => {
    it('decrypts and loads a coldkey written by native libsodium (fast KDF)', async () => {
        // made once by: python3 test/chain/fixtures/nacl_keyfile.py vector tao-to-the-moon 3 8192 < keyfile.json
        const vec = JSON.parse(readFileSync(join(fixtures, 'nacl-keyfile-libsodium-fast.json'), 'utf8'));
        const kdf = { opslimit: vec.opslimit, memlimit: vec.memlimit };
        const file = Buffer.from(vec.fileHex, 'hex');
        assert.equal(Buffer.from(await decryptKeyfileData(file, vec.password, kdf)).toString('utf8'), vec.plain);
        // as a wallet: gradmesh loads it and derives the address subkey gives for the phrase
        const path = tmp();
        const p = walletPaths({ name: 'v', path });
        mkdirSync(p.dir, { recursive: true });
        writeFileSync(p.coldkey, file, { mode: 0o600 });
        assert.equal((await loadColdkey({ name: 'v', path, kdf, password: vec.password })).address, DEV_ADDRESS);
        await assert.rejects(loadColdkey({ name: 'v', path, kdf, password: 'tao-to-the-moon!' }), isErr('bad_password', /wrong password/));
    });
    it("decrypts a coldkey written by native libsodium with btcli's own KDF limits (argon2i, 8 passes, 512 MiB)", async () => {
        // made once by: python3 test/chain/fixtures/nacl_keyfile.py vector tao-to-the-moon 8 536870912 < keyfile.json
        // No kdf argument: this goes through btcliKdfParams, as a real btcli coldkey does
        // (about 7 s of CPU in WebAssembly on the 2-core CI machine).
        const vec = JSON.parse(readFileSync(join(fixtures, 'nacl-keyfile-libsodium-btcli.json'), 'utf8'));
        assert.deepEqual({ opslimit: vec.opslimit, memlimit: vec.memlimit }, { opslimit: 8, memlimit: 512 * 1024 * 1024 });
        const path = tmp();
        const p = walletPaths({ name: 'btcli', path });
        mkdirSync(p.dir, { recursive: true });
        writeFileSync(p.coldkey, Buffer.from(vec.fileHex, 'hex'), { mode: 0o600 });
        assert.equal((await loadColdkey({ name: 'btcli', path, password: vec.password })).address, DEV_ADDRESS);
    });
    it('writes what the independent implementation would accept, byte layout included', async (t) => {
        const plain = '{"secretSeed":"0x01"}';
        const ours = await encryptKeyfileData(Buffer.from(plain), 'pw-layout', FAST);
        // "$NACL" (5) + nonce (24) + MAC (16) + ciphertext, as bittensor-wallet's keyfile.rs lays it out
        assert.equal(ours.length, 5 + 24 + 16 + plain.length);
        const out = python(['decrypt', 'pw-layout', String(FAST.opslimit), String(FAST.memlimit)], Buffer.from(ours).toString('hex'));
        if (out === null)
            return t.skip('python3 with a system libsodium is not available here');
        assert.equal(out, plain);
    });
});
describe('the coldkey password decision', () => {
    it('without a terminal and without --password-env/--no-password, refuses clearly', async () => {
        await assert.rejects(chooseColdkeyPassword({ isTTY: false }), isErr('bad_password', /--password-env VAR.*--no-password/));
    });
    it('--no-password stores in the clear, with a warning', async () => {
        const warnings = [];
        assert.equal(await chooseColdkeyPassword({ isTTY: false, noPassword: true, warn: (m) => warnings.push(m) }), null);
        assert.match(warnings.join('\n'), /UNENCRYPTED/);
    });
    it('--password-env reads the named variable, which must be set and long enough', async () => {
        assert.equal(await chooseColdkeyPassword({ isTTY: false, passwordEnv: 'PW', env: { PW: 'secret-pw' } }), 'secret-pw');
        await assert.rejects(chooseColdkeyPassword({ isTTY: false, passwordEnv: 'PW', env: {} }), isErr('bad_password', /PW.*not set/));
        await assert.rejects(chooseColdkeyPassword({ isTTY: false, passwordEnv: 'PW', env: { PW: 'abc' } }), isErr('bad_password', /6 characters/));
        await assert.rejects(chooseColdkeyPassword({ isTTY: false, passwordEnv: 'PW', noPassword: true, env: { PW: 'secret-pw' } }), isErr('bad_password', /contradict/));
    });
    it('on a terminal asks twice and asks again when the two differ or are too short', async () => {
        const answers = ['short', 'first-try', 'typo-try', 'good-pass', 'good-pass'];
        const asked = [];
        const prompt = async (q) => {
            asked.push(q);
            return answers.shift();
        };
        assert.equal(await chooseColdkeyPassword({ isTTY: true, prompt, warn: quiet }), 'good-pass');
        assert.equal(asked.filter((q) => /Retype/.test(q)).length, 2);
        const never = async () => 'x';
        await assert.rejects(chooseColdkeyPassword({ isTTY: true, prompt: never, warn: quiet, attempts: 2 }), isErr('bad_password', /nothing was written/));
    });
});
describe('wallet regen', () => {
    it('regenerates a coldkey (encrypted) and coldkeypub.txt from a mnemonic', async () => {
        const path = tmp();
        const r = await regenColdkey({ name: 'r', path, source: { mnemonic: `  ${DEV_PHRASE.toUpperCase()} ` }, password: 'regen-pw', kdf: FAST });
        assert.equal(r.ss58, DEV_ADDRESS);
        assert.equal(r.encrypted, true);
        assert.equal(loadColdkeyPub({ name: 'r', path }), DEV_ADDRESS);
        assert.equal((await loadColdkey({ name: 'r', path, kdf: FAST, password: 'regen-pw' })).address, DEV_ADDRESS);
        // an existing key is kept unless --overwrite; a lazy password is not asked for then
        let asked = false;
        await assert.rejects(regenColdkey({ name: 'r', path, source: { mnemonic: DEV_PHRASE }, password: async () => ((asked = true), null) }), isErr('wallet_invalid', /--overwrite/));
        assert.equal(asked, false);
        const over = await regenColdkey({ name: 'r', path, source: { seed: DEV_SEED }, password: null, overwrite: true });
        assert.equal(over.ss58, DEV_ADDRESS);
        assert.equal(keyfileEncoding(readFileSync(over.path)), 'plain');
        assert.equal(statSync(over.path).mode & 0o777, 0o600);
    });
    it('regenerates a hotkey from a seed or a mnemonic, and names a bad mnemonic without echoing it', async () => {
        const path = tmp();
        const r = await regenHotkey({ name: 'r', hotkey: 'miner', path, source: { seed: DEV_SEED } });
        assert.equal(r.ss58, DEV_ADDRESS);
        assert.equal((await loadHotkey({ name: 'r', hotkey: 'miner', path })).ss58, DEV_ADDRESS);
        const json = JSON.parse(readFileSync(r.path, 'utf8'));
        assert.equal(json.secretPhrase, undefined, 'a key made from a seed has no phrase, and btcli leaves the field out');
        const bad = DEV_PHRASE.replace('walk', 'wall');
        await assert.rejects(regenHotkey({ name: 'r', hotkey: 'bad', path, source: { mnemonic: bad } }), (e) => isErr('wallet_invalid', /checksum/)(e) && !e.message.includes('lonely'));
        assert.equal(existsSync(walletPaths({ name: 'r', hotkey: 'bad', path }).hotkey), false);
    });
});
describe('gradmesh wallet create / regen (CLI)', () => {
    const run = (args, env = {}) => spawnSync(process.execPath, [cli, 'wallet', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, input: '' });
    it('create --no-password shows both mnemonics once, with the warning, and warns about the clear coldkey', () => {
        const path = tmp();
        const r = run(['create', '--wallet.name', 'c', '--wallet.hotkey', 'hk', '--wallet.path', path, '--no-password']);
        assert.equal(r.status, 0, r.stderr);
        const p = walletPaths({ name: 'c', hotkey: 'hk', path });
        const cold = JSON.parse(readFileSync(p.coldkey, 'utf8'));
        const hot = JSON.parse(readFileSync(p.hotkey, 'utf8'));
        assert.ok(r.stdout.includes(cold.secretPhrase), 'the coldkey mnemonic is shown');
        assert.ok(r.stdout.includes(hot.secretPhrase), 'the hotkey mnemonic is shown');
        assert.equal(r.stdout.split(cold.secretPhrase).length, 2, 'shown exactly once');
        assert.match(r.stdout, /write down the mnemonic/i);
        assert.ok(!r.stdout.includes(cold.secretSeed) && !r.stdout.includes(hot.secretSeed), 'seeds are never printed');
        assert.match(r.stderr, /UNENCRYPTED/);
        assert.match(r.stdout, /UNENCRYPTED/);
    });
    it('create --password-env encrypts the coldkey with btcli\'s KDF limits, readable by an independent libsodium', (t) => {
        const path = tmp();
        const r = run(['create', '--wallet.name', 'e', '--wallet.path', path, '--password-env', 'GM_TEST_PW'], { GM_TEST_PW: 'env-password-1' });
        assert.equal(r.status, 0, r.stderr);
        const p = walletPaths({ name: 'e', path });
        const file = readFileSync(p.coldkey);
        assert.equal(keyfileEncoding(file), 'nacl');
        assert.match(r.stdout, /new, encrypted/);
        const mnemonic = /coldkey is:\n\n\s+([a-z ]+)\n/.exec(r.stdout)?.[1];
        assert.ok(mnemonic, 'the coldkey mnemonic is shown');
        const out = python(['decrypt', 'env-password-1', '8', String(512 * 1024 * 1024)], file.toString('hex'));
        if (out === null)
            return t.skip('python3 with a system libsodium is not available here');
        const json = JSON.parse(out);
        assert.equal(json.secretPhrase, mnemonic);
        assert.equal(json.ss58Address, loadColdkeyPub({ name: 'e', path }));
    });
    it('create with no terminal and no password flag fails before writing anything', () => {
        const path = tmp();
        const r = run(['create', '--wallet.name', 'n', '--wallet.path', path]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /--password-env.*--no-password/);
        assert.equal(existsSync(join(path, 'n')), false);
    });
    it('regen hotkey/coldkey --mnemonic recreate the keys; a second regen wants --overwrite', () => {
        const path = tmp();
        const h = run(['regen', 'hotkey', '--mnemonic', DEV_PHRASE, '--wallet.name', 'g', '--wallet.hotkey', 'm1', '--wallet.path', path]);
        assert.equal(h.status, 0, h.stderr);
        assert.match(h.stdout, new RegExp(`hotkey\\s+${DEV_ADDRESS}`));
        const c = run(['regen', 'coldkey', '--mnemonic', DEV_PHRASE, '--no-password', '--wallet.name', 'g', '--wallet.path', path]);
        assert.equal(c.status, 0, c.stderr);
        assert.match(c.stdout, new RegExp(`coldkey\\s+${DEV_ADDRESS}`));
        const shown = run(['show', '--wallet.name', 'g', '--wallet.hotkey', 'm1', '--wallet.path', path]);
        assert.match(shown.stdout, new RegExp(`coldkey ${DEV_ADDRESS}`));
        const again = run(['regen', 'coldkey', '--mnemonic', DEV_PHRASE, '--no-password', '--wallet.name', 'g', '--wallet.path', path]);
        assert.equal(again.status, 1);
        assert.match(again.stderr, /--overwrite/);
        const none = run(['regen', 'hotkey', '--wallet.name', 'g', '--wallet.hotkey', 'm2', '--wallet.path', path]);
        assert.equal(none.status, 1);
        assert.match(none.stderr, /--mnemonic/);
    });
});
//# sourceMappingURL=wallet-create.test.js.map