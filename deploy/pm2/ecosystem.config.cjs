// pm2 process file for gradmesh, as Templar's miners run theirs:
//   pm2 start deploy/pm2/ecosystem.config.cjs --only gradmesh-miner
//   pm2 logs gradmesh-miner; pm2 save && pm2 startup   (start at boot)
// Run it from the repository root after `npm ci && npm run build`. Settings are
// GRADMESH_* variables (docs/operators.md "Configuration"); change them here or point
// GRADMESH_CONFIG at a JSON file (deploy/config/node.example.json).
// CommonJS (.cjs): pm2 loads ecosystem files with require(), and package.json says "module".
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

/** One pm2 app per role; the same restart and shutdown rules for both. */
function node(role, env) {
  return {
    name: `gradmesh-${role}`,
    script: path.join(root, 'bin', 'gradmesh.js'),
    args: [role],
    cwd: root,
    interpreter: 'node',
    // one process: the node is single-threaded in JS and uses native threads for training
    exec_mode: 'fork',
    instances: 1,
    autorestart: true,
    // back off 1 s, 1.5 s, … up to 15 s between restarts, reset after 30 s of uptime
    exp_backoff_restart_delay: 1000,
    min_uptime: 30000,
    max_restarts: 50,
    // not restarted: 2 = a usage error, 78 = below the run's compute floor (a restart
    // cannot fix either; fix the settings or pass --force)
    stop_exit_codes: [2, 78],
    // SIGINT, then SIGKILL after this long: the node saves its state on the way out
    kill_timeout: 180000,
    // JSON lines with pm2's timestamps; pretty printing is for terminals
    time: true,
    merge_logs: true,
    env: { GRADMESH_LOG_JSON: '1', ...env },
  };
}

module.exports = {
  apps: [
    node('miner', {
      GRADMESH_WALLET_NAME: 'miner',
      GRADMESH_WALLET_HOTKEY: 'default',
      GRADMESH_SUBTENSOR_NETWORK: 'finney',
      GRADMESH_LISTEN: '/ip4/0.0.0.0/tcp/9000',
      GRADMESH_OPS_PORT: '9900',
    }),
    node('validator', {
      GRADMESH_WALLET_NAME: 'validator',
      GRADMESH_WALLET_HOTKEY: 'default',
      GRADMESH_SUBTENSOR_NETWORK: 'finney',
      GRADMESH_LISTEN: '/ip4/0.0.0.0/tcp/9100',
      GRADMESH_OPS_PORT: '9901',
    }),
  ],
};
