// Wallet files as btcli lays them out, permission checks, and the NaCl keyfile format.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { ChainError, btcliKdfParams, createDevWallet, decryptKeyfileData, encryptKeyfileData, keyfileEncoding, loadColdkey, loadColdkeyPub, loadHotkey, walletPaths, } from '../../src/chain/index.js';
import { repoRoot } from '../../src/train/model-config.js';
// libsodium's argon2i minimums: the format is the same, only slower with btcli's limits
const FAST = { opslimit: 3, memlimit: 8192 };
const tmp = () => mkdtempSync(join(tmpdir(), 'gm-wallet-'));
const isErr = (code, re) => (e) => e instanceof ChainError && e.code === code && re.test(e.message);
describe('wallets', () => {
    it('creates a wallet where btcli keeps it and loads it back', async () => {
        const path = tmp();
        const made = await createDevWallet({ name: 'w1', hotkey: 'h1', path });
        const p = walletPaths({ name: 'w1', hotkey: 'h1', path });
        assert.equal(made.hotkeyPath, join(path, 'w1', 'hotkeys', 'h1'));
        assert.equal(statSync(p.hotkey).mode & 0o777, 0o600);
        assert.equal(statSync(p.coldkey).mode & 0o777, 0o600);
        const json = JSON.parse(readFileSync(p.hotkey, 'utf8'));
        for (const k of ['accountId', 'publicKey', 'secretPhrase', 'secretSeed', 'ss58Address'])
            assert.ok(json[k], `keyfile has ${k}`);
        assert.equal(json.ss58Address, made.hotkey);
        const pub = JSON.parse(readFileSync(p.coldkeypub, 'utf8'));
        assert.equal(pub.secretPhrase, undefined, 'coldkeypub.txt holds no secret');
        const hot = await loadHotkey({ name: 'w1', hotkey: 'h1', path });
        assert.equal(hot.ss58, made.hotkey);
        assert.equal(loadColdkeyPub({ name: 'w1', path }), made.coldkey);
        assert.equal((await loadColdkey({ name: 'w1', path })).address, made.coldkey);
        // a signature by the loaded key verifies against the address in the file
        const sig = hot.pair.sign('hello');
        assert.ok(hot.pair.verify('hello', sig, json.publicKey));
        // a second hotkey shares the coldkey; an existing hotkey is never overwritten
        const second = await createDevWallet({ name: 'w1', hotkey: 'h2', path });
        assert.equal(second.coldkey, made.coldkey);
        assert.notEqual(second.hotkey, made.hotkey);
        await assert.rejects(createDevWallet({ name: 'w1', hotkey: 'h1', path }), isErr('wallet_invalid', /never overwritten/));
    });
    it('derives the same key from secretSeed and from secretPhrase', async () => {
        const path = tmp();
        const made = await createDevWallet({ name: 'w', hotkey: 'h', path });
        const p = walletPaths({ name: 'w', hotkey: 'h', path });
        const json = JSON.parse(readFileSync(p.hotkey, 'utf8'));
        writeFileSync(p.hotkey, JSON.stringify({ ...json, secretSeed: null }), { mode: 0o600 });
        assert.equal((await loadHotkey({ name: 'w', hotkey: 'h', path })).ss58, made.hotkey);
        writeFileSync(p.hotkey, JSON.stringify({ ...json, ss58Address: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY' }), { mode: 0o600 });
        await assert.rejects(loadHotkey({ name: 'w', hotkey: 'h', path }), isErr('wallet_invalid', /derives/));
    });
    it('a missing wallet gives one clear error saying how to create it', async () => {
        const path = tmp();
        await assert.rejects(loadHotkey({ name: 'nope', hotkey: 'x', path }), isErr('wallet_missing', /gradmesh wallet create --wallet\.name nope --wallet\.hotkey x/));
        assert.throws(() => loadColdkeyPub({ name: 'nope', path }), isErr('wallet_missing', /coldkeypub\.txt/));
    });
    it('refuses world-readable key files and warns on group-readable ones', async () => {
        const path = tmp();
        await createDevWallet({ name: 'w', hotkey: 'h', path });
        const p = walletPaths({ name: 'w', hotkey: 'h', path });
        chmodSync(p.hotkey, 0o644);
        await assert.rejects(loadHotkey({ name: 'w', hotkey: 'h', path }), isErr('wallet_insecure', /chmod 600/));
        chmodSync(p.hotkey, 0o640);
        const warnings = [];
        await loadHotkey({ name: 'w', hotkey: 'h', path, warn: (m) => warnings.push(m) });
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /group/);
        // warnings and errors name the file, never its contents
        const secret = JSON.parse(readFileSync(p.hotkey, 'utf8')).secretPhrase;
        assert.ok(!warnings[0].includes(secret));
    });
});
describe('NaCl keyfiles (btcli format)', () => {
    it('uses btcli parameters: argon2i SENSITIVE', async () => {
        assert.deepEqual(await btcliKdfParams(), { opslimit: 8, memlimit: 536870912 });
    });
    it('lays out "$NACL" || nonce(24) || secretbox and round-trips', async () => {
        const plain = Buffer.from('{"secretPhrase":"x"}');
        const enc = await encryptKeyfileData(plain, 'pw', FAST);
        assert.equal(keyfileEncoding(enc), 'nacl');
        assert.equal(Buffer.from(enc.subarray(0, 5)).toString(), '$NACL');
        assert.equal(enc.length, 5 + 24 + 16 + plain.length);
        assert.deepEqual(Buffer.from(await decryptKeyfileData(enc, 'pw', FAST)), plain);
        await assert.rejects(decryptKeyfileData(enc, 'wrong', FAST), isErr('bad_password', /wrong password/));
    });
    it('decrypts a committed vector (fast KDF)', async () => {
        // produced once by encryptKeyfileData with FAST params; guards the format and KDF
        const vec = JSON.parse(readFileSync(join(repoRoot(), 'test', 'chain', 'fixtures', 'nacl-keyfile.json'), 'utf8'));
        const out = await decryptKeyfileData(Buffer.from(vec.fileHex, 'hex'), vec.password, { opslimit: vec.opslimit, memlimit: vec.memlimit });
        assert.equal(Buffer.from(out).toString('utf8'), vec.plain);
    });
    it('an encrypted coldkey loads with the password from the environment', async () => {
        const path = tmp();
        const made = await createDevWallet({ name: 'enc-w', hotkey: 'h', path, password: 'hunter2', kdf: FAST });
        assert.equal(made.coldkeyEncrypted, true);
        assert.equal(keyfileEncoding(readFileSync(made.coldkeyPath)), 'nacl');
        process.env.BT_COLD_PW_ENC_W = 'hunter2';
        try {
            assert.equal((await loadColdkey({ name: 'enc-w', path, kdf: FAST })).address, made.coldkey);
        }
        finally {
            delete process.env.BT_COLD_PW_ENC_W;
        }
        await assert.rejects(loadColdkey({ name: 'enc-w', path, kdf: FAST, password: 'nope' }), isErr('bad_password', /wrong password/));
    });
    it('legacy encodings are named with the way out', async () => {
        await assert.rejects(decryptKeyfileData(Buffer.from('$ANSIBLE_VAULT;1.1;AES256\n00'), 'pw', FAST), isErr('unsupported', /btcli wallet update/));
    });
});
describe('gradmesh wallet (CLI)', () => {
    it('creates and shows a dev wallet without printing its seeds', () => {
        const path = tmp();
        const cli = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
        const env = { ...process.env, BT_COLD_PW_CLIW: undefined, GRADMESH_COLDKEY_PASSWORD: undefined };
        // the mnemonics are shown once (test/chain/wallet-create.test.ts); the seeds never
        const made = spawnSync(process.execPath, [cli, 'wallet', 'create', '--no-password', '--wallet.name', 'cliw', '--wallet.hotkey', 'hk', '--wallet.path', path], { encoding: 'utf8', env });
        assert.equal(made.status, 0, made.stderr);
        const hot = /^hotkey\s+(\w+)/m.exec(made.stdout)?.[1];
        assert.ok(hot);
        const secret = JSON.parse(readFileSync(join(path, 'cliw', 'hotkeys', 'hk'), 'utf8'));
        assert.ok(!made.stdout.includes(secret.secretSeed));
        const shown = spawnSync(process.execPath, [cli, 'wallet', 'show', '--wallet.name', 'cliw', '--wallet.hotkey', 'hk', '--wallet.path', path], { encoding: 'utf8', env });
        assert.equal(shown.status, 0, shown.stderr);
        assert.match(shown.stdout, new RegExp(hot));
        const missing = spawnSync(process.execPath, [cli, 'wallet', 'show', '--wallet.name', 'ghost', '--wallet.path', path], { encoding: 'utf8', env });
        assert.equal(missing.status, 1);
        assert.match(missing.stderr, /gradmesh wallet create --wallet\.name ghost/);
    });
});
//# sourceMappingURL=wallet.test.js.map