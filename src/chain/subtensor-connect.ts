// Endpoint resolution and a WebSocket connection that retries with exponential
// backoff. @polkadot's own auto-reconnect retries at a fixed interval forever, which
// hides a wrong endpoint; here the first connection must succeed within a deadline
// (else one clear ChainError), and later drops are retried with growing delays.
import { WsProvider } from '@polkadot/api';
import { ChainError } from './errors.js';

export const SUBTENSOR_NETWORKS = {
  finney: 'wss://entrypoint-finney.opentensor.ai:443',
  test: 'wss://test.finney.opentensor.ai:443',
  local: 'ws://127.0.0.1:9944',
} as const;
export type SubtensorNetwork = keyof typeof SUBTENSOR_NETWORKS;

export function resolveEndpoint(opts: { network?: string; endpoint?: string }): string {
  if (opts.endpoint) {
    let url: URL;
    try {
      url = new URL(opts.endpoint);
    } catch {
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
  return SUBTENSOR_NETWORKS[network as SubtensorNetwork];
}

export interface BackoffOptions {
  connectTimeoutMs?: number; // first connection deadline (default 15 s)
  minDelayMs?: number; // first retry delay after a drop (default 1 s)
  maxDelayMs?: number; // cap (default 30 s)
}

/** opens a WsProvider, failing clearly when the first connection does not come up */
export async function openProvider(endpoint: string, opts: BackoffOptions = {}): Promise<WsProvider> {
  const provider = new WsProvider(endpoint, false);
  const timeoutMs = opts.connectTimeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChainError('unreachable',
      `could not connect to subtensor at ${endpoint} within ${timeoutMs / 1000} s; check --subtensor.network / --subtensor.chain_endpoint, your network, or start a local node (ws://127.0.0.1:9944)`)), timeoutMs);
  });
  // connect() rejects on some failures and merely emits 'error' on others: retry quietly
  // until the deadline so a node that is still starting gets a chance.
  let gaveUp = false;
  const attempt = async (): Promise<void> => {
    let delay = 250;
    while (!gaveUp && !provider.isConnected) {
      try {
        await provider.connect();
        await provider.isReady;
        return;
      } catch {
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  };
  const connected = new Promise<void>((resolve) => {
    if (provider.isConnected) resolve();
    provider.on('connected', () => resolve());
  });
  try {
    void attempt().catch(() => undefined);
    await Promise.race([connected, deadline]);
  } catch (e) {
    gaveUp = true;
    await provider.disconnect().catch(() => undefined);
    throw e;
  } finally {
    clearTimeout(timer);
  }
  keepReconnecting(provider, opts);
  return provider;
}

function keepReconnecting(provider: WsProvider, opts: BackoffOptions): void {
  const min = opts.minDelayMs ?? 1000;
  const max = opts.maxDelayMs ?? 30_000;
  let delay = min;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  const origDisconnect = provider.disconnect.bind(provider);
  provider.disconnect = async () => {
    closing = true;
    clearTimeout(timer);
    return origDisconnect();
  };
  provider.on('connected', () => {
    delay = min;
  });
  provider.on('disconnected', () => {
    if (closing) return;
    const retry = () => {
      if (closing || provider.isConnected) return;
      provider.connect().catch(() => undefined);
      delay = Math.min(delay * 2, max);
      timer = setTimeout(retry, delay);
      timer.unref();
    };
    timer = setTimeout(retry, delay);
    timer.unref();
  });
}
