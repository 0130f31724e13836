// Swarm bench: N nodes, each its own OS process in its own network namespace, joined by
// veth pairs to one bridge; every link shaped with tc tbf (netem is not in this kernel:
// no added latency). G announcers each publish an S MiB payload; every node fetches
// every payload (the swarm: pieces from every holder). Reports the time until every
// node holds every payload against the lower bound the shaped links set, the most any
// announcer uploaded of its own payload, and the swarm's CPU (on a 2-core box a run
// whose CPU share nears 1 measures the CPU, not the protocol).
//   npm run bench -- swarm [--nodes 16] [--profile dc|home|thin] [--payloads 4] [--mb 8] [--rounds 2] [--cpu-prof DIR]
// --cpu-prof DIR: node 0 (an announcer) and node G (a fetcher) write V8 CPU profiles there.
// Needs root (namespaces, veth, tc); elsewhere it says so and stops. It only creates,
// addresses and deletes its own namespaces, veths and bridge (names gms<id>…, subnet
// 10.231.<id>.0/24), plus one iptables FORWARD rule for that bridge, and removes them on exit.
import '../src/polyfill.js';
import { execFileSync, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerProcess as Worker, type Ev } from './worker-process.js';

/** Notices only onEvent counts (every piece a node gets; errors are printed). */
const UNQUEUED = new Set(['have', 'error']);

/** link rates in Mbit/s: down = into the node, up = out of it */
export const PROFILES: Record<string, { down: number; up: number }> = {
  dc: { down: 1000, up: 1000 },
  home: { down: 100, up: 20 },
  thin: { down: 20, up: 5 },
};


function arg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

function sh(cmd: string, argv: string[]): void {
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}


/** The namespaces, veths and bridge of one run; `down()` removes all of them. */
class Net {
  readonly id = Math.floor(Math.random() * 200) + 20;
  readonly bridge = `gms${this.id}br`;
  readonly made: string[] = [];
  private bridgeMade = false;
  private forwardRule = false;
  ns(i: number): string { return `gms${this.id}n${i}`; }
  ip(i: number): string { return `10.231.${this.id}.${i + 2}`; }

  up(n: number, rate: { down: number; up: number }, mtu: number): void {
    sh('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    this.bridgeMade = true;
    sh('ip', ['link', 'set', this.bridge, 'up']);
    // With br_netfilter loaded, bridged frames go through iptables' FORWARD chain, whose
    // policy is DROP on a Docker host: let through what stays on our bridge (removed in down()).
    try {
      sh('iptables', ['-I', 'FORWARD', '-i', this.bridge, '-o', this.bridge, '-j', 'ACCEPT']);
      this.forwardRule = true;
    } catch {
      // no iptables: nothing filters the bridge
    }
    for (let i = 0; i < n; i++) {
      const ns = this.ns(i);
      const inner = `gms${this.id}v${i}`;
      const outer = `gms${this.id}b${i}`;
      sh('ip', ['netns', 'add', ns]);
      this.made.push(ns);
      sh('ip', ['link', 'add', inner, 'type', 'veth', 'peer', 'name', outer]);
      sh('ip', ['link', 'set', inner, 'netns', ns]);
      if (mtu !== 1500) {
        sh('ip', ['-n', ns, 'link', 'set', inner, 'mtu', String(mtu)]);
        sh('ip', ['link', 'set', outer, 'mtu', String(mtu)]);
      }
      sh('ip', ['link', 'set', outer, 'master', this.bridge]);
      sh('ip', ['link', 'set', outer, 'up']);
      sh('ip', ['-n', ns, 'addr', 'add', `${this.ip(i)}/24`, 'dev', inner]);
      sh('ip', ['-n', ns, 'link', 'set', inner, 'up']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      // upload: what leaves the namespace; download: what the bridge sends into it.
      // The bucket holds 10 ms of the rate, at least 64 KiB (a GSO packet larger than
      // the bucket would be dropped by tbf); the queue holds 100 ms.
      const shape = (nsArgs: string[], dev: string, mbit: number): void => {
        const burst = Math.max(64 * 1024, Math.round((mbit * 1e6) / 8 / 100));
        sh('tc', [...nsArgs, 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', String(burst), 'latency', '100ms']);
      };
      shape(['-n', ns], inner, rate.up);
      shape([], outer, rate.down);
    }
  }

  down(): void {
    for (const ns of this.made.splice(0)) {
      try { sh('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    }
    if (this.forwardRule) {
      try { sh('iptables', ['-D', 'FORWARD', '-i', this.bridge, '-o', this.bridge, '-j', 'ACCEPT']); } catch { /* already gone */ }
      this.forwardRule = false;
    }
    if (this.bridgeMade) {
      try { sh('ip', ['link', 'del', this.bridge]); } catch { /* already gone */ }
      this.bridgeMade = false;
    }
  }
}

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth pairs, tc)';
  for (const tool of ['ip', 'tc']) {
    if (!['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((d) => existsSync(join(d, tool)))) return `needs the ${tool} tool (iproute2)`;
  }
  return undefined;
}

interface Round { idleCores: number; allHaveS: number; idealS: number; idealIssueS: number; efficiency: number; maxUploadRatio: number; cpuShare: number; cpuCores: number; fallbacks: number; bad: number; perNodeOutMiB: number[] }

export async function main(args: string[]): Promise<void> {
  const N = Math.round(arg(args, 'nodes', 16));
  const profileName = args.includes('--profile') ? args[args.indexOf('--profile') + 1]! : 'home';
  const profile = PROFILES[profileName];
  if (!profile) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
  const G = Math.min(Math.round(arg(args, 'payloads', 4)), N);
  const mib = arg(args, 'mb', 8);
  const R = Math.round(arg(args, 'rounds', 2));
  const mtu = Math.round(arg(args, 'mtu', 1500));
  const skip = whyNot();
  if (skip) {
    console.error(`SKIPPED: the swarm bench ${skip}; nothing was measured.`);
    console.log(JSON.stringify({ bench: 'swarm', nodes: N, profile: profileName, skipped: skip }));
    return;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const root = await mkdtemp(join(tmpdir(), 'gm-swarm-'));
  const net = new Net();
  const workers: Worker[] = [];
  const haves: Array<{ node: number; digest: string; t: number }> = [];
  const onEvent = (w: Worker, e: Ev): void => {
    if (e.ev === 'have') haves.push({ node: w.index, digest: e.digest as string, t: e.t as number });
  };
  const cleanup = (): void => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    net.down();
  };
  const onSignal = (): void => { cleanup(); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    net.up(N, profile, mtu);
    const runHash = 'c5'.repeat(32);
    const profDir = args.includes('--cpu-prof') ? args[args.indexOf('--cpu-prof') + 1] : undefined;
    const profiled = (i: number): string[] => (profDir && (i === 0 || i === G) ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=node${i}.cpuprofile`] : []);
    const spawn = (i: number): Worker => new Worker(fork(join(here, 'swarm', 'worker.js'), [], {
      execPath: 'ip',
      execArgv: ['netns', 'exec', net.ns(i), process.execPath, ...profiled(i)],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }), i, onEvent, UNQUEUED);
    for (let i = 0; i < N; i++) workers.push(spawn(i));
    const listen = (i: number): string => `/ip4/${net.ip(i)}/tcp/4001`;
    const seed = await workers[0]!.ask({ cmd: 'start', dataDir: join(root, 'n0'), listen: listen(0), bootstrap: [], runHash }, 'ready');
    const seedAddr = `${listen(0)}/p2p/${seed.peerId as string}`;
    const ready = [seed, ...await Promise.all(workers.slice(1).map((w) => w.ask({ cmd: 'start', dataDir: join(root, `n${w.index}`), listen: listen(w.index), bootstrap: [seedAddr], runHash }, 'ready')))];
    const addr = (i: number): string => `${listen(i)}/p2p/${ready[i]!.peerId as string}`;
    // Every node dials every later one, a few at a time (a dial storm of all 496 pairs
    // at once on a loaded 2-core box starved the slowest processes: each of their
    // handshakes timed out and nothing dialled again; DHT walks alone took over 180 s),
    // then the pairs still missing are dialled again until the mesh is full.
    const meshStart = Date.now();
    const dialled = await Promise.all(workers.map((w, i) => w.ask({ cmd: 'dial', addrs: workers.slice(i + 1).map((_, k) => addr(i + 1 + k)) }, 'dialled')));
    let dialFailures = dialled.reduce((a, d) => a + (d.failed as number), 0);
    const dialErrors = new Set(dialled.flatMap((d) => d.errors as string[]));
    let redials = 0;
    let lastReport = Date.now();
    for (;;) {
      const st = await Promise.all(workers.map((w) => w.ask({ cmd: 'status' }, 'status')));
      // every pair connected, and each node knows enough subscribers of the topic for
      // gossip to reach it (a gossipsub stream that failed to open under load leaves a
      // subscription unknown for good; gossip still arrives over the other peers)
      const full = st.every((s) => s.peers === N - 1 && (s.subs as number) >= Math.min(N - 1, 12));
      if (full) break;
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const peers = st.map((s) => s.peers as number);
        console.error(`mesh after ${((Date.now() - meshStart) / 1000).toFixed(0)} s: peers per node ${Math.min(...peers)}..${Math.max(...peers)}, ${redials} pairs dialled again, ${dialFailures} dials failed`);
      }
      if (Date.now() - meshStart > 300_000) {
        throw new Error(`no full mesh after 300 s (${redials} redials, ${dialFailures} failed dials: ${[...dialErrors].join(' | ')}): peers/subs/penalised per node ${JSON.stringify(st.map((s) => [s.peers, s.subs, s.penalised]))}`);
      }
      // pairs with no connection either way: the lower index dials the higher again
      const missing = workers.map((_, i) => workers.map((_, j) => j).filter((j) => j > i
        && !(st[i]!.ids as string[]).includes(ready[j]!.peerId as string) && !(st[j]!.ids as string[]).includes(ready[i]!.peerId as string)));
      if (missing.some((m) => m.length > 0)) {
        redials += missing.reduce((a, m) => a + m.length, 0);
        const again = await Promise.all(workers.map((w, i) => missing[i]!.length > 0 ? w.ask({ cmd: 'dial', addrs: missing[i]!.map(addr) }, 'dialled') : Promise.resolve({ ev: 'dialled', failed: 0, errors: [] } as Ev)));
        dialFailures += again.reduce((a, d) => a + (d.failed as number), 0);
        for (const d of again) for (const e of d.errors as string[]) dialErrors.add(e);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const meshS = (Date.now() - meshStart) / 1000;
    const meshPeers = (await Promise.all(workers.map((w) => w.ask({ cmd: 'status' }, 'status')))).map((x) => x.peers as number);
    await new Promise((r) => setTimeout(r, 3000)); // start-up DHT walks die down

    const bytes = Math.round(mib * 1024 * 1024);
    const down = (profile.down * 1e6) / 8;
    const up = (profile.up * 1e6) / 8;
    // Lower bounds set by the links: the node with the most to receive, over its download
    // rate; one announcer's payload leaving it once, over its upload rate; and every byte
    // that must be delivered (each non-holder gets each payload once), over the sum of
    // all uplinks (every byte received was sent by someone). The issue's formula had the
    // first two only; with uplinks 5× slower than downlinks the third is the binding one
    // (16 nodes home 4×8 MiB: 12.6 s against 3.4 s).
    const maxRecv = Math.max(...Array.from({ length: N }, (_, i) => (i < G ? G - 1 : G) * bytes));
    const totalDeliver = G * (N - 1) * bytes;
    const idealIssueS = Math.max(maxRecv / down, bytes / up);
    const idealS = Math.max(idealIssueS, totalDeliver / (N * up));
    const rounds: Round[] = [];
    for (let r = 0; r < R; r++) {
      const announcers = workers.slice(0, G);
      const digests = (await Promise.all(announcers.map((w, k) => w.ask({ cmd: 'prepare', mib, seed: r * 100 + k, uid: k, window: r + 1 }, 'prepared')))).map((e) => e.digest as string);
      haves.length = 0;
      // the swarm's CPU at rest (timers, pings, gossip heartbeats), over 2 s
      const i0 = await Promise.all(workers.map((w) => w.ask({ cmd: 'usage' }, 'usage')));
      const it0 = performance.now();
      await new Promise((res) => setTimeout(res, 2000));
      const u0 = await Promise.all(workers.map((w) => w.ask({ cmd: 'usage' }, 'usage')));
      const idleCores = u0.reduce((a, e, i) => a + (e.cpu as number) - (i0[i]!.cpu as number), 0) / ((performance.now() - it0) / 1000);
      const t0 = performance.timeOrigin + performance.now();
      await Promise.all(announcers.map((w) => w.ask({ cmd: 'publish' }, 'published')));
      const needed = G * (N - 1);
      const deadline = Date.now() + 600_000;
      while (haves.length < needed) {
        if (Date.now() > deadline) throw new Error(`only ${haves.length}/${needed} deliveries after 600 s`);
        await new Promise((res) => setTimeout(res, 10));
      }
      const tEnd = performance.timeOrigin + performance.now();
      const u1 = await Promise.all(workers.map((w) => w.ask({ cmd: 'usage' }, 'usage')));
      const allHaveS = (Math.max(...haves.map((h) => h.t)) - t0) / 1000;
      const cpuCores = u1.reduce((a, e, i) => a + (e.cpu as number) - (u0[i]!.cpu as number), 0) / ((tEnd - t0) / 1000);
      type S = { uploadedByDigest: Record<string, number>; fallbacks: number; fallbackReasons: Record<string, number>; badPieces: number };
      // an announcer's upload of its own payload: all its blob bytes out, less the pieces
      // of other payloads it served (bytes of a fallback fetch count as its own: an over-estimate)
      const ratios = announcers.map((w, k) => {
        const out = (u1[k]!.blobOut as number) - (u0[k]!.blobOut as number);
        const s1 = u1[k]!.swarm as S, s0 = u0[k]!.swarm as S;
        let others = 0;
        for (const [d, v] of Object.entries(s1.uploadedByDigest)) if (d !== digests[k]) others += v - (s0.uploadedByDigest[d] ?? 0);
        return (out - others) / bytes;
      });
      const fallbacks = u1.reduce((a, e, i) => a + (e.swarm as S).fallbacks - (u0[i]!.swarm as S).fallbacks, 0);
      const bad = u1.reduce((a, e, i) => a + (e.swarm as S).badPieces - (u0[i]!.swarm as S).badPieces, 0);
      const whys: Record<string, number> = {};
      u1.forEach((e, i) => {
        for (const [k, v] of Object.entries((e.swarm as S).fallbackReasons)) whys[k] = (whys[k] ?? 0) + v - ((u0[i]!.swarm as S).fallbackReasons[k] ?? 0);
      });
      if (fallbacks > 0) console.error(`round ${r + 1}: swarm fallbacks by reason ${JSON.stringify(whys)}`);
      rounds.push({
        idleCores, allHaveS, idealS, idealIssueS, efficiency: idealS / allHaveS, maxUploadRatio: Math.max(...ratios),
        cpuCores, cpuShare: cpuCores / cpus().length, fallbacks, bad,
        perNodeOutMiB: u1.map((e, i) => ((e.blobOut as number) - (u0[i]!.blobOut as number)) / 2 ** 20),
      });
      await new Promise((res) => setTimeout(res, 3000)); // the round's late HAVEs and DHT records settle
    }
    await Promise.all(workers.map((w) => w.ask({ cmd: 'stop' }, 'stopped').catch(() => undefined)));
    // let them exit on their own (a profiled one writes its profile at exit)
    await Promise.all(workers.map((w) => w.proc.exitCode !== null ? undefined : new Promise((res) => { w.proc.once('exit', res); setTimeout(res, 10_000); })));

    const med = [...rounds].sort((a, b) => a.efficiency - b.efficiency)[Math.floor((rounds.length - 1) / 2)]!;
    const f3 = (x: number): string => x.toFixed(3);
    console.log(`swarm bench: ${N} nodes (processes, one network namespace each), profile ${profileName} (${profile.down} Mbit/s down, ${profile.up} up, tc tbf; no added latency), ${G} × ${mib} MiB per round; mesh in ${meshS.toFixed(1)} s (peers per node ${Math.min(...meshPeers)}..${Math.max(...meshPeers)}; ${dialFailures} dials failed${dialFailures ? `: ${[...dialErrors].slice(0, 3).join(' | ')}` : ''}, ${redials} pairs dialled again); ${cpus().length} cores`);
    console.log(`ideal ${f3(idealS)} s = max(most to receive / down ${f3(maxRecv / down)}, payload / announcer up ${f3(bytes / up)}, all to deliver / sum of uplinks ${f3(totalDeliver / (N * up))}); the issue's two-term bound: ${f3(idealIssueS)} s`);
    const header = ['round', 'idle cores', 'all have s', 'ideal s', 'efficiency', 'eff. vs issue bound', 'max upload ratio', 'swarm CPU cores (share)', 'fallbacks', 'bad pieces', 'upload MiB min/max per node'];
    const table = rounds.map((x, i) => [
      `${i + 1}${x === med ? ' (median)' : ''}`, x.idleCores.toFixed(2), f3(x.allHaveS), f3(x.idealS), f3(x.efficiency), f3(x.idealIssueS / x.allHaveS), f3(x.maxUploadRatio),
      `${x.cpuCores.toFixed(2)} (${(x.cpuShare * 100).toFixed(0)}%)`, String(x.fallbacks), String(x.bad),
      `${Math.min(...x.perNodeOutMiB).toFixed(1)} / ${Math.max(...x.perNodeOutMiB).toFixed(1)}`,
    ]);
    const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => row[c]!.length)));
    for (const row of [header, ...table]) console.log(row.map((v, c) => v.padEnd(widths[c]!)).join('  '));
    console.log(JSON.stringify({
      bench: 'swarm', nodes: N, profile: profileName, all_have_s: +f3(med.allHaveS), ideal_s: +f3(med.idealS),
      efficiency: +f3(med.efficiency), max_upload_ratio: +f3(med.maxUploadRatio),
    }));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
    await rm(root, { recursive: true, force: true });
  }
}
