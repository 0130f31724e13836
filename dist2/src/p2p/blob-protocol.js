import { lpStream } from '@libp2p/utils';
import { BlobProtocolError } from './errors.js';
import { BlobRequest, BlobResponse } from './proto/messages.js';
export const BLOB_PROTOCOL = '/gradmesh/blob/1.0.0';
/** The `version` this node writes and the only one it accepts, in requests and in responses. */
export const BLOB_VERSION = 1;
const MAX_HEADER_BYTES = 128;
/**
 * Checks the fields of a decoded request that need no store. A request of another
 * version may mean something else by the same fields, so it is refused, not guessed at
 * (proto3 reads a missing version as 0, which is refused too).
 */
export function checkRequest(req) {
    if (req.version !== BLOB_VERSION) {
        return { key: 'unsupported version', why: `blob request version ${req.version}; this node speaks version ${BLOB_VERSION}` };
    }
    if (req.digest.byteLength !== 32)
        return { key: 'bad digest', why: `digest of ${req.digest.byteLength} bytes, expected 32` };
    return undefined;
}
export function toHex(b) {
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
/** Builds the stream handler that serves blobs from the store. */
export function blobServer(opts) {
    const active = new Map();
    return async (stream, connection) => {
        const peer = connection.remotePeer.toString();
        const n = (active.get(peer) ?? 0) + 1;
        active.set(peer, n);
        opts.onActive?.(1);
        const signal = AbortSignal.timeout(opts.requestTimeoutMs);
        try {
            const lp = lpStream(stream, { maxDataLength: MAX_HEADER_BYTES });
            const reply = async (r) => {
                await lp.write(BlobResponse.encode({ version: BLOB_VERSION, totalSize: 0n, offset: 0n, length: 0n, ...r }), { signal });
            };
            const verdict = opts.admit?.(peer) ?? 'serve';
            if (verdict !== 'serve') {
                await reply({ status: verdict === 'offender' ? BlobResponse.Status.REFUSED : BlobResponse.Status.UNREGISTERED });
                await stream.close({ signal });
                return;
            }
            if (n > opts.perPeerConcurrency) {
                await reply({ status: BlobResponse.Status.BUSY });
                await stream.close({ signal });
                return;
            }
            // BAD_REQUEST carries our version, so the peer can tell a version mismatch
            const refuse = async (r, totalSize = 0n) => {
                opts.onRefused?.(peer, r);
                await reply({ status: BlobResponse.Status.BAD_REQUEST, totalSize });
                await stream.close({ signal });
            };
            let req;
            try {
                req = BlobRequest.decode(await lp.read({ signal }));
            }
            catch (err) {
                await refuse({ key: 'malformed request', why: `not a blob request (${err.message})` });
                return;
            }
            const bad = checkRequest(req);
            if (bad) {
                await refuse(bad);
                return;
            }
            const digest = toHex(req.digest);
            const meta = opts.store.meta(digest);
            if (!meta) {
                await reply({ status: BlobResponse.Status.NOT_FOUND });
                await stream.close({ signal });
                return;
            }
            const total = BigInt(meta.size);
            const offset = req.offset;
            if (offset > total) {
                await refuse({ key: 'offset past the end', why: `offset ${offset} past the end of a ${total}-byte blob` }, total);
                return;
            }
            // `length` is a maximum: the answer stops at the end of the blob
            const length = req.length === 0n || offset + req.length > total ? total - offset : req.length;
            if (length > BigInt(opts.maxResponseBytes)) {
                await reply({ status: BlobResponse.Status.TOO_LARGE, totalSize: total });
                await stream.close({ signal });
                return;
            }
            await reply({ status: BlobResponse.Status.OK, totalSize: total, offset, length });
            const raw = lp.unwrap();
            for await (const chunk of opts.store.readRange(digest, Number(offset), Number(length), opts.chunkBytes)) {
                await opts.bucket?.take(chunk.byteLength, signal);
                if (!raw.send(chunk))
                    await raw.onDrain({ signal });
                opts.onBytesOut?.(peer, chunk.byteLength);
            }
            await raw.close({ signal });
        }
        catch (err) {
            opts.onError?.(peer, err);
            stream.abort(err instanceof Error ? err : new Error(String(err)));
        }
        finally {
            opts.onActive?.(-1);
            const left = (active.get(peer) ?? 1) - 1;
            if (left <= 0)
                active.delete(peer);
            else
                active.set(peer, left);
        }
    };
}
/** Requests one range of a blob from one peer. */
export async function fetchRange(dial, peer, o) {
    const stream = await dial(peer, BLOB_PROTOCOL, { signal: o.signal });
    try {
        const lp = lpStream(stream, { maxDataLength: MAX_HEADER_BYTES });
        await lp.write(BlobRequest.encode({ version: BLOB_VERSION, digest: o.digest, offset: BigInt(o.offset), length: BigInt(o.length) }), { signal: o.signal });
        const res = BlobResponse.decode(await lp.read({ signal: o.signal }));
        if (res.version !== BLOB_VERSION) {
            throw new BlobProtocolError(`peer answered in blob protocol version ${res.version}; this node speaks version ${BLOB_VERSION}`, 'BLOB_VERSION');
        }
        if (res.status !== BlobResponse.Status.OK) {
            throw new BlobProtocolError(`peer answered ${BlobResponse.Status[res.status] ?? res.status}`, `BLOB_${BlobResponse.Status[res.status] ?? 'STATUS'}`);
        }
        const header = { totalSize: Number(res.totalSize), offset: Number(res.offset), length: Number(res.length) };
        if (!Number.isSafeInteger(header.totalSize) || header.totalSize > o.maxBytes)
            throw new BlobProtocolError(`blob of ${res.totalSize} bytes exceeds cap ${o.maxBytes}`, 'BLOB_TOO_LARGE');
        const rest = header.totalSize - o.offset;
        const wantLength = o.length === 0 ? rest : Math.min(o.length, rest);
        if (header.offset !== o.offset || header.length !== wantLength || o.offset + wantLength > header.totalSize) {
            throw new BlobProtocolError(`peer answered range ${res.offset}+${res.length}, asked ${o.offset}+${wantLength} of ${res.totalSize}`);
        }
        const dest = o.sink(header);
        if (dest.byteLength !== header.length)
            throw new BlobProtocolError('sink size differs from range length');
        const raw = lp.unwrap();
        await receiveExactly(raw, dest, o.signal, o.onBytesIn);
        return header;
    }
    catch (err) {
        stream.abort(err instanceof Error ? err : new Error(String(err)));
        throw err;
    }
    finally {
        if (stream.status === 'open')
            await stream.close().catch(() => { });
    }
}
/** Copies exactly dest.byteLength bytes from the stream into dest; more or fewer is an error. */
function receiveExactly(stream, dest, signal, onBytes) {
    return new Promise((resolve, reject) => {
        let got = 0;
        const cleanup = () => {
            stream.removeEventListener('message', onMessage);
            stream.removeEventListener('close', onClose);
            stream.removeEventListener('remoteCloseWrite', onEnd);
            signal.removeEventListener('abort', onAbort);
        };
        const fail = (err) => { cleanup(); reject(err); };
        const onMessage = (evt) => {
            const data = evt.data;
            const n = data.byteLength;
            if (got + n > dest.byteLength) {
                fail(new BlobProtocolError('peer sent more bytes than announced'));
                return;
            }
            if (data instanceof Uint8Array)
                dest.set(data, got);
            else {
                let at = got;
                for (const part of data) {
                    dest.set(part, at);
                    at += part.byteLength;
                }
            }
            got += n;
            onBytes?.(n);
            if (got === dest.byteLength) {
                cleanup();
                resolve();
            }
        };
        const onEnd = () => {
            if (got < dest.byteLength)
                fail(new BlobProtocolError(`stream ended after ${got}/${dest.byteLength} bytes`));
        };
        const onClose = (evt) => {
            const e = evt.error;
            if (got < dest.byteLength)
                fail(e ?? new BlobProtocolError(`stream closed after ${got}/${dest.byteLength} bytes`));
        };
        const onAbort = () => fail(new BlobProtocolError(`timed out after ${got}/${dest.byteLength} bytes`, 'BLOB_TIMEOUT'));
        if (dest.byteLength === 0) {
            resolve();
            return;
        }
        if (signal.aborted) {
            onAbort();
            return;
        }
        signal.addEventListener('abort', onAbort);
        stream.addEventListener('message', onMessage);
        stream.addEventListener('close', onClose);
        stream.addEventListener('remoteCloseWrite', onEnd);
    });
}
//# sourceMappingURL=blob-protocol.js.map