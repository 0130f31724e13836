// Gossip bench: N nodes as separate OS processes on loopback; G miners each publish
// an S MiB payload (signed announcement on gossip, bytes over the blob protocol);
// measures the time until every node holds every payload, against an ideal measured
// in the same run: all bytes that must be delivered / the aggregate throughput of N
// concurrent libp2p streams between the same processes (node i → node i+1).
//   npm run bench -- gossip [--nodes 8] [--payloads 4] [--mb 8]
import '../src/polyfill.js';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Ev { ev: string; [k: string]: unknown }

function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

class Worker {
  private readonly waiters: Array<{ ev: string; resolve: (e: Ev) => void }> = [];
  readonly events: Ev[] = [];
  constructor(readonly proc: ChildProcess, readonly index: number, onEvent: (w: Worker, e: Ev) => void) {
    proc.on('message', (e: Ev) => {
      if (e.ev === 'error') console.error(`node ${index}: ${String(e.error)}`);
      onEvent(this, e);
      const i = this.waiters.findIndex((w) => w.ev === e.ev);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(e);
      else this.events.push(e);
    });
  }
  send(m: unknown): void { this.proc.send(m as object); }
  next(ev: string): Promise<Ev> {
    const i = this.events.findIndex((e) => e.ev === ev);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ ev, resolve }));
  }
  async ask(m: unknown, ev: string): Promise<Ev> { const p = this.next(ev); this.send(m); return p; }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

export async function main(args: string[]): Promise<void> {
  const N = arg(args, 'nodes', 8);
  const G = Math.min(arg(args, 'payloads', 4), N);
  const mib = arg(args, 'mb', 8);
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

    // Baseline: N concurrent streams (i → i+1) moving, in all, as many bytes as the swarm must deliver.
    const mustDeliver = G * (N - 1) * mib * 1024 * 1024;
    const perStream = Math.ceil(mustDeliver / N);
    const t0 = performance.timeOrigin + performance.now();
    workers.forEach((w, i) => w.send({ cmd: 'stream', target: (ready[(i + 1) % N]!.addrs as string[])[0], bytes: perStream }));
    while (sunk.length < N) await new Promise((r) => setTimeout(r, 5));
    const baselineS = (Math.max(...sunk) - t0) / 1000;
    const aggregateBps = (perStream * N) / baselineS;
    const idealS = mustDeliver / aggregateBps;

    // Payloads: G miners prepare (generate + store), then publish at once.
    const miners = workers.slice(0, G);
    const digests = (await Promise.all(miners.map((w, k) => w.ask({ cmd: 'prepare', mib, seed: k, uid: k }, 'prepared')))).map((e) => e.digest as string);
    const p0 = performance.timeOrigin + performance.now();
    await Promise.all(miners.map((w) => w.ask({ cmd: 'publish' }, 'published')));
    const needed = G * (N - 1);
    const deadline = Date.now() + 300_000;
    while (haves.length < needed) {
      if (Date.now() > deadline) throw new Error(`only ${haves.length}/${needed} deliveries after 300 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const lat = haves.map((h) => (h.t - p0) / 1000);
    const allHaveS = Math.max(...lat);
    const perPayloadAll = digests.map((d) => Math.max(...haves.filter((h) => h.digest === d).map((h) => (h.t - p0) / 1000)));
    const efficiency = idealS / allHaveS;

    const stats = await Promise.all(workers.map((w) => w.ask({ cmd: 'stop' }, 'stopped')));
    const fetchFailures = stats.reduce((a, s) => a + ((s.stats as { fetchFailures?: number } | undefined)?.fetchFailures ?? 0), 0);
    const rows: Array<[string, string]> = [
      ['nodes (processes)', String(N)],
      ['payloads × size', `${G} × ${mib} MiB`],
      ['bytes to deliver', `${(mustDeliver / 2 ** 20).toFixed(0)} MiB`],
      ['mesh formed in', `${meshS.toFixed(2)} s`],
      ['baseline: N streams aggregate', `${(aggregateBps / 2 ** 20).toFixed(1)} MiB/s`],
      ['ideal time', `${idealS.toFixed(3)} s`],
      ['all nodes hold all payloads', `${allHaveS.toFixed(3)} s`],
      ['per-delivery latency p50 / p95', `${quantile(lat, 0.5).toFixed(3)} / ${quantile(lat, 0.95).toFixed(3)} s`],
      ['per-payload (all nodes) p50 / p95', `${quantile(perPayloadAll, 0.5).toFixed(3)} / ${quantile(perPayloadAll, 0.95).toFixed(3)} s`],
      ['fetch failures', String(fetchFailures)],
      ['efficiency (ideal / actual)', efficiency.toFixed(3)],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(w0)}  ${v}`);
    console.log(JSON.stringify({
      bench: 'gossip', nodes: N, payloads: G, payload_mb: mib,
      all_have_s: +allHaveS.toFixed(3), ideal_s: +idealS.toFixed(3), efficiency: +efficiency.toFixed(3),
      p50_s: +quantile(lat, 0.5).toFixed(3), p95_s: +quantile(lat, 0.95).toFixed(3),
    }));
  } finally {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill();
    await rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
