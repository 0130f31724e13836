// npm run bench -- soak [--windows 60] [--model small] [--miners 3] [--validators 1] [--inner-steps 4] [--batch 1] [--seq-len 64]
//                       [--block-ms 1000] [--threads 1] [--port P] [--dir DIR] [--timeout-min T]
// A long testnet of the `small` model (30M parameters: the per-window O(parameters)
// work — compression, decode, aggregation, θ hashing, the state save — is real), with
// the inner steps, batch and sequence cut so that a window takes about 10 s on a
// 2-core machine: does a node hold up for an hour's worth of windows? The testnet
// sizes its windows to the machine (never below the spec's 10 blocks × --block-ms).
// It reports, per evaluated window, θ agreement, the held-out loss and the payloads;
// per node, the event-loop delay (max and p99 over its `event_loop` lines, after the
// first two windows), RSS at window 10 and at the end (from /proc: growth = a leak),
// peak RSS, open file descriptors and the content store's size on disk. Targets (issue
// #18): θ agreement in every window after the first two, held-out loss falls, max
// event-loop delay ≤ 200 ms on every node, RSS growth from window 10 to the end ≤ 5 %
// per process. Last line:
//   {"bench":"soak","windows":…,"theta_agree_windows":…,"eval_loss_start":…,"eval_loss_end":…,"max_loop_delay_ms":…,"rss_growth_mb":…}
import '../src/polyfill.js';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testnet } from '../src/testnet/testnet.js';
import { runSpecPath, type RunSpec } from '../src/node/run-spec.js';
import { sleep } from '../src/node/window-driver.js';
import { flag, num } from './args.js';

/** One process's figures from /proc at one moment (Linux; zeros where /proc is missing). */
interface ProcSample {
  pid: number;
  rssMb: number;
  /** Peak RSS of the process so far (VmHWM). */
  hwmMb: number;
  fds: number;
}

function procSample(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { pid, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** Bytes of the files under `dir` (0 if absent). */
function duBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      const st = statSync(p);
      total += st.isDirectory() ? duBytes(p) : st.size;
    } catch {
      // removed while we looked
    }
  }
  return total;
}

/** The soak's run spec: small-cpu with the work of a window cut to fit ~10 s on 2 cores. */
function soakSpec(o: { model: string; innerSteps: number; batch: number; seqLen: number; blockMs: number }): RunSpec {
  const base = JSON.parse(readFileSync(runSpecPath('small-cpu'), 'utf8')) as RunSpec;
  return {
    ...base,
    run: `soak-${o.model}`,
    model: o.model,
    seqLen: o.seqLen,
    batch: o.batch,
    innerSteps: o.innerSteps,
    inner: { ...base.inner, warmupSteps: 10 },
    outer: { ...base.outer, maxPayloads: 8 },
    timing: { blocksPerWindow: 10, announceDeadlineMs: 3000, manifestTimeoutMs: 4000, devBlockMs: o.blockMs },
    checkpoint: { everyWindows: 10, keep: 2 },
    eval: { heldOutSequences: 8 },
  };
}

const pad = (s: string | number, n: number): string => String(s).padEnd(n);
const f1 = (x: number): string => x.toFixed(1);

export async function main(args: string[]): Promise<void> {
  const W = num(args, 'windows', 60);
  const M = num(args, 'miners', 3);
  const V = num(args, 'validators', 1);
  const threads = num(args, 'threads', 1);
  const spec = soakSpec({
    model: flag(args, 'model') ?? 'small',
    innerSteps: num(args, 'inner-steps', 4), batch: num(args, 'batch', 1), seqLen: num(args, 'seq-len', 64), blockMs: num(args, 'block-ms', 1000),
  });
  // A stalled network ends the soak (with what it measured) instead of holding the machine.
  const timeoutMin = num(args, 'timeout-min', Math.ceil(3 + (W * 25) / 60));
  const basePort = num(args, 'port', 30000 + Math.floor(Math.random() * 20000));
  const work = mkdtempSync(join(tmpdir(), 'gm-soak-'));
  const dir = flag(args, 'dir') ?? join(work, 'net');
  const specPath = join(work, `${spec.run}.json`);
  writeFileSync(specPath, JSON.stringify(spec, null, 2) + '\n');
  // RSS is compared from this evaluated window to the last (the first ones still grow: buffers, caches, JIT).
  const rssFrom = Math.min(10, Math.max(1, Math.floor(W / 2)));

  const t0 = Date.now();
  const stamp = (): string => `[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s]`;
  // event_loop lines per node: the figures of one chain window each.
  const loop = new Map<string, Array<{ window: number; maxMs: number; p99Ms: number }>>();
  const net = new Testnet({
    run: specPath, dir, miners: M, validators: V, basePort, threadsPerNode: threads, fresh: true, timing: 'adaptive',
    print: (l) => console.log(`${stamp()} ${l}`),
    onEvent: (node, ev) => {
      if (ev.event === 'event_loop' && typeof ev.window === 'number' && typeof ev.maxMs === 'number' && typeof ev.p99Ms === 'number') {
        const list = loop.get(node) ?? [];
        list.push({ window: ev.window, maxMs: ev.maxMs, p99Ms: ev.p99Ms });
        loop.set(node, list);
      }
    },
  });
  console.log(`soak: ${spec.model} (run spec ${specPath}), ${V} validator(s), ${M} miners, ${W} evaluated windows; ` +
    `${spec.innerSteps} inner steps × batch ${spec.batch} × ${spec.seqLen} tokens; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}; dir ${dir}`);

  /** Per evaluated window (1-based count): each node's /proc figures, the chain window, the load. */
  const samples = new Map<number, { window: number; load: number; procs: Map<string, ProcSample> }>();
  const evaluatedCount = (): number => [...net.windows.values()].filter((s) => s.evalLoss !== undefined).length;
  const sample = (count: number): void => {
    const procs = new Map<string, ProcSample>();
    for (const n of net.nodes) {
      const pid = n.child?.pid;
      const s = pid !== undefined && net.alive(n.name) ? procSample(pid) : undefined;
      if (s) procs.set(n.name, s);
    }
    samples.set(count, { window: net.chainWindow, load: loadavg()[0]!, procs });
  };
  let sampling = true;
  const sampler = (async () => {
    let seen = 0;
    while (sampling) {
      const c = evaluatedCount();
      if (c > seen) {
        sample(c);
        seen = c;
      }
      await sleep(200);
    }
  })();
  let storeAtFrom = new Map<string, number>();
  const storeSizes = (): Map<string, number> => new Map(net.nodes.map((n) => [n.name, duBytes(join(n.dataDir, 'p2p'))]));
  let failed: Error | undefined;
  const deadline = AbortSignal.timeout(timeoutMin * 60_000);
  try {
    await net.start();
    await net.waitForEvaluatedWindows(rssFrom, deadline);
    storeAtFrom = storeSizes();
    await net.waitForEvaluatedWindows(W, deadline);
    sample(evaluatedCount());
    if (deadline.aborted) throw new Error(`${evaluatedCount()} of ${W} windows evaluated within --timeout-min ${timeoutMin}`);
  } catch (e) {
    failed = e as Error;
    console.log(`${stamp()} soak stopped early: ${failed.message}`);
  } finally {
    sampling = false;
    await sampler;
  }
  const storeAtEnd = storeSizes();
  const endSample = samples.get(Math.max(...samples.keys(), 0));
  await net.stop();
  const elapsedS = (Date.now() - t0) / 1000;

  // ---- per window ----
  const evaluated = [...net.windows.values()].filter((s) => s.evalLoss !== undefined).sort((a, b) => a.window - b.window);
  console.log('');
  console.log('| # | window | held-out loss | payloads | distinct θ (nodes) | fewer because | load |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [i, s] of evaluated.entries()) {
    const hashes = new Set(s.thetaHashes.values());
    const reasons = Object.entries(s.reasons ?? {}).map(([k, v]) => `${v} ${k}`).join(', ');
    console.log(`| ${i + 1} | ${s.window} | ${s.evalLoss!.toFixed(4)} | ${s.payloads ?? 0} | ${hashes.size} (${s.thetaHashes.size})${hashes.size > 1 ? ' DISAGREE' : ''} | ${reasons || '—'} | ${samples.get(i + 1)?.load.toFixed(1) ?? '—'} |`);
  }
  const measured = evaluated.slice(2);
  const agree = evaluated.filter((s) => s.thetaHashes.size > 0 && new Set(s.thetaHashes.values()).size === 1).length;
  const agreeAfter2 = measured.filter((s) => s.thetaHashes.size > 0 && new Set(s.thetaHashes.values()).size === 1).length;

  // ---- per node ----
  // Event-loop delay from the chain window of the third evaluated window on (start-up, with its module loading and state creation, before).
  const loopFrom = evaluated[2]?.window ?? 0;
  const from = samples.get(rssFrom);
  console.log('');
  console.log(`| node | role | loop max ms | loop p99 ms (worst window) | RSS at #${rssFrom} MB | RSS end MB | growth | peak RSS MB | fds #${rssFrom} → end | content store #${rssFrom} → end | restarts |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  const perNode = net.nodes.map((n) => {
    const lines = (loop.get(n.name) ?? []).filter((l) => l.window >= loopFrom);
    const maxMs = Math.max(0, ...lines.map((l) => l.maxMs));
    const p99Ms = Math.max(0, ...lines.map((l) => l.p99Ms));
    const a = from?.procs.get(n.name);
    const b = endSample?.procs.get(n.name);
    // A restarted node's RSS is another process's: no growth figure across a restart.
    const same = a && b && a.pid === b.pid;
    const growthMb = same ? b.rssMb - a.rssMb : undefined;
    const growthPct = same ? (100 * (b.rssMb - a.rssMb)) / a.rssMb : undefined;
    const row = { name: n.name, role: n.role, maxMs, p99Ms, windows: lines.length, a, b, growthMb, growthPct, storeFrom: storeAtFrom.get(n.name) ?? 0, storeEnd: storeAtEnd.get(n.name) ?? 0 };
    console.log(`| ${n.name} | ${n.role} | ${f1(maxMs)} | ${f1(p99Ms)} | ${a ? f1(a.rssMb) : '—'} | ${b ? f1(b.rssMb) : '—'} | ` +
      `${growthMb !== undefined ? `${growthMb >= 0 ? '+' : ''}${f1(growthMb)} MB (${growthPct!.toFixed(1)} %)` : '—'} | ${b ? f1(b.hwmMb) : '—'} | ` +
      `${a?.fds ?? '—'} → ${b?.fds ?? '—'} | ${(row.storeFrom / 2 ** 20).toFixed(1)} → ${(row.storeEnd / 2 ** 20).toFixed(1)} MiB | ${n.restarts} |`);
    return row;
  });
  console.log('');
  for (const role of ['validator', 'miner'] as const) {
    const rows = perNode.filter((r) => r.role === role);
    if (rows.length) console.log(`${pad(role + 's', 11)} event-loop delay: max ${f1(Math.max(...rows.map((r) => r.maxMs)))} ms, worst window's p99 ${f1(Math.max(...rows.map((r) => r.p99Ms)))} ms`);
  }

  const report = net.report();
  const maxLoop = Math.max(0, ...perNode.map((r) => r.maxMs));
  const growths = perNode.filter((r) => r.growthMb !== undefined);
  const rssGrowthMb = growths.length ? Math.max(...growths.map((r) => r.growthMb!)) : null;
  const target = (ok: boolean, what: string, got: string): void => console.log(`${ok ? 'PASS' : 'FAIL'}  ${pad(what, 62)} measured: ${got}`);
  console.log('');
  console.log(`${evaluated.length} windows evaluated in ${(elapsedS / 60).toFixed(1)} min (load at the end ${loadavg()[0]!.toFixed(1)})`);
  target(measured.length > 0 && agreeAfter2 === measured.length, 'θ agreement in every window after the first two', `${agreeAfter2} of ${measured.length} (all windows: ${agree} of ${evaluated.length})`);
  target(report.eval_loss_end !== null && report.eval_loss_start !== null && report.eval_loss_end < report.eval_loss_start, 'held-out loss falls', `${report.eval_loss_start} → ${report.eval_loss_end}`);
  target(perNode.every((r) => r.windows > 0 && r.maxMs <= 200), 'max event-loop delay ≤ 200 ms on every node', perNode.map((r) => `${r.name} ${f1(r.maxMs)}`).join(', '));
  target(growths.length === perNode.length && growths.every((r) => r.growthPct! <= 5), `RSS growth window ${rssFrom} → end ≤ 5 % per process`,
    perNode.map((r) => `${r.name} ${r.growthPct !== undefined ? `${r.growthPct.toFixed(1)} %` : '—'}`).join(', '));
  console.log(`logs in ${net.logsDir}`);
  console.log(JSON.stringify({
    bench: 'soak',
    windows: evaluated.length,
    theta_agree_windows: agree,
    eval_loss_start: report.eval_loss_start,
    eval_loss_end: report.eval_loss_end,
    max_loop_delay_ms: maxLoop,
    rss_growth_mb: rssGrowthMb === null ? null : Number(rssGrowthMb.toFixed(1)),
  }));
  if (failed) process.exitCode = 1;
}
