// The operations layer: status API, Prometheus metrics, dashboard, status client, config.
export * from './status.js';
export { OpsMetrics } from './metrics.js';
export { startOpsServer, OpsServerError } from './server.js';
export { statusFromContext, contextStatusProvider } from './context-status.js';
export { readP2PFigures } from './p2p-stats.js';
export { fetchStatus, fetchNodeEntries, opsBaseUrl, DEFAULT_OPS_URL } from './status-client.js';
export { formatStatus } from './format-status.js';
export { startNodeOps, startTestnetDashboard } from './node-ops.js';
export { dashboardHtml } from './dashboard.js';
export { resolveConfig, readConfigFile, explicitFlags, configLeaves, ConfigError } from './config/resolve.js';
export { NodeConfigSchema, resolveNodeConfig, loadProfile, baseNodeDefaults } from './config/node-config.js';
export { PeerStatusBook, startStatusGossip, statusMessage, publishStatus } from './status-gossip.js';
//# sourceMappingURL=index.js.map