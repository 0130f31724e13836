import { contextStatusProvider } from './context-status.js';
import { startOpsServer } from './server.js';
import { fetchNodeEntries } from './status-client.js';
import { startStatusGossip } from './status-gossip.js';
/**
 * Serves GET /api/status, /metrics and the dashboard for one running node, and (unless
 * turned off) starts the status gossip that measures θ agreement with peers.
 */
export async function startNodeOps(ctx, o) {
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
    }
    catch (e) {
        gossip?.stop();
        throw e;
    }
}
/** Serves the same dashboard for a whole testnet, aggregating each node's /api/status. */
export function startTestnetDashboard(o) {
    return startOpsServer({
        port: o.port,
        ...(o.host ? { host: o.host } : {}),
        title: 'gradmesh testnet',
        nodes: () => fetchNodeEntries(o.nodes(), { timeoutMs: o.timeoutMs ?? 1500 }),
    });
}
//# sourceMappingURL=node-ops.js.map