// CPU profiles of every process of a bench, testnets' node processes included, on a
// Node whose NODE_OPTIONS refuses --cpu-prof (Node 20): preload this file instead.
//   GRADMESH_CPU_PROF_DIR=/tmp/prof NODE_OPTIONS="--import $PWD/bench/cpu-profile.mjs" npm run bench -- soak …
// Each process samples its main thread every GRADMESH_CPU_PROF_INTERVAL_US µs (default
// 4000) and writes DIR/<pid>.cpuprofile when it exits normally (Chrome DevTools format,
// the same as --cpu-prof). Without GRADMESH_CPU_PROF_DIR it does nothing.
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.GRADMESH_CPU_PROF_DIR;
if (dir && isMainThread) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.GRADMESH_CPU_PROF_INTERVAL_US ?? 4000) });
  session.post('Profiler.start');
  // The inspector answers synchronously on this thread, so this works in 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, res) => {
      if (err || !res) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
