// npm run bench -- chaos [--windows 30] [--kill-every 4] [--seed 1] [--adversaries noise,scale,stale,forge-manifest]
//                        [--miners 4] [--validators 2] [--run chaos-tiny] [--threads 1] [--port P] [--dir DIR]
//                        [--startup-timeout 180]
// A supervised testnet (`gradmesh testnet`'s orchestrator: 2 validators, 4 honest
// miners and one extra miner per adversarial mode, all running throughout) in which,
// every K windows, one node chosen at random (seeded) — the lead validator, the one
// with the most stake, at least once — is SIGKILLed; the supervisor restarts it.
// From the nodes' JSON logs it reports, per manifest window: the node killed, whether
// the lead was alive when that window's manifest was due, the payloads the applied
// manifest chose (and the adversaries among them), how many distinct thetaHashes the
// honest nodes reported after applying it, and the held-out loss of θ_{w+1}; then each
// restart's recovery, the targets with PASS/FAIL, and as its last line one JSON object.
//
// The chain is held at block 0 until every node has started (Testnet startTogether).
// Windows are counted from the first window whose applied manifest aggregated a
// payload (before that the network is still warming up), or, if none did within
// --startup-timeout seconds, from the window then current.
import '../src/polyfill.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testnet, type SupervisorEvent } from '../src/testnet/testnet.js';
import { loadRunSpec } from '../src/node/run-spec.js';
import { sleep } from '../src/node/window-driver.js';
import { isAdversaryMode, ADVERSARY_MODES } from '../src/validate/index.js';
import { isNodeAdversaryMode, NODE_ADVERSARY_MODES } from '../src/node/adversary-wiring.js';
import { randomBasePort } from '../src/testnet/test-ports.js';
import { flag, num } from './args.js';

/** mulberry32: a small seeded PRNG, so a chaos schedule can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One log line of one node, stamped with when the orchestrator read it. */
interface Seen {
  node: string;
  ev: Record<string, unknown>;
  at: number;
  /** The dev chain's window when it was read. */
  cw: number;
}

interface Kill {
  node: string;
  at: number;
  cw: number;
  /** The network's window then: one past the newest manifest an honest node had applied. */
  nw: number;
  /** Supervisor respawn. */
  restartAt?: number;
  restartCw?: number;
  /** The new process logged `… started`. */
  upAt?: number;
  /** First chain window in which it reported the network's θ again. */
  backCw?: number;
  recovery?: number;
}

const pad = (s: string | number, n: number): string => String(s).padEnd(n);

export async function main(args: string[]): Promise<void> {
  const W = num(args, 'windows', 30);
  const K = num(args, 'kill-every', 4);
  const seed = num(args, 'seed', 1, 0);
  const M = num(args, 'miners', 4);
  const V = num(args, 'validators', 2);
  const threads = num(args, 'threads', 1);
  const run = flag(args, 'run') ?? 'chaos-tiny';
  const adversaries = (flag(args, 'adversaries') ?? 'noise,scale,stale,forge-manifest').split(',').map((s) => s.trim()).filter(Boolean);
  for (const m of adversaries) {
    if (!isAdversaryMode(m) && !isNodeAdversaryMode(m)) throw new Error(`--adversaries: ${m} is not one of ${[...ADVERSARY_MODES, ...NODE_ADVERSARY_MODES].join(', ')}`);
  }
  const startupS = num(args, 'startup-timeout', 180);
  const basePort = num(args, 'port', randomBasePort());
  const dir = flag(args, 'dir') ?? mkdtempSync(join(tmpdir(), 'gm-chaos-'));
  const spec = loadRunSpec(run);
  const windowMs = spec.timing.blocksPerWindow * spec.timing.devBlockMs;
  // The lead's manifest of w is due in window w+1 at the announce deadline; the next
  // validator takes over one manifest timeout later.
  const leadSlotMs = spec.timing.announceDeadlineMs + spec.timing.manifestTimeoutMs;
  const rand = prng(seed);

  const seen: Seen[] = [];
  const windowStart = new Map<number, number>();
  const t0 = Date.now();
  const net = new Testnet({
    run, dir, miners: M, validators: V, basePort, threadsPerNode: threads, fresh: true, adversaries, startTogether: true,
    print: (l) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${l}`),
    onEvent: (node, ev) => {
      const s = { node, ev, at: Date.now(), cw: net.chainWindow };
      seen.push(s);
      watch(s);
    },
  });
  const sup: SupervisorEvent[] = net.supervisorLog;
  const kills: Kill[] = [];
  let W0 = -1;
  const lead = 'validator0'; // validator i has stake 1000·(V − i)

  // Windows' wall-clock starts, as the orchestrator sees the dev chain.
  let clockOn = true;
  const clock = (async () => {
    while (clockOn) {
      const w = net.chainWindow;
      if (w >= 0 && !windowStart.has(w)) windowStart.set(w, Date.now());
      await sleep(50);
    }
  })();
  let honestNames = new Set<string>();
  // The network's window: one past the newest manifest an honest node applied. When
  // the validators keep up it equals the chain's window; on a loaded machine it lags.
  let newestApplied = -1;
  const netWindow = (): number => newestApplied + 1;
  const watch = (s: Seen): void => {
    if (s.ev.event === 'manifest_applied' && typeof s.ev.window === 'number' && honestNames.has(s.node)) newestApplied = Math.max(newestApplied, s.ev.window);
  };

  /** The thetaHash most honest nodes reported after applying the manifest of `w` (ties: the lead's). */
  const majorityHash = (w: number): string | undefined => {
    const byNode = new Map<string, string>();
    for (const s of seen) {
      if (s.ev.event === 'manifest_applied' && s.ev.window === w && honestNames.has(s.node) && !byNode.has(s.node)) byNode.set(s.node, s.ev.thetaHash as string);
    }
    const counts = new Map<string, number>();
    for (const h of byNode.values()) counts.set(h, (counts.get(h) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || (a[0] === byNode.get(lead) ? -1 : b[0] === byNode.get(lead) ? 1 : 0))[0]?.[0];
  };
  /** Whether a killed node, since its respawn, applied a manifest and reported the majority's θ. */
  const backEvent = (k: Kill): Seen | undefined => {
    const r = sup.find((e) => e.kind === 'restart' && e.node === k.node && e.at >= k.at);
    if (!r) return undefined;
    return seen.find((s) => s.node === k.node && s.at >= r.at && s.ev.event === 'manifest_applied' &&
      typeof s.ev.window === 'number' && s.ev.thetaHash === majorityHash(s.ev.window));
  };
  const isBack = (k: Kill): boolean => backEvent(k) !== undefined;

  console.log(`chaos: run ${run}, ${V} validators, ${M} honest miners, adversaries ${adversaries.join(', ') || 'none'}; ` +
    `${W} windows, a kill every ${K} windows (seed ${seed}); ${windowMs / 1000} s windows; dir ${dir}`);
  try {
    await net.start();
    const honest = new Set(net.nodes.filter((n) => !n.adversary).map((n) => n.name));
    honestNames = honest;
    for (const s of seen) watch(s);
    // Warm-up: wait for the first applied manifest that aggregated something.
    const startBy = Date.now() + startupS * 1000;
    while (W0 < 0) {
      const s = seen.find((x) => x.ev.event === 'manifest_applied' && honest.has(x.node) && typeof x.ev.payloads === 'number' && x.ev.payloads > 0);
      if (s) {
        W0 = s.ev.window as number;
        console.log(`first manifest with payloads: window ${W0} (${((Date.now() - t0) / 1000).toFixed(0)} s after start); measuring windows ${W0}–${W0 + W - 1}`);
      } else if (Date.now() > startBy) {
        W0 = Math.max(0, net.chainWindow);
        console.log(`no manifest aggregated a payload within ${startupS} s of the start: measuring windows ${W0}–${W0 + W - 1} anyway`);
      } else {
        await sleep(250);
      }
    }

    // The kill schedule: in the network's window W0 + K·j (j ≥ 1; or, should the network
    // stall, K·j + 3 chain windows from now), leaving two windows after the last to see
    // the node recover; the lead at a seeded one of them.
    const C0 = net.chainWindow;
    if (C0 > W0 + 1) console.log(`the network lags the chain: chain window ${C0}, manifests applied up to ${newestApplied}`);
    const killWindows: number[] = [];
    for (let j = 1; K * j <= W - 3; j++) killWindows.push(K * j);
    const leadKill = killWindows.length ? Math.floor(rand() * killWindows.length) : -1;
    const candidates = net.nodes.filter((n) => !n.adversary).map((n) => n.name);
    for (const [j, kj] of killWindows.entries()) {
      const kw = W0 + kj;
      while (netWindow() < kw && net.chainWindow < C0 + kj + 3) await sleep(100);
      await sleep(Math.floor(rand() * 0.8 * windowMs));
      const alive = candidates.filter((c) => net.alive(c));
      const victim = j === leadKill ? lead : alive[Math.floor(rand() * alive.length)];
      if (!victim || !net.alive(victim)) {
        console.log(`window ${kw}: no live node to kill`);
        continue;
      }
      const k: Kill = { node: victim, at: Date.now(), cw: net.chainWindow, nw: netWindow() };
      kills.push(k);
      console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] chaos: SIGKILL ${victim} in window ${k.nw}` +
        `${k.nw !== k.cw ? ` (chain window ${k.cw})` : ''}${victim === lead ? ' (the lead validator)' : ''}`);
      await net.crash(victim);
    }
    // Until an honest node applied the manifest of W0+W−1, and one more window for the
    // rest to report — or, if the network falls behind, W + 3 chain windows from C0.
    while (netWindow() < W0 + W && net.chainWindow < C0 + W + 3) await sleep(250);
    const grace = net.chainWindow + 1;
    while (net.chainWindow < grace && net.chainWindow < C0 + W + 3) await sleep(250);
    // Up to 4 more windows for a restarted node still catching up, so that its recovery is measured.
    const extraUntil = net.chainWindow + 4;
    const behind = (): string[] => kills.filter((k) => honest.has(k.node) && !isBack(k)).map((k) => k.node);
    if (behind().length) console.log(`waiting up to 4 more windows for ${[...new Set(behind())].join(', ')} to report the network's θ`);
    while (net.chainWindow < extraUntil && behind().length) await sleep(500);
    await sleep(1000);
  } finally {
    clockOn = false;
    await clock;
    await net.stop();
  }

  // ---- analysis ----
  const advByUid = new Map(net.nodes.filter((n) => n.adversary).map((n) => [n.uid!, n.adversary!]));
  const honest = new Set(net.nodes.filter((n) => !n.adversary).map((n) => n.name));
  const windows = Array.from({ length: W }, (_, i) => W0 + i);

  // Restarts and "started" lines, matched to the kills (in order, per node).
  for (const k of kills) {
    const r = sup.find((e) => e.kind === 'restart' && e.node === k.node && e.at >= k.at);
    if (r) {
      k.restartAt = r.at;
      k.restartCw = r.chainWindow;
      const up = seen.find((s) => s.node === k.node && s.at >= r.at && typeof s.ev.msg === 'string' && (s.ev.msg as string).endsWith(' started'));
      if (up) k.upAt = up.at;
    }
  }
  // Wall-clock spans in which the lead had no running, started process.
  const leadDown = kills.filter((k) => k.node === lead).map((k) => [k.at, k.upAt ?? Number.POSITIVE_INFINITY] as const);
  const leadDownIn = (from: number, to: number): boolean => leadDown.some(([a, b]) => a < to && b > from);
  // The lag between chain and network when measuring began (manifests due later by this much).
  const lag0 = Math.max(0, (seen.find((s) => s.ev.event === 'manifest_published' && s.ev.window === W0)?.cw ?? W0 + 1) - W0 - 1);

  interface Row {
    w: number;
    killed: string[];
    leadAlive: boolean;
    publishers: string[];
    /** Windows between when the manifest was due (window w+1) and when it was first published. */
    publishLag?: number;
    chosen?: number[];
    payloads?: number;
    adv: number[];
    hashes: number;
    reporters: number;
    common?: string;
    loss?: number;
    heard?: number;
    rejected?: number;
  }
  const applied = (w: number): Seen[] => seen.filter((s) => s.ev.event === 'manifest_applied' && s.ev.window === w);
  const commonHash = new Map<number, string>();
  for (const w of windows) {
    const h = majorityHash(w);
    if (h) commonHash.set(w, h);
  }

  const rows: Row[] = windows.map((w) => {
    const mine = new Map<string, Seen>();
    for (const s of applied(w)) if (honest.has(s.node) && !mine.has(s.node)) mine.set(s.node, s);
    const hashes = new Set([...mine.values()].map((s) => s.ev.thetaHash as string));
    const common = commonHash.get(w);
    const published = seen.filter((s) => s.ev.event === 'manifest_published' && s.ev.window === w);
    // Which published manifest is the applied one: its publisher's own θ after applying it.
    const pub = published.find((p) => seen.some((s) => s.node === p.node && s.ev.event === 'manifest_applied' && s.ev.window === w && s.ev.thetaHash === common))
      ?? (published.length === 1 ? published[0] : undefined);
    const chosen = pub && Array.isArray(pub.ev.chosen) ? (pub.ev.chosen as number[]) : undefined;
    const withCommon = [...mine.values()].find((s) => s.ev.thetaHash === common);
    const evals = seen.filter((s) => s.ev.event === 'eval' && s.ev.window === w + 1 && typeof s.ev.loss === 'number');
    const ev = evals.find((s) => s.ev.thetaHash === common) ?? evals[0];
    // The lead counts as dead for w if it was down in the slot where its manifest of w
    // was expected: just before the first manifest of w was published (by a backup),
    // or, with no manifest, after w+1 began on the chain (shifted by the initial lag).
    let leadAlive: boolean;
    if (published.some((p) => p.node === lead)) {
      leadAlive = true;
    } else if (published.length) {
      const t = Math.min(...published.map((p) => p.at));
      leadAlive = !leadDownIn(t - leadSlotMs, t);
    } else {
      const due = windowStart.get(w + 1 + lag0) ?? Number.NaN;
      leadAlive = !leadDownIn(due, due + leadSlotMs);
    }
    return {
      w,
      killed: kills.filter((k) => k.nw === w).map((k) => k.node),
      leadAlive,
      publishers: published.map((p) => `${p.node.replace('validator', 'v')}${p.cw > w + 1 ? `+${p.cw - w - 1}` : ''}`),
      ...(published.length ? { publishLag: Math.max(0, Math.min(...published.map((p) => p.cw - w - 1))) } : {}),
      ...(chosen ? { chosen } : {}),
      ...(withCommon ? { payloads: withCommon.ev.payloads as number } : {}),
      adv: (chosen ?? []).filter((u) => advByUid.has(u)),
      hashes: hashes.size,
      reporters: mine.size,
      ...(common ? { common } : {}),
      ...(ev ? { loss: ev.ev.loss as number } : {}),
      ...(pub ? { heard: pub.ev.heard as number, rejected: Array.isArray(pub.ev.rejected) ? pub.ev.rejected.length : 0 } : {}),
    };
  });

  // Recovery: from the respawn, chain windows until the node reports the network's θ again.
  for (const k of kills) {
    if (!honest.has(k.node) || k.restartAt === undefined) continue;
    const back = backEvent(k);
    if (back) {
      k.backCw = back.cw;
      k.recovery = back.cw - k.restartCw!;
    }
  }

  console.log('');
  console.log(`uids: ${net.nodes.map((n) => `${n.name}=${n.uid}${n.adversary ? ` (${n.adversary})` : ''}`).join(', ')}`);
  console.log('(published by: v0+2 = validator0 published it 2 windows after it was due)');
  console.log('| window | killed | lead alive at manifest | published by | heard/rejected | payloads chosen | adversary uids | distinct θ (honest reporters) | held-out loss θ_{w+1} |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.w} | ${r.killed.join(', ') || '—'} | ${r.leadAlive ? 'yes' : 'NO'} | ${r.publishers.join(',') || '—'} | ` +
      `${r.heard ?? '—'}/${r.rejected ?? '—'} | ${r.payloads ?? '—'}${r.chosen ? ` [${r.chosen.join(',')}]` : ''} | ` +
      `${r.adv.length ? r.adv.map((u) => `${u}:${advByUid.get(u)}`).join(',') : '—'} | ${r.hashes} (${r.reporters})${r.hashes > 1 ? ' DISAGREE' : ''} | ` +
      `${r.loss !== undefined ? r.loss.toFixed(4) : '—'} |`);
  }
  console.log('');
  console.log('| restart | killed in window (chain) | respawned (chain) | started (s after respawn) | back in θ (chain) | recovery windows |');
  console.log('|---|---|---|---|---|---|');
  for (const k of kills) {
    const up = k.upAt !== undefined && k.restartAt !== undefined ? ((k.upAt - k.restartAt) / 1000).toFixed(1) : 'never';
    console.log(`| ${k.node} | ${k.nw} (${k.cw}) | ${k.restartCw ?? 'never'} | ${up} | ${k.backCw ?? 'never'} | ${k.recovery ?? '—'} |`);
  }

  // Log lines at warn and above, by node and message: where protocol trouble shows.
  const notable = new Map<string, number>();
  for (const s of seen) {
    if (typeof s.ev.level === 'number' && s.ev.level >= 40 && !(typeof s.ev.msg === 'string' && s.ev.msg.startsWith('ADVERSARIAL'))) {
      const key = `${s.node.replace(/\d+$/, '*')}: ${String(s.ev.msg)}`;
      notable.set(key, (notable.get(key) ?? 0) + 1);
    }
  }
  if (notable.size) {
    console.log('');
    console.log('warnings and errors in the node logs (count, node kind: message):');
    for (const [m, c] of [...notable].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(c).padStart(4)}  ${m}`);
  }

  const nullRoundWindows = rows.filter((r) => r.common === undefined || (r.payloads ?? 0) === 0).map((r) => r.w);
  const leadDeathWindows = rows.filter((r) => !r.leadAlive).map((r) => r.w);
  const agree = rows.filter((r) => r.hashes === 1).length;
  const disagreeWindows = rows.filter((r) => r.hashes > 1).map((r) => r.w);
  const advAfter3 = rows.filter((r) => r.w >= W0 + 3).reduce((a, r) => a + r.adv.length, 0);
  const advTotal = rows.reduce((a, r) => a + r.adv.length, 0);
  const honestKills = kills.filter((k) => honest.has(k.node));
  const unrecovered = honestKills.filter((k) => k.recovery === undefined).length;
  const maxRecovery = honestKills.length === 0 ? 0 : unrecovered ? null : Math.max(...honestKills.map((k) => k.recovery!));
  const losses = rows.filter((r) => r.loss !== undefined).map((r) => r.loss!);
  const lossStart = losses[0];
  const lossEnd = losses[losses.length - 1];

  const target = (ok: boolean, what: string, measured: string): void => console.log(`${ok ? 'PASS' : 'FAIL'}  ${pad(what, 58)} measured: ${measured}`);
  console.log('');
  target(maxRecovery !== null && maxRecovery <= 2, 'every restarted honest node back in θ within 2 windows',
    maxRecovery === null ? `${unrecovered} of ${honestKills.length} never back` : `max ${maxRecovery} window(s) over ${honestKills.length} restart(s)`);
  target(nullRoundWindows.every((w) => leadDeathWindows.includes(w)), 'null rounds only in windows where the lead died',
    `null rounds [${nullRoundWindows.join(',')}], lead dead [${leadDeathWindows.join(',')}]`);
  target(advAfter3 === 0, `0 adversary payloads aggregated after window ${W0 + 2}`, `${advAfter3} (all windows: ${advTotal})`);
  target(lossEnd !== undefined && lossStart !== undefined && lossEnd < lossStart, 'held-out loss falls',
    `${lossStart?.toFixed(4) ?? '—'} → ${lossEnd?.toFixed(4) ?? '—'}`);
  target(disagreeWindows.length === 0, 'honest nodes never disagree on θ', `${agree} of ${W} windows agree; disagree in [${disagreeWindows.join(',')}]`);
  console.log(`logs in ${join(dir, 'logs')}`);

  console.log(JSON.stringify({
    bench: 'chaos',
    windows: W,
    kills: kills.length,
    theta_agree_windows: agree,
    null_rounds: nullRoundWindows.length,
    adversary_payloads_aggregated: advAfter3,
    max_recovery_windows: maxRecovery,
    adversary_payloads_total: advTotal,
    unrecovered_restarts: unrecovered,
    null_round_windows: nullRoundWindows,
    lead_death_windows: leadDeathWindows,
    theta_disagree_windows: disagreeWindows,
    eval_loss_start: lossStart ?? null,
    eval_loss_end: lossEnd ?? null,
    restarts: sup.filter((e) => e.kind === 'restart').length,
    unrequested_exits: sup.filter((e) => e.kind !== 'restart').length,
    max_restart_start_s: Math.max(0, ...kills.filter((k) => k.upAt !== undefined && k.restartAt !== undefined).map((k) => (k.upAt! - k.restartAt!) / 1000)),
    lag_at_start_windows: lag0,
    max_publish_lag_windows: Math.max(0, ...rows.map((r) => r.publishLag ?? 0)),
    competing_manifest_windows: rows.filter((r) => r.publishers.length > 1).map((r) => r.w),
    node_crashes: sup.filter((e) => e.kind !== 'restart' && e.signal === null).length,
    first_window: W0,
    adversaries,
    seed,
  }));
}
