// The node's libp2p identity key, persisted in its data dir so a restarted node
// keeps its PeerId (the chain binds hotkey → PeerId, so it must not change).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
export const NODE_KEY_FILE = 'node.key';
export async function loadOrCreateNodeKey(dataDir) {
    const path = join(dataDir, NODE_KEY_FILE);
    try {
        return privateKeyFromProtobuf(await readFile(path));
    }
    catch (err) {
        if (err.code !== 'ENOENT') {
            throw new Error(`cannot read node key ${path}: ${err.message}`);
        }
    }
    await mkdir(dataDir, { recursive: true });
    const key = await generateKeyPair('Ed25519');
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 });
    await rename(tmp, path);
    return key;
}
//# sourceMappingURL=keys.js.map