// The dev chain as a small loopback service, so separate node processes share one
// chain. Transport: JSON over HTTP (node:http).
//   POST /rpc     {method, params, hotkey?, signature?} → {result} | {error:{code,message}}
//   GET  /blocks  Server-Sent Events, one "data: <block number>" per new block
// State-changing calls carry an sr25519 signature by the hotkey over
// signingMessage(netuid, method, params); the server verifies it. (No replay
// protection: this is a dev chain on loopback.)
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { u8aToHex } from '@polkadot/util';
import { ChainError, type ChainErrorCode } from './errors.js';
import { DevChain, DevChainClient, SIGNED_METHODS, dispatchDevCall, signingMessage, verifyDevCall, type DevTransport } from './dev-chain.js';
import type { Chain } from './types.js';

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
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

function reply(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}

export async function startDevChainServer(chain: DevChain, opts: { port: number; host?: string }): Promise<{ url: string; close(): Promise<void> }> {
  const state = chain.state;
  const streams = new Set<ServerResponse>();
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
      const msg = JSON.parse(text) as { method?: unknown; params?: unknown; hotkey?: unknown; signature?: unknown };
      const method = typeof msg.method === 'string' ? msg.method : '';
      const params = Array.isArray(msg.params) ? (msg.params as unknown[]) : [];
      const signer = SIGNED_METHODS.has(method) ? verifyDevCall(state.netuid, method, params, msg.hotkey, msg.signature) : undefined;
      const result = dispatchDevCall(state, method, params, signer);
      reply(res, 200, { result: result ?? null });
    }).catch((e: unknown) => {
      // nothing a caller sends may crash the server: every failure is a JSON error
      const code: ChainErrorCode = e instanceof ChainError ? e.code : 'rpc';
      reply(res, 200, { error: { code, message: e instanceof Error ? e.message : String(e) } });
    });
  });
  const onBlock = (b: number) => {
    for (const s of streams) s.write(`data: ${b}\n\n`);
  };
  state.on('block', onBlock);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      state.off('block', onBlock);
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function httpTransport(url: string, netuid: number): DevTransport {
  const subs = new Set<() => void>();
  const unreachable = (e: unknown) => new ChainError('unreachable',
    `dev chain at ${url} is not reachable (${(e as Error).message}); start it (gradmesh testnet starts one) or check the URL`, { cause: e });
  return {
    async call(method, params, signer) {
      const body: Record<string, unknown> = { method, params };
      if (signer) {
        body.hotkey = signer.ss58;
        body.signature = u8aToHex(signer.pair.sign(signingMessage(netuid, method, params)));
      }
      let res: Response;
      try {
        res = await fetch(`${url}/rpc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      } catch (e) {
        throw unreachable(e);
      }
      const out = (await res.json()) as { result?: unknown; error?: { code: ChainErrorCode; message: string } };
      if (out.error) throw new ChainError(out.error.code, out.error.message);
      return out.result;
    },
    subscribe(cb) {
      return new Promise((resolve, reject) => {
        const req = httpRequest(`${url}/blocks`, (res) => {
          let buf = '';
          let last = -1;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let i: number;
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
          const unsub = () => {
            subs.delete(unsub);
            req.destroy();
          };
          subs.add(unsub);
          resolve(unsub);
        });
        req.on('error', (e) => reject(unreachable(e)));
        req.end();
      });
    },
    async close() {
      for (const u of [...subs]) u();
    },
  };
}

/** a Chain over a dev chain served by startDevChainServer */
export async function connectDevChain(url: string, netuid?: number): Promise<DevChainClient & Chain> {
  const probe = httpTransport(url, netuid ?? 0);
  // the server's netuid is authoritative; a mismatch is a config error worth stopping on
  const served = (await probe.call('netuidOf', [])) as number;
  if (netuid !== undefined && served !== netuid) {
    throw new ChainError('subnet_not_found', `the dev chain at ${url} serves subnet ${served}, not ${netuid}; use --netuid ${served}`);
  }
  return new DevChainClient(served, httpTransport(url, served));
}
