// Endpoint resolution and a WebSocket connection that retries with exponential
// backoff. @polkadot's own auto-reconnect retries at a fixed interval forever, which
// hides a wrong endpoint; here the first connection must succeed within a deadline
// (else one clear ChainError), and later drops are retried with growing delays by
// one chain at a time (reconnect.ts).
import { WsProvider } from '@polkadot/api';
import { ChainError } from './errors.js';
import { ReconnectChain } from './reconnect.js';
export const SUBTENSOR_NETWORKS = {
    finney: 'wss://entrypoint-finney.opentensor.ai:443',
    test: 'wss://test.finney.opentensor.ai:443',
    local: 'ws://127.0.0.1:9944',
};
export function resolveEndpoint(opts) {
    if (opts.endpoint) {
        let url;
        try {
            url = new URL(opts.endpoint);
        }
        catch {
            throw new ChainError('bad_endpoint', `--subtensor.chain_endpoint "${opts.endpoint}" is not a URL; use e.g. ws://127.0.0.1:9944 or wss://entrypoint-finney.opentensor.ai:443`);
        }
        if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
            throw new ChainError('bad_endpoint', `--subtensor.chain_endpoint must be a ws:// or wss:// URL, got "${opts.endpoint}"`);
        }
        return opts.endpoint;
    }
    const network = opts.network ?? 'finney';
    if (!(network in SUBTENSOR_NETWORKS)) {
        throw new ChainError('bad_endpoint', `unknown --subtensor.network "${network}"; use one of ${Object.keys(SUBTENSOR_NETWORKS).join(', ')}, or --subtensor.chain_endpoint URL`);
    }
    return SUBTENSOR_NETWORKS[network];
}
const stderrLog = {
    warn: (obj, msg) => { process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`); },
    info: (obj, msg) => { process.stderr.write(`${msg} ${JSON.stringify(obj)}\n`); },
};
/**
 * Opens a WsProvider, failing clearly when the first connection does not come up
 * within the deadline. Until then, and after every later drop, one ReconnectChain
 * retries with backoff; provider.disconnect() ends it.
 */
export async function openProvider(endpoint, opts = {}) {
    const provider = new WsProvider(endpoint, false);
    const timeoutMs = opts.connectTimeoutMs ?? 15_000;
    const chain = new ReconnectChain(provider, {
        endpoint,
        firstConnectTimeoutMs: timeoutMs,
        minDelayMs: opts.minDelayMs ?? 1000,
        maxDelayMs: opts.maxDelayMs ?? 30_000,
        stableMs: opts.stableMs ?? 10_000,
        log: opts.log ?? stderrLog,
    });
    const disconnect = provider.disconnect.bind(provider);
    provider.disconnect = async () => {
        chain.stop();
        return disconnect();
    };
    let timer;
    const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ChainError('unreachable', `could not connect to subtensor at ${endpoint} within ${timeoutMs / 1000} s; check --subtensor.network / --subtensor.chain_endpoint, your network, or start a local node (ws://127.0.0.1:9944)`)), timeoutMs);
    });
    const connected = new Promise((resolve) => {
        provider.on('connected', () => resolve());
    });
    try {
        // A failed first attempt emits 'disconnected', which starts the chain, so a node
        // that is still starting gets a chance until the deadline.
        provider.connect().catch(() => chain.ensureRunning());
        await Promise.race([connected, deadline]);
    }
    catch (e) {
        await provider.disconnect().catch(() => undefined);
        throw e;
    }
    finally {
        clearTimeout(timer);
    }
    return provider;
}
//# sourceMappingURL=subtensor-connect.js.map