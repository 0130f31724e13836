// The local operations API (node:http), one per node and one for a whole testnet:
//   GET /            the dashboard page (self-contained HTML, no external requests)
//   GET /api/status  this node's status (node mode)
//   GET /api/nodes   every node the page should show: { title, nodes: NodeEntry[] }
//   GET /metrics     Prometheus text (node mode)
// It binds to 127.0.0.1 unless told otherwise: the status names the hotkey and peers,
// and nothing here needs to face the internet (Prometheus scrapes it locally or
// through the operator's own tunnel).
import { createServer } from 'node:http';
import { dashboardHtml } from './dashboard.js';
import { OpsMetrics } from './metrics.js';
export class OpsServerError extends Error {
    constructor(message) {
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
function send(res, code, type, body, extra = {}) {
    res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...extra });
    res.end(body);
}
function sendJson(res, code, value) {
    send(res, code, 'application/json; charset=utf-8', JSON.stringify(value));
}
export async function startOpsServer(o) {
    if (!o.status && !o.nodes)
        throw new OpsServerError('startOpsServer needs a status provider or a node list');
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
        throw new OpsServerError(`ops port: expected an integer 0..65535, got ${o.port}`);
    const host = o.host ?? '127.0.0.1';
    const title = o.title ?? (o.nodes ? 'gradmesh testnet' : 'gradmesh node');
    const page = dashboardHtml({ title, pollMs: o.pollMs ?? 2000 });
    const metrics = o.metrics === false ? undefined : (o.metrics ?? (o.status && !o.nodes ? new OpsMetrics(o.status) : undefined));
    const selfName = o.name ?? 'node';
    let selfUrl = '';
    const nodes = async () => {
        if (o.nodes)
            return o.nodes();
        try {
            return [{ name: selfName, url: selfUrl, status: await o.status() }];
        }
        catch (e) {
            return [{ name: selfName, url: selfUrl, error: e.message }];
        }
    };
    const handle = async (req, res) => {
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
    const server = createServer((req, res) => {
        handle(req, res).catch((e) => {
            // A failing provider must not take the node down: answer 503 and carry on.
            if (!res.headersSent)
                sendJson(res, 503, { error: e.message ?? String(e) });
            else
                res.destroy();
        });
    });
    server.keepAliveTimeout = 5000;
    await new Promise((resolve, reject) => {
        const onError = (e) => {
            reject(new OpsServerError(e.code === 'EADDRINUSE' ? `ops port ${o.port} on ${host} is in use (pick another with --ops-port)` : `cannot listen on ${host}:${o.port}: ${e.message}`));
        };
        server.once('error', onError);
        server.listen(o.port, host, () => {
            server.off('error', onError);
            resolve();
        });
    });
    const port = server.address().port;
    selfUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return {
        url: selfUrl,
        port,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        }),
    };
}
//# sourceMappingURL=server.js.map