// The operations layer: status API, Prometheus metrics, dashboard, status client, config.
export * from './status.js';
export { OpsMetrics, type OpsMetricsOptions } from './metrics.js';
export { startOpsServer, OpsServerError, type OpsServer, type OpsServerOptions } from './server.js';
export { statusFromContext, contextStatusProvider, type StatusExtras } from './context-status.js';
export type { NodeStatusSource, StatusFigures, PeerFacts } from './status-source.js';
export { readP2PFigures, type P2PFigures, type P2PIntrospection } from './p2p-stats.js';
export { fetchStatus, fetchNodeEntries, opsBaseUrl, DEFAULT_OPS_URL } from './status-client.js';
export { formatStatus } from './format-status.js';
export { startNodeOps, startTestnetDashboard, type NodeOpsOptions, type TestnetDashboardOptions } from './node-ops.js';
export { dashboardHtml } from './dashboard.js';
export { resolveConfig, readConfigFile, explicitFlags, configLeaves, ConfigError, type ConfigIssue, type ConfigLayers } from './config/resolve.js';
export { NodeConfigSchema, resolveNodeConfig, loadProfile, baseNodeDefaults, type NodeConfig, type NodeRole } from './config/node-config.js';
export { PeerStatusBook, startStatusGossip, statusMessage, publishStatus, type HeardStatus, type PeerThetaAgreement, type StatusGossip } from './status-gossip.js';
