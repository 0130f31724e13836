// `gradmesh status`: a node's status as one screen of plain text.
import { thetaAgreement, type LossPoint, type NodeEntry, type NodeStatus } from './status.js';

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

/** " · fewer: 1 late, 2 out of sync" (nothing when no reason occurred). */
export function formatReasons(byReason: Record<string, number>): string {
  const parts = Object.entries(byReason).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`);
  return parts.length ? ` · fewer: ${parts.join(', ')}` : '';
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
  if (s.ranks && s.ranks.length) {
    const r = s.ranks;
    const per = r.map((x) => `${x.rank}: ${x.device} ${formatBytes(x.memoryBytes)} (AdamW ${formatBytes(x.optimizerStateBytes)}) ${x.tokensPerSecond.toFixed(0)} tok/s`);
    row('ranks', `${r.length} × ${[...new Set(r.map((x) => x.device.replace(/:\d+$/, '')))].join('/')} · ${per.join(' · ')}`);
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
  if (s.windowVerdicts) {
    const v = s.windowVerdicts;
    row('payloads', `window ${v.window}: ${v.aggregated} aggregated of ${v.heard} heard${formatReasons(v.byReason)}`);
  }
  if (s.late && (s.late.windows || s.late.skipped)) {
    row('late', `${s.late.windows} window(s) past the deadline, ${s.late.skipped} skipped (last: window ${s.late.lastWindow})`);
  }
  if (s.eventLoop) {
    const e = s.eventLoop;
    row('loop', `event-loop delay over the last window: max ${e.maxMs.toFixed(1)} ms, p99 ${e.p99Ms.toFixed(1)} ms, mean ${e.meanMs.toFixed(1)} ms · max since start ${e.maxSinceStartMs.toFixed(1)} ms`);
  }
  row('chain', `stake ${s.chain.stake}${s.chain.weightsSetAtBlock !== undefined ? ` · weights set at block ${s.chain.weightsSetAtBlock}` : s.role === 'validator' ? ' · weights not set yet' : ''}`);
  for (const line of formatPay(s)) row(line[0], line[1]);
  if (s.scores?.length) {
    const top = [...s.scores].sort((a, b) => b.score - a.score).slice(0, 8);
    row('scores', top.map((e) => `uid ${e.uid} ${e.score.toFixed(3)}${e.weight !== undefined ? ` (w ${e.weight.toFixed(3)})` : ''}`).join(' · ') + (s.scores.length > top.length ? ` · +${s.scores.length - top.length} more` : ''));
  }
  return lines.join('\n');
}

const pct = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);

/** An arrow saying how x moved since the previous reading (nothing when unknown). */
function trend(now: number | null, before: number | null | undefined): string {
  if (now === null || before === null || before === undefined) return '';
  if (Math.abs(now - before) < 1e-9) return ' =';
  return now > before ? ' ↑' : ' ↓';
}

/**
 * "Is my miner paid?": the chain's figures for this uid at the newest reading, with the
 * change since the one before and the incentive history; the weights each validator
 * gives the uid; a validator's last weights set (or failed).
 */
export function formatPay(s: NodeStatus): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const h = s.pay?.history ?? [];
  const e = h[h.length - 1];
  if (!s.pay) return out;
  if (!e) {
    out.push(['paid', 'no chain reading yet (one per window)']);
  } else {
    const p = h[h.length - 2];
    const em = e.emission === null ? '–' : e.emission.toPrecision(3);
    out.push(['paid', `window ${e.window} (block ${e.block}): incentive ${pct(e.incentive)}${trend(e.incentive, p?.incentive)} · emission ${em}${trend(e.emission, p?.emission)} · trust ${pct(e.trust)} · consensus ${pct(e.consensus)} · rank ${pct(e.rank)}${e.dividends ? ` · dividends ${pct(e.dividends)}` : ''}`]);
    out.push(['weights', e.weightsFrom.length
      ? e.weightsFrom.map((w) => `uid ${w.validatorUid} gives ${pct(w.weight)} (stake ${w.stake})`).join(' · ')
      : s.role === 'validator' ? 'none: a validator is paid dividends for the weights it sets, not weights' : 'no validator gives this uid weight yet']);
    if (h.length > 1) {
      const pts = h.slice(-32).map((x) => ({ window: x.window, loss: x.incentive }));
      out.push(['history', `incentive over ${pts.length} windows ${pts[0]!.window}–${e.window}: ${pct(pts[0]!.loss)} → ${pct(e.incentive)}  ${sparkline(pts)}`]);
    }
  }
  const ws = s.pay.weightsSet;
  if (ws) {
    const last = ws[ws.length - 1];
    const lastOk = [...ws].reverse().find((a) => a.ok);
    const failed = ws.filter((a) => !a.ok).length;
    if (!last) out.push(['set', 'no weights set yet']);
    else {
      const okText = lastOk ? `last set in window ${lastOk.window} (block ${lastOk.block}, ${new Date(lastOk.timeMs).toISOString()}${lastOk.mode ? `, ${lastOk.mode}` : ''}): ${lastOk.weights.map((w) => `uid ${w.uid} ${w.weight.toFixed(3)}`).join(', ')}` : 'never set';
      const failText = !last.ok ? ` · LAST TRY FAILED in window ${last.window} after ${last.tries} tries: ${last.error ?? ''}` : '';
      out.push(['set', `${okText}${failText} · ${ws.length - failed} set, ${failed} failed`]);
    }
  }
  return out;
}

/** What formatTestnetStatus reads of a node in testnet.json (src/testnet/testnet-info.ts's TestnetNodeInfo is one). */
export interface TestnetNodeSummary {
  name: string;
  role: string;
  uid?: number;
}

/** What formatTestnetStatus reads of testnet.json (src/testnet/testnet-info.ts's TestnetInfo is one): ops stays below the testnet. */
export interface TestnetSummary {
  run: string;
  chainUrl: string;
  dashboard?: string;
  nodes: TestnetNodeSummary[];
}

/**
 * `gradmesh status` for a whole testnet: a header from its testnet.json, one line per
 * node (a node that does not answer says why), and whether the nodes at the newest
 * manifest hold the same θ.
 */
export function formatTestnetStatus(dir: string, info: TestnetSummary, entries: NodeEntry[], known: TestnetNodeSummary[] = info.nodes): string {
  const byName = new Map(known.map((n) => [n.name, n]));
  const lines = [`testnet in ${dir} · run ${info.run} · dev chain ${info.chainUrl}${info.dashboard ? ` · dashboard ${info.dashboard}` : ''}`];
  const width = Math.max(10, ...entries.map((e) => e.name.length)) + 2;
  lines.push(`${'node'.padEnd(width)}${'role'.padEnd(11)}${'uid'.padStart(3)}  ${'window'.padStart(6)}  ${'θ'.padEnd(12)}${'manifest'.padStart(8)}  ${'held-out'.padStart(8)}  ${'loss'.padStart(7)}  ${'peers'.padStart(5)}  status API`);
  for (const e of entries) {
    const n = byName.get(e.name);
    const s = e.status;
    const role = s?.role ?? n?.role ?? '?';
    const uid = s?.uid ?? n?.uid;
    const head = `${e.name.padEnd(width)}${role.padEnd(11)}${String(uid ?? '–').padStart(3)}  `;
    if (!s) {
      lines.push(`${head}DOWN: ${e.error ?? 'no status'}`);
      continue;
    }
    const ev = lastPoint(s.evalLoss);
    const tl = lastPoint(s.trainLoss);
    lines.push(head + [
      String(s.window).padStart(6),
      `${s.thetaHash.slice(0, 10)}${s.inSync ? '  ' : ' !'}`,
      (s.headWindow < 0 ? '–' : String(s.headWindow)).padStart(8),
      (ev ? ev.loss.toFixed(4) : '–').padStart(8),
      (tl ? tl.loss.toFixed(3) : '–').padStart(7),
      String(s.peers.length).padStart(5),
      e.url,
    ].join('  '));
  }
  const up = entries.flatMap((e) => (e.status ? [e.status] : []));
  if (up.length) {
    const a = thetaAgreement(up);
    const split = a.groups.size > 1 ? `, DISAGREE: ${[...a.groups].map(([h, k]) => `${h.slice(0, 10)} ×${k}`).join(', ')}` : '';
    lines.push(`θ: ${a.agreeing} of ${a.compared} node(s) at manifest ${a.headWindow} hold the same θ${split}${a.behind ? ` · ${a.behind} behind` : ''}` +
      ` · ${entries.length - up.length} down · details: gradmesh status --url URL`);
  }
  return lines.join('\n');
}
