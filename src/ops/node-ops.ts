// Wiring for the node layer: one call starts a node's operations server (status
// API, Prometheus metrics, dashboard) and one starts a testnet's aggregate page.
import type { NodeStatusSource } from './status-source.js';
import { contextStatusProvider, type StatusExtras } from './context-status.js';
import { startOpsServer, type OpsServer } from './server.js';
import { fetchNodeEntries } from './status-client.js';
import { startStatusGossip } from './status-gossip.js';

export interface NodeOpsOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  extras?: StatusExtras;
  /** Gossip this node's θ and compare with its peers' (default true). */
  statusGossip?: boolean;
}

/**
 * Serves GET /api/status, /metrics and the dashboard for one running node, and (unless
 * turned off) starts the status gossip that measures θ agreement with peers.
 */
export async function startNodeOps(ctx: NodeStatusSource, o: NodeOpsOptions): Promise<OpsServer> {
  const gossip = o.statusGossip === false ? undefined : startStatusGossip(ctx);
  try {
    const server = await startOpsServer({
      port: o.port,
      ...(o.host ? { host: o.host } : {}),
      name: `${ctx.role} ${ctx.uid}`,
      title: `gradmesh ${ctx.role} ${ctx.uid}`,
      status: contextStatusProvider(ctx, { ...o.extras, ...(gossip ? { peerStatus: gossip.book } : {}) }),
    });
    return {
      ...server,
      close: async () => {
        gossip?.stop();
        await server.close();
      },
    };
  } catch (e) {
    gossip?.stop();
    throw e;
  }
}

export interface TestnetDashboardOptions {
  port: number;
  host?: string;
  /** The nodes to show: their names and the base URLs of their ops APIs (read at each poll). */
  nodes: () => Array<{ name: string; url: string }>;
  /** Per-node status timeout (default 1500 ms), so one hung node does not stall the page. */
  timeoutMs?: number;
}

/** Serves the same dashboard for a whole testnet, aggregating each node's /api/status. */
export function startTestnetDashboard(o: TestnetDashboardOptions): Promise<OpsServer> {
  return startOpsServer({
    port: o.port,
    ...(o.host ? { host: o.host } : {}),
    title: 'gradmesh testnet',
    nodes: () => fetchNodeEntries(o.nodes(), { timeoutMs: o.timeoutMs ?? 1500 }),
  });
}
