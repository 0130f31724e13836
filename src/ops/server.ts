// The local operations API (node:http), one per node and one for a whole testnet:
//   GET /            the dashboard page (self-contained HTML, no external requests)
//   GET /api/status  this node's status (node mode)
//   GET /api/nodes   every node the page should show: { title, nodes: NodeEntry[] }
//   GET /metrics     Prometheus text (node mode)
// It binds to 127.0.0.1 unless told otherwise: the status names the hotkey and peers,
// and nothing here needs to face the internet (Prometheus scrapes it locally or
// through the operator's own tunnel).
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dashboardHtml } from './dashboard.js';
import { OpsMetrics } from './metrics.js';
import type { NodeEntry, StatusProvider } from './status.js';

export interface OpsServerOptions {
  /** TCP port; 0 picks a free one (the server reports it). */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Page title. */
  title?: string;
  /** How often the page polls /api/nodes, in ms (default 2000). */
  pollMs?: number;
  /** Node mode: the status of the node this server belongs to. */
  status?: StatusProvider;
  /** Name of this node on the dashboard (node mode). */
  name?: string;
  /** Aggregate mode (testnet): every node to show. Used instead of `status` when given. */
  nodes?: () => Promise<NodeEntry[]> | NodeEntry[];
  /** Prometheus metrics in node mode (default: built from `status`); false turns /metrics off. */
  metrics?: OpsMetrics | false;
}

export interface OpsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class OpsServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpsServerError';
  }
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

// The page may run only its own inline script and talk only to this server.
const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";

function send(res: ServerResponse, code: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, code: number, value: unknown): void {
  send(res, code, 'application/json; charset=utf-8', JSON.stringify(value));
}

export async function startOpsServer(o: OpsServerOptions): Promise<OpsServer> {
  if (!o.status && !o.nodes) throw new OpsServerError('startOpsServer needs a status provider or a node list');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new OpsServerError(`ops port: expected an integer 0..65535, got ${o.port}`);
  const host = o.host ?? '127.0.0.1';
  const title = o.title ?? (o.nodes ? 'gradmesh testnet' : 'gradmesh node');
  const page = dashboardHtml({ title, pollMs: o.pollMs ?? 2000 });
  const metrics = o.metrics === false ? undefined : (o.metrics ?? (o.status && !o.nodes ? new OpsMetrics(o.status) : undefined));
  const selfName = o.name ?? 'node';
  let selfUrl = '';

  const nodes = async (): Promise<NodeEntry[]> => {
    if (o.nodes) return o.nodes();
    try {
      return [{ name: selfName, url: selfUrl, status: await o.status!() }];
    } catch (e) {
      return [{ name: selfName, url: selfUrl, error: (e as Error).message }];
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'only GET\n', { allow: 'GET, HEAD' });
      return;
    }
    switch (path) {
      case '/':
      case '/index.html':
        send(res, 200, 'text/html; charset=utf-8', page, { 'content-security-policy': PAGE_CSP });
        return;
      case '/api/nodes':
        sendJson(res, 200, { title, nodes: await nodes() });
        return;
      case '/api/status':
        if (!o.status || o.nodes) {
          sendJson(res, 404, { error: 'this server aggregates several nodes: see /api/nodes' });
          return;
        }
        sendJson(res, 200, await o.status());
        return;
      case '/metrics':
        if (!metrics) {
          send(res, 404, 'text/plain; charset=utf-8', 'no metrics here\n');
          return;
        }
        send(res, 200, metrics.contentType, await metrics.render());
        return;
      default:
        send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A failing provider must not take the node down: answer 503 and carry on.
      if (!res.headersSent) sendJson(res, 503, { error: (e as Error).message ?? String(e) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(new OpsServerError(e.code === 'EADDRINUSE' ? `ops port ${o.port} on ${host} is in use (pick another with --ops-port)` : `cannot listen on ${host}:${o.port}: ${e.message}`));
    };
    server.once('error', onError);
    server.listen(o.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  selfUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: selfUrl,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
