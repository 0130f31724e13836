// The settings of a miner or validator process, their defaults, and the role
// profiles in config/profiles/. `resolveNodeConfig` is what `gradmesh miner` and
// `gradmesh validator` call: flags > GRADMESH_* environment > --config file >
// profile > built-in defaults.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot } from '../../shared/repo-root.js';
import { ConfigError, readConfigFile, resolveConfig } from './resolve.js';

const multiaddr = z.string().regex(/^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/(tcp|udp)\/\d+/, 'a multiaddr such as /ip4/0.0.0.0/tcp/9000');
const peerMultiaddr = z.string().regex(/^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/tcp\/\d+(\/.*)?\/p2p\/[1-9A-HJ-NP-Za-km-z]{40,80}$/, 'a multiaddr ending in /p2p/<peer id>, e.g. /ip4/1.2.3.4/tcp/9000/p2p/12D3KooW…');
const name = z.string().min(1).regex(/^[^/\\\0]+$/, 'a name without slashes');

export const NodeConfigSchema = z.strictObject({
  run: z.string().min(1),
  dataDir: z.string().min(1).optional(),
  wallet: z.strictObject({ name, hotkey: name, path: z.string().min(1) }),
  subtensor: z.strictObject({
    network: z.enum(['finney', 'test', 'local']),
    chain_endpoint: z.string().regex(/^wss?:\/\/\S+$/, 'a ws:// or wss:// URL').optional(),
  }),
  devChain: z.string().regex(/^https?:\/\/\S+$/, 'an http:// URL of a gradmesh dev chain service').optional(),
  netuid: z.number().int().min(0).max(65535).optional(),
  listen: z.array(multiaddr).min(1),
  announce: z.array(multiaddr),
  bootstrap: z.array(peerMultiaddr),
  /**
   * NAT traversal (docs/p2p.md, NAT): public = dialled directly, no relay reservation;
   * private = reachable only through a relay; auto = AutoNAT decides, and the node
   * holds a relay reservation until it is known to be public.
   */
  reachability: z.enum(['auto', 'public', 'private']),
  /** serving as a circuit relay for peers behind NATs (validators do by default) */
  relay: z.strictObject({
    serve: z.boolean(),
    max_reservations: z.number().int().min(1).max(100_000),
    /** per relayed connection; 0 = no limit (any limit stops gossip over relayed connections) */
    data_limit_mib: z.number().min(0),
    duration_limit_s: z.number().min(0),
  }),
  dataset: z.string().min(1).optional(),
  threads: z.number().int().min(1).max(1024).optional(),
  /** engine backend: cpu, cuda (error if unusable), auto (CUDA when usable), or GPUs by index: cuda:N, cuda:0,1,2,3 (src/node/gpus.ts) */
  device: z.string().regex(/^(cpu|cuda|auto|cuda:\s*\d+(\s*,\s*\d+)*)$/, 'cpu, cuda, auto, cuda:N or cuda:N,M,…').optional(),
  /** the first N GPUs (as device cuda:0,…,N-1) */
  gpus: z.number().int().min(1).max(64).optional(),
  /** miners: data-parallel CPU ranks with sharded optimiser states */
  ranks: z.number().int().min(1).max(64).optional(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  /**
   * Bittensor's logging flags: --logging.debug and --logging.trace (over logLevel),
   * --logging.logging_dir DIR (the JSON log written there too).
   */
  logging: z.strictObject({
    debug: z.boolean().optional(),
    trace: z.boolean().optional(),
    logging_dir: z.string().min(1).optional(),
  }).optional(),
  ops: z.strictObject({
    /** The local API (status, /metrics, dashboard); false = no server. */
    enabled: z.boolean(),
    /** 0 = any free port (logged at start). */
    port: z.number().int().min(0).max(65535),
    host: z.string().min(1),
  }),
});

export type NodeConfig = z.infer<typeof NodeConfigSchema>;
export type NodeRole = 'miner' | 'validator';

/** Defaults that hold for every role (btcli's wallet location and names). */
export function baseNodeDefaults(home = homedir()): Record<string, unknown> {
  return {
    run: 'testnet-tiny',
    wallet: { name: 'default', hotkey: 'default', path: join(home, '.bittensor', 'wallets') },
    subtensor: { network: 'finney' },
    listen: ['/ip4/0.0.0.0/tcp/0'],
    announce: [],
    bootstrap: [],
    reachability: 'auto',
    relay: { serve: false, max_reservations: 64, data_limit_mib: 0, duration_limit_s: 0 },
    logLevel: 'info',
    ops: { enabled: true, port: 9900, host: '127.0.0.1' },
  };
}

export function profilePath(role: string): string {
  return join(repoRoot(), 'config', 'profiles', `${role}.json`);
}

/** The role's profile from config/profiles/ (empty when there is none). */
export function loadProfile(role: string): Record<string, unknown> {
  const path = profilePath(role);
  if (!existsSync(path)) return {};
  const raw = readConfigFile(path);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([{ field: '(profile)', expected: 'a JSON object of settings', from: path }]);
  }
  // "$comment" keys document a profile; they are not settings.
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$')));
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
      ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

export interface NodeConfigInputs {
  role: NodeRole;
  /** Explicitly given flags (see explicitFlags). A "config" key names the file. */
  flags?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; default: flags.config, then GRADMESH_CONFIG. */
  configPath?: string;
  home?: string;
}

export function resolveNodeConfig(i: NodeConfigInputs): NodeConfig {
  const env = i.env ?? process.env;
  const configPath = i.configPath ?? (typeof i.flags?.config === 'string' ? i.flags.config : undefined) ?? env.GRADMESH_CONFIG;
  const file = configPath ? readConfigFile(configPath) : undefined;
  return resolveConfig(NodeConfigSchema, {
    flags: i.flags ?? {},
    env,
    ...(file !== undefined ? { file, fileName: configPath } : {}),
    defaults: deepMerge(baseNodeDefaults(i.home), loadProfile(i.role)),
    defaultsName: `profile ${i.role} (config/profiles/${i.role}.json)`,
  });
}
