// The dev chain as a small loopback service, so separate node processes share one
// chain. Transport: JSON over HTTP (node:http).
//   POST /rpc     {method, params, hotkey?, signature?} → {result} | {error:{code,message}}
//   GET  /blocks  Server-Sent Events, one "data: <block number>" per new block
// State-changing calls carry an sr25519 signature by the hotkey over
// signingMessage(netuid, method, params); the server verifies it. (No replay
// protection: this is a dev chain on loopback.)
import { createServer, request as httpRequest } from 'node:http';
import { u8aToHex } from '@polkadot/util';
import { ChainError } from './errors.js';
import { DevChainClient, SIGNED_METHODS, dispatchDevCall, signingMessage, verifyDevCall } from './dev-chain.js';
const MAX_BODY = 1 << 20;
function readBody(req) {
    return new Promise((resolve, reject) => {
        let size = 0;
        const chunks = [];
        req.on('data', (c) => {
            size += c.length;
            if (size > MAX_BODY) {
                reject(new ChainError('rpc', 'request body too large'));
                req.destroy();
                return;
            }
            chunks.push(c);
        });
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });
}
function reply(res, status, body) {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
}
export async function startDevChainServer(chain, opts) {
    const state = chain.state;
    const streams = new Set();
    const server = createServer((req, res) => {
        if (req.method === 'GET' && req.url === '/blocks') {
            res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
            res.write(`data: ${state.block}\n\n`);
            streams.add(res);
            req.on('close', () => streams.delete(res));
            return;
        }
        if (req.method !== 'POST' || req.url !== '/rpc') {
            reply(res, 404, { error: { code: 'rpc', message: 'use POST /rpc or GET /blocks' } });
            return;
        }
        readBody(req).then((text) => {
            const msg = JSON.parse(text);
            const method = typeof msg.method === 'string' ? msg.method : '';
            const params = Array.isArray(msg.params) ? msg.params : [];
            const signer = SIGNED_METHODS.has(method) ? verifyDevCall(state.netuid, method, params, msg.hotkey, msg.signature) : undefined;
            const result = dispatchDevCall(state, method, params, signer);
            reply(res, 200, { result: result ?? null });
        }).catch((e) => {
            // nothing a caller sends may crash the server: every failure is a JSON error
            const code = e instanceof ChainError ? e.code : 'rpc';
            reply(res, 200, { error: { code, message: e instanceof Error ? e.message : String(e) } });
        });
    });
    const onBlock = (b) => {
        for (const s of streams)
            s.write(`data: ${b}\n\n`);
    };
    state.on('block', onBlock);
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    return {
        url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
        close: async () => {
            state.off('block', onBlock);
            for (const s of streams)
                s.end();
            streams.clear();
            server.closeAllConnections();
            await new Promise((r) => server.close(() => r()));
        },
    };
}
const stderrLog = {
    warn: (obj, msg) => { process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`); },
    info: (obj, msg) => { process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`); },
};
/** Why a request did not reach the server: the socket error's code (ECONNREFUSED) when there is one. */
function whyUnreachable(e) {
    let cur = e;
    for (let i = 0; i < 4 && cur; i++) {
        const code = cur.code;
        if (typeof code === 'string' && code !== 'unreachable')
            return code;
        cur = cur.cause;
    }
    return e?.message ?? String(e);
}
function httpTransport(url, netuid, b) {
    const subs = new Set();
    const unreachable = (e) => new ChainError('unreachable', `dev chain at ${url} is not reachable (${e.message}); start it (gradmesh testnet starts one) or check the URL`, { cause: e });
    return {
        async call(method, params, signer) {
            const body = { method, params };
            if (signer) {
                body.hotkey = signer.ss58;
                body.signature = u8aToHex(signer.pair.sign(signingMessage(netuid, method, params)));
            }
            let res;
            try {
                res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
            }
            catch (e) {
                throw unreachable(e);
            }
            const out = (await res.json());
            if (out.error)
                throw new ChainError(out.error.code, out.error.message);
            return out.result;
        },
        // One Server-Sent Events stream of block numbers. The first request must succeed
        // (else the subscription fails); afterwards a stream that ends or errs (the chain
        // service stopped or restarted) is reopened with backoff, each attempt logged: a
        // node whose blocks stopped used to wait for the next window in silence, forever.
        subscribe(cb) {
            let last = -1;
            let closed = false;
            let req;
            let timer;
            let attempt = 0;
            let delay = b.minDelayMs;
            const unsub = () => {
                closed = true;
                clearTimeout(timer);
                subs.delete(unsub);
                req?.destroy();
            };
            return new Promise((resolve, reject) => {
                let subscribed = false;
                const open = () => {
                    timer = undefined;
                    if (closed)
                        return;
                    let ended = false;
                    const lost = (why) => {
                        if (ended || closed)
                            return;
                        ended = true;
                        attempt++;
                        const wait = delay;
                        delay = Math.min(delay * 2, b.maxDelayMs);
                        b.log.warn({ endpoint: url, attempt, nextAttemptInMs: wait, err: why }, `dev chain block stream from ${url} lost (${why}): reopening it; retry ${attempt} in ${wait} ms`);
                        timer = setTimeout(open, wait);
                        timer.unref();
                    };
                    const r = httpRequest(`${url}/blocks`, (res) => {
                        if (!subscribed) {
                            subscribed = true;
                            subs.add(unsub);
                            resolve(unsub);
                        }
                        else if (attempt > 0) {
                            b.log.info({ endpoint: url, attempt }, `dev chain block stream from ${url} back`);
                        }
                        attempt = 0;
                        delay = b.minDelayMs;
                        let buf = '';
                        res.setEncoding('utf8');
                        res.on('data', (chunk) => {
                            buf += chunk;
                            let i;
                            while ((i = buf.indexOf('\n\n')) >= 0) {
                                const line = buf.slice(0, i);
                                buf = buf.slice(i + 2);
                                const n = Number(line.replace(/^data: /, ''));
                                if (Number.isInteger(n) && n > last) {
                                    last = n;
                                    cb(n);
                                }
                            }
                        });
                        res.on('end', () => lost('the stream ended'));
                        res.on('close', () => lost('the stream closed'));
                        res.on('error', (e) => lost(whyUnreachable(e)));
                    });
                    req = r;
                    r.on('error', (e) => {
                        if (!subscribed) {
                            closed = true;
                            reject(unreachable(e));
                            return;
                        }
                        lost(whyUnreachable(e));
                    });
                    r.end();
                };
                open();
            });
        },
        async close() {
            for (const u of [...subs])
                u();
        },
    };
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * A Chain over a dev chain served by startDevChainServer. With `connectTimeoutMs`, a
 * URL where nothing answers yet is retried until then, each retry logged with what it
 * waits for; past the deadline (or at once without one) one ChainError 'unreachable'.
 */
export async function connectDevChain(url, netuid, o = {}) {
    const b = { minDelayMs: o.minDelayMs ?? 1000, maxDelayMs: o.maxDelayMs ?? 10_000, log: o.log ?? stderrLog };
    const timeoutMs = o.connectTimeoutMs ?? 0;
    const probe = httpTransport(url, netuid ?? 0, b);
    const giveUpAt = Date.now() + timeoutMs;
    let delay = b.minDelayMs;
    let attempt = 0;
    let served;
    for (;;) {
        try {
            served = (await probe.call('netuidOf', []));
            break;
        }
        catch (e) {
            if (!(e instanceof ChainError && e.code === 'unreachable') || timeoutMs <= 0)
                throw e;
            const why = whyUnreachable(e);
            const left = giveUpAt - Date.now();
            if (left <= 0) {
                throw new ChainError('unreachable', `dev chain at ${url} did not answer within ${timeoutMs / 1000} s (${why}); is the testnet running? ` +
                    '(gradmesh testnet serves the dev chain and lists its URL in DIR/testnet.json)', { cause: e });
            }
            attempt++;
            const wait = Math.min(delay, left);
            delay = Math.min(delay * 2, b.maxDelayMs);
            b.log.warn({ endpoint: url, attempt, nextAttemptInMs: wait, giveUpInMs: left, err: why }, `dev chain at ${url} not reachable yet (${why}): waiting for it (gradmesh testnet serves it); retry ${attempt} in ${wait} ms, giving up in ${Math.ceil(left / 1000)} s`);
            await sleep(wait);
        }
    }
    if (attempt > 0)
        b.log.info({ endpoint: url, attempt }, `dev chain at ${url} connected`);
    // the server's netuid is authoritative; a mismatch is a config error worth stopping on
    if (netuid !== undefined && served !== netuid) {
        throw new ChainError('subnet_not_found', `the dev chain at ${url} serves subnet ${served}, not ${netuid}; use --netuid ${served}`);
    }
    return new DevChainClient(served, httpTransport(url, served, b));
}
//# sourceMappingURL=dev-chain-server.js.map