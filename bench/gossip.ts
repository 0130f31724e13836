// Gossip bench: N nodes as separate OS processes on loopback; G miners each publish
// an S MiB payload (signed announcement on gossip, bytes over the blob protocol);
// measures the time until every node holds every payload, against an ideal measured
// in the same run: all bytes that must be delivered / the aggregate throughput of N
// concurrent libp2p streams between the same processes (node i → node i+1).
// Each round measures its own baseline, then delivers fresh payloads; after W warm-up
// rounds (shown, not counted), the round of median efficiency among R is reported (a
// 2-core box shared by N processes is noisy). Rounds start from a quiet swarm (steady
// state, as in a long-running network).
//   npm run bench -- gossip [--nodes 8] [--payloads 4] [--mb 8] [--rounds 5] [--warmup 1] [--per-node] [--profile DIR]
// --per-node prints each node's CPU (user/system ms) and GC (minor and other: count,
// wall ms) per phase of each round; --profile DIR has every node write a V8 CPU
// profile (0.5 ms sampling) of each round's baseline and payload phases to DIR
// (r<round>-<base|gossip>-n<node>.cpuprofile). Both are for finding where the CPU
// goes; profiling slows the nodes, so its rounds' numbers are not results.
import '../src/polyfill.js';
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerProcess as Worker, type Ev } from './worker-process.js';

/** swarm CPU (cores) below which the swarm counts as idle before a round */
const QUIET_CORES = 0.15;


function arg(args: string[], name: string, dflt: number, min0 = false): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v < 0 || (v === 0 && !min0)) throw new Error(`--${name} needs a ${min0 ? 'number ≥ 0' : 'positive number'}`);
  return v;
}


interface Round {
  idleCores: number;
  aggregateBps: number;
  idealS: number;
  allHaveS: number;
  efficiency: number;
  p50: number;
  p95: number;
  payloadP50: number;
  payloadP95: number;
  cpuPerMibBaseline: number;
  cpuPerMibGossip: number;
  /** DHT walks (peer discovery) that started while the payloads moved */
  walks: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export async function main(args: string[]): Promise<void> {
  const N = arg(args, 'nodes', 8);
  const G = Math.min(arg(args, 'payloads', 4), N);
  const mib = arg(args, 'mb', 8);
  const R = Math.round(arg(args, 'rounds', 5));
  // warm-up rounds run first and are shown but not counted: fresh processes (cold JIT,
  // DHT walks every few seconds while the swarm forms) are not the steady state
  const W = Math.round(arg(args, 'warmup', 1, true));
  const profileDir = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
  const perNode = args.includes('--per-node');
  const runHash = 'be'.repeat(32);
  const root = await mkdtemp(join(tmpdir(), 'gm-gossip-'));
  const here = dirname(fileURLToPath(import.meta.url));
  const haves: Array<{ node: number; digest: string; t: number }> = [];
  const sunk: number[] = [];
  const workers: Worker[] = [];
  const onEvent = (w: Worker, e: Ev): void => {
    if (e.ev === 'have') haves.push({ node: w.index, digest: e.digest as string, t: e.t as number });
    if (e.ev === 'sunk') sunk.push(e.t as number);
  };
  try {
    const spawn = (i: number): Worker => new Worker(fork(join(here, 'gossip', 'worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), i, onEvent);
    workers.push(spawn(0));
    const seed = await workers[0]!.ask({ cmd: 'start', dataDir: join(root, 'n0'), bootstrap: [], runHash }, 'ready');
    const seedAddr = `${(seed.addrs as string[])[0]}`;
    for (let i = 1; i < N; i++) workers.push(spawn(i));
    const ready = [seed, ...await Promise.all(workers.slice(1).map((w) => w.ask({ cmd: 'start', dataDir: join(root, `n${w.index}`), bootstrap: [seedAddr], runHash }, 'ready')))];
    // wait for a full mesh: every node connected to and subscribed with every other
    const meshStart = Date.now();
    for (;;) {
      const st = await Promise.all(workers.map((w) => w.ask({ cmd: 'status' }, 'status')));
      if (st.every((s) => s.peers === N - 1 && s.subs === N - 1)) break;
      if (Date.now() - meshStart > 120_000) throw new Error(`no full mesh after 120 s: ${JSON.stringify(st)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const meshS = (Date.now() - meshStart) / 1000;
    /** CPU seconds used so far by all nodes, and DHT walks they started */
    const usage = async (): Promise<{ cpu: number; walks: number; all: Ev[] }> => {
      const all = await Promise.all(workers.map((w) => w.ask({ cmd: 'cpu' }, 'cpu')));
      return { all, cpu: all.reduce((a, e) => a + (e.s as number), 0), walks: all.reduce((a, e) => a + (e.walks as number), 0) };
    };
    // Steady state: the last round's background work (DHT provider records) is done and
    // the swarm's start-up work (DHT walks back to back while peers keep joining) has
    // died down, so neither measurement pays for it. Returns the swarm's idle load.
    const settle = async (): Promise<number> => {
      await Promise.all(workers.map((w) => w.ask({ cmd: 'settle' }, 'settled')));
      const until = Date.now() + 60_000;
      for (;;) {
        const a = await usage();
        await new Promise((r) => setTimeout(r, 1000));
        const load = (await usage()).cpu - a.cpu;
        if (load < QUIET_CORES || Date.now() > until) return load;
      }
    };

    const profile = (on: boolean, r: number, phase: string): Promise<Ev[]> =>
      Promise.all(workers.map((w) => w.ask({ cmd: 'profile', on, dir: profileDir, tag: `r${r}-${phase}-n${w.index}` }, 'profiled')));
    /** one node's CPU and GC between two usage() samples */
    const nodeLine = (e: Ev, b: Ev, i: number): string => {
      const g = e.gc as Record<string, number>, h = b.gc as Record<string, number>;
      const d = (k: string): number => ((e[k] as number) - (b[k] as number)) * 1000;
      return `${i}:${d('user').toFixed(0)}u/${d('sys').toFixed(0)}s gc${g.minorN! - h.minorN!}:${(g.minorMs! - h.minorMs!).toFixed(0)}ms,${g.majorN! - h.majorN!}:${(g.majorMs! - h.majorMs!).toFixed(0)}ms`;
    };
    const mustDeliver = G * (N - 1) * mib * 1024 * 1024;
    const rounds: Round[] = [];
    for (let r = 0; r < W + R; r++) {
      const idleCores = await settle();
      // Baseline: N concurrent streams (i → i+1) moving, in all, as many bytes as the swarm must deliver.
      const perStream = Math.ceil(mustDeliver / N);
      sunk.length = 0;
      if (profileDir) await profile(true, r, 'base');
      const u0 = await usage();
      const t0 = performance.timeOrigin + performance.now();
      workers.forEach((w, i) => w.send({ cmd: 'stream', target: (ready[(i + 1) % N]!.addrs as string[])[0], bytes: perStream }));
      while (sunk.length < N) await new Promise((res) => setTimeout(res, 5));
      const baselineS = (Math.max(...sunk) - t0) / 1000;
      const ub = await usage();
      const baselineCpu = ub.cpu - u0.cpu;
      if (perNode) console.log(`r${r} base   ` + ub.all.map((e, i) => nodeLine(e, u0.all[i]!, i)).join(' '));
      if (profileDir) await profile(false, r, 'base');
      const aggregateBps = (perStream * N) / baselineS;
      const idealS = mustDeliver / aggregateBps;
      await settle();

      // Payloads: G miners prepare (generate + store), then publish at once.
      const miners = workers.slice(0, G);
      const digests = (await Promise.all(miners.map((w, k) => w.ask({ cmd: 'prepare', mib, seed: r * N + k, uid: k, window: r + 1 }, 'prepared')))).map((e) => e.digest as string);
      haves.length = 0;
      if (profileDir) await profile(true, r, 'gossip');
      const u1 = await usage();
      const p0 = performance.timeOrigin + performance.now();
      await Promise.all(miners.map((w) => w.ask({ cmd: 'publish' }, 'published')));
      const needed = G * (N - 1);
      const deadline = Date.now() + 300_000;
      while (haves.length < needed) {
        if (Date.now() > deadline) throw new Error(`only ${haves.length}/${needed} deliveries after 300 s`);
        await new Promise((res) => setTimeout(res, 5));
      }
      const u2 = await usage();
      if (perNode) console.log(`r${r} gossip ` + u2.all.map((e, i) => nodeLine(e, u1.all[i]!, i)).join(' '));
      if (profileDir) await profile(false, r, 'gossip');
      const lat = haves.map((h) => (h.t - p0) / 1000);
      const allHaveS = Math.max(...lat);
      const perPayloadAll = digests.map((d) => Math.max(...haves.filter((h) => h.digest === d).map((h) => (h.t - p0) / 1000)));
      rounds.push({
        idleCores, aggregateBps, idealS, allHaveS, efficiency: idealS / allHaveS,
        p50: quantile(lat, 0.5), p95: quantile(lat, 0.95),
        payloadP50: quantile(perPayloadAll, 0.5), payloadP95: quantile(perPayloadAll, 0.95),
        cpuPerMibBaseline: baselineCpu / (mustDeliver / 2 ** 20), cpuPerMibGossip: (u2.cpu - u1.cpu) / (mustDeliver / 2 ** 20),
        walks: u2.walks - u1.walks,
      });
    }

    const stats = await Promise.all(workers.map((w) => w.ask({ cmd: 'stop' }, 'stopped')));
    const fetchFailures = stats.reduce((a, s) => a + ((s.stats as { fetchFailures?: number } | undefined)?.fetchFailures ?? 0), 0);
    // the round of median efficiency stands for the run (baselines on a shared box vary)
    const counted = rounds.slice(W);
    const med = [...counted].sort((a, b) => a.efficiency - b.efficiency)[Math.floor((counted.length - 1) / 2)]!;
    const f3 = (x: number): string => x.toFixed(3);
    console.log(`nodes (processes) ${N}; payloads ${G} × ${mib} MiB per round; ${(mustDeliver / 2 ** 20).toFixed(0)} MiB to deliver per round; mesh formed in ${meshS.toFixed(2)} s; fetch failures ${fetchFailures}`);
    const header = ['round', 'idle cores', 'baseline MiB/s', 'ideal s', 'all have s', 'delivery p50/p95 s', 'payload p50/p95 s', 'CPU ms/MiB base/gossip', 'DHT walks', 'efficiency'];
    const table = rounds.map((x, i) => [
      i < W ? `warm-up ${i + 1}` : `${i + 1 - W}${x === med ? ' (median)' : ''}`, x.idleCores.toFixed(2), (x.aggregateBps / 2 ** 20).toFixed(1), f3(x.idealS), f3(x.allHaveS),
      `${f3(x.p50)} / ${f3(x.p95)}`, `${f3(x.payloadP50)} / ${f3(x.payloadP95)}`,
      `${(x.cpuPerMibBaseline * 1000).toFixed(0)} / ${(x.cpuPerMibGossip * 1000).toFixed(0)}`, String(x.walks), f3(x.efficiency),
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)));
    for (const row of [header, ...table]) console.log(row.map((v, c) => v.padEnd(widths[c]!)).join('  '));
    console.log(JSON.stringify({
      bench: 'gossip', nodes: N, payloads: G, payload_mb: mib, rounds: R, warmup: W,
      all_have_s: +f3(med.allHaveS), ideal_s: +f3(med.idealS), efficiency: +f3(med.efficiency),
      p50_s: +f3(med.p50), p95_s: +f3(med.p95),
      efficiency_min: +f3(Math.min(...counted.map((x) => x.efficiency))),
      efficiency_max: +f3(Math.max(...counted.map((x) => x.efficiency))),
    }));
  } finally {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill();
    await rm(root, { recursive: true, force: true });
  }
}

