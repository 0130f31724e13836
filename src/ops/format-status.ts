// `gradmesh status`: a node's status as one screen of plain text.
import type { LossPoint, NodeStatus } from './status.js';

export function formatBytes(n: number): string {
  if (!(n > 0)) return '0 B';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

const SPARK = '▁▂▃▄▅▆▇█';

/** The last `width` points as a sparkline (higher = larger loss). */
export function sparkline(points: LossPoint[], width = 32): string {
  const xs = points.slice(-width).map((p) => p.loss);
  if (!xs.length) return '';
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return xs.map((x) => SPARK[hi === lo ? 3 : Math.round(((x - lo) / (hi - lo)) * (SPARK.length - 1))]).join('');
}

function byTopic(table: Record<string, number>): string {
  const total = Object.values(table).reduce((a, b) => a + b, 0);
  const parts = Object.entries(table)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${formatBytes(n)}`);
  return parts.length ? `${formatBytes(total)} (${parts.join(', ')})` : '0 B';
}

function lastPoint(xs: LossPoint[]): LossPoint | undefined {
  return xs.length ? xs[xs.length - 1] : undefined;
}

export function formatStatus(s: NodeStatus): string {
  const lines: string[] = [];
  const row = (label: string, text: string): void => {
    lines.push(`${label.padEnd(9)}${text}`);
  };
  lines.push(`gradmesh ${s.role} · uid ${s.uid} · run ${s.run} (runHash ${s.runHash.slice(0, 12)}…) · up ${formatDuration(s.uptimeS)}`);
  row('identity', `peer ${s.peerId}${s.hotkey ? `  hotkey ${s.hotkey}` : ''}`);
  const intoWindow = s.block - s.window * s.blocksPerWindow + 1;
  row('window', `${s.window}  (block ${s.block}, ${Math.min(intoWindow, s.blocksPerWindow)}/${s.blocksPerWindow} of the window)`);
  const head = s.headWindow < 0 ? 'no manifest applied yet' : `manifest of window ${s.headWindow} applied`;
  const missed = s.manifestsMissed ? `, ${s.manifestsMissed} MISSED` : '';
  row('θ', `${s.thetaHash.slice(0, 16)}…  ${s.inSync ? 'in sync' : 'OUT OF SYNC'} · ${head} (${s.manifestsApplied} this session${missed})`);
  if (s.peerTheta) {
    const t = s.peerTheta;
    row('θ peers', `at θ_${t.thetaWindow}: ${t.agreeing} agree${t.differing ? `, ${t.differing} DIFFER` : ', none differ'} · ${t.elsewhere} at another window`);
  }
  const tl = lastPoint(s.trainLoss);
  if (s.role === 'miner' || tl) {
    row('training', tl
      ? `loss ${tl.loss.toFixed(4)} (window ${tl.window}) · ${s.tokensPerSecond.toFixed(0)} tok/s · ${s.innerSteps} inner steps  ${sparkline(s.trainLoss)}`
      : `no window trained yet · ${s.innerSteps} inner steps`);
  }
  const ev = lastPoint(s.evalLoss);
  if (ev) row('held-out', `loss ${ev.loss.toFixed(4)} (window ${ev.window})  ${sparkline(s.evalLoss)}`);
  const roles = { miner: 0, validator: 0, unregistered: 0 };
  for (const p of s.peers) roles[p.role]++;
  const scores = s.peers.flatMap((p) => (p.score === undefined ? [] : [p.score]));
  const scoreText = scores.length
    ? `; gossip score min ${Math.min(...scores).toFixed(2)}, mean ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(2)}`
    : '';
  const n = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
  // A claim the chain does not back is shown, not believed (context-status.ts peerRole).
  const claims = s.peers.filter((p) => p.role === 'miner' && p.claimedRole === 'validator').length;
  const minerText = `${n(roles.miner, 'miner')}${claims ? ` (${claims} claim${claims === 1 ? 's' : ''} validator)` : ''}`;
  row('peers', `${s.peers.length} connected: ${minerText}, ${n(roles.validator, 'validator')}, ${roles.unregistered} unregistered${scoreText}`);
  row('wire in', byTopic(s.bytes.in));
  row('wire out', `${byTopic(s.bytes.out)} · ${s.bytes.announcements} payloads announced (${formatBytes(s.bytes.announced)}) · ${s.fetchFailures} failed fetches`);
  row('chain', `stake ${s.chain.stake}${s.chain.weightsSetAtBlock !== undefined ? ` · weights set at block ${s.chain.weightsSetAtBlock}` : s.role === 'validator' ? ' · weights not set yet' : ''}`);
  if (s.scores?.length) {
    const top = [...s.scores].sort((a, b) => b.score - a.score).slice(0, 8);
    row('scores', top.map((e) => `uid ${e.uid} ${e.score.toFixed(3)}${e.weight !== undefined ? ` (w ${e.weight.toFixed(3)})` : ''}`).join(' · ') + (s.scores.length > top.length ? ` · +${s.scores.length - top.length} more` : ''));
  }
  return lines.join('\n');
}
