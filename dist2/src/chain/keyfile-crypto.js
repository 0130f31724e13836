// btcli's encrypted keyfile format ("NaCl" keyfiles, bittensor-wallet):
//   file = "$NACL" || nonce (24 bytes) || secretbox(ciphertext + MAC)
//   key  = argon2i(password, salt = NACL_SALT, opslimit/memlimit = libsodium's
//          argon2i SENSITIVE constants (8 passes, 512 MiB)), 32 bytes
// The salt is a fixed constant in bittensor-wallet (the same for every file), so the
// key depends on the password alone. Implemented from those facts with libsodium.
import sodiumModule from 'libsodium-wrappers-sumo';
import { ChainError } from './errors.js';
export const NACL_PREFIX = '$NACL';
// bittensor-wallet's NACL_SALT: b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1"
export const NACL_SALT = Uint8Array.from([
    0x13, 0x71, 0x83, 0xdf, 0xf1, 0x5a, 0x09, 0xbc, 0x9c, 0x90, 0xb5, 0x51, 0x87, 0x39, 0xe9, 0xb1,
]);
async function sodium() {
    await sodiumModule.ready;
    return sodiumModule;
}
/** btcli's parameters: argon2i SENSITIVE (libsodium constants). ~1 min in wasm on a slow box. */
export async function btcliKdfParams() {
    const s = await sodium();
    return { opslimit: s.crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE, memlimit: s.crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE };
}
export function keyfileEncoding(data) {
    const head = Buffer.from(data.subarray(0, 16)).toString('latin1');
    if (head.startsWith(NACL_PREFIX))
        return 'nacl';
    if (head.startsWith('$ANSIBLE_VAULT'))
        return 'ansible';
    if (head.startsWith('gAAAAA'))
        return 'legacy'; // Fernet token, bittensor's pre-2022 format
    return 'plain';
}
async function deriveKey(password, params) {
    const s = await sodium();
    return s.crypto_pwhash(s.crypto_secretbox_KEYBYTES, password, NACL_SALT, params.opslimit, params.memlimit, s.crypto_pwhash_ALG_ARGON2I13);
}
export async function encryptKeyfileData(plain, password, params) {
    const s = await sodium();
    const key = await deriveKey(password, params ?? (await btcliKdfParams()));
    const nonce = s.randombytes_buf(s.crypto_secretbox_NONCEBYTES);
    const boxed = s.crypto_secretbox_easy(plain, nonce, key);
    return Buffer.concat([Buffer.from(NACL_PREFIX, 'latin1'), nonce, boxed]);
}
export async function decryptKeyfileData(data, password, params, where = 'keyfile') {
    const kind = keyfileEncoding(data);
    if (kind === 'ansible' || kind === 'legacy') {
        throw new ChainError('unsupported', `${where} uses bittensor's old ${kind} encryption; re-encrypt it with "btcli wallet update" (NaCl format) and retry`);
    }
    if (kind !== 'nacl')
        return data;
    const s = await sodium();
    const body = data.subarray(NACL_PREFIX.length);
    const nonce = body.subarray(0, s.crypto_secretbox_NONCEBYTES);
    const boxed = body.subarray(s.crypto_secretbox_NONCEBYTES);
    const key = await deriveKey(password, params ?? (await btcliKdfParams()));
    try {
        return s.crypto_secretbox_open_easy(boxed, nonce, key);
    }
    catch {
        throw new ChainError('bad_password', `wrong password for ${where} (decryption failed); retry, or set the right password in the environment`);
    }
}
//# sourceMappingURL=keyfile-crypto.js.map