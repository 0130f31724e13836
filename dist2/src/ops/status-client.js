// Reads a node's status from its local API (what `gradmesh status` and the testnet
// dashboard do). The answer is validated: a wrong URL, another service on the port
// or a node of another version gives a clear StatusError, never a crash.
import { parseNodeStatus, StatusError } from './status.js';
export const DEFAULT_OPS_URL = 'http://127.0.0.1:9900';
/** Normalises "127.0.0.1:9900", "http://host:port/" and the like to a base URL. */
export function opsBaseUrl(url) {
    const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
    let u;
    try {
        u = new URL(withScheme);
    }
    catch {
        throw new StatusError(`not a URL: ${JSON.stringify(url)} (expected e.g. ${DEFAULT_OPS_URL})`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new StatusError(`${url}: expected an http:// URL`);
    return `${u.protocol}//${u.host}`;
}
export async function fetchStatus(url, o = {}) {
    const base = opsBaseUrl(url);
    const target = `${base}/api/status`;
    let res;
    try {
        res = await fetch(target, { signal: AbortSignal.timeout(o.timeoutMs ?? 5000), headers: { accept: 'application/json' } });
    }
    catch (e) {
        const err = e;
        const why = err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs ?? 5000} ms` : (err.cause?.code ?? err.message);
        throw new StatusError(`cannot reach the node at ${base} (${why}); is it running, with its ops API on that port (--ops.port)?`);
    }
    if (!res.ok)
        throw new StatusError(`${target} answered HTTP ${res.status}`);
    let body;
    try {
        body = await res.json();
    }
    catch {
        throw new StatusError(`${target} did not answer JSON: is this a gradmesh node?`);
    }
    return parseNodeStatus(body, target);
}
/** Fetches every node's status in parallel; a node that does not answer gets an error entry. */
export async function fetchNodeEntries(nodes, o = {}) {
    return Promise.all(nodes.map(async (n) => {
        try {
            return { name: n.name, url: n.url, status: await fetchStatus(n.url, o) };
        }
        catch (e) {
            return { name: n.name, url: n.url, error: e.message };
        }
    }));
}
//# sourceMappingURL=status-client.js.map