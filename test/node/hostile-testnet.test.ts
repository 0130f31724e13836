// Integration (issue 22, defects 0 and 2): a real testnet — dev chain, 2 validators,
// 2 honest miners and a hostile registered identity with a permit and stake (the
// `forge-manifest` adversary) as separate processes on loopback libp2p.
//   1. The forger publishes its own manifest for every window in the lead's slot
//      (a null round naming the lead's uid, and one choosing only its own payload with
//      a correct nextThetaHash): no honest node applies one, every honest node applies
//      the lead's, and the forger is rejected and penalised by name.
//   2. The lead validator is SIGKILLed: the next validator by stake speaks in its slot,
//      miners wait for it, and payloads are aggregated in every window after the one
//      the lead died in.
//   3. The lead restarts, catches up without publishing on a stale θ, and leads again.
// The run is chaos-tiny (12 s windows, 3 inner steps): on testnet-tiny's 6 s windows a
// loaded 2-core box trains too slowly for the forger to have its own payload in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testnet } from '../../src/testnet/testnet.js';
import { randomBasePort } from '../../src/testnet/test-ports.js';

const basePort = randomBasePort();

interface Ev { node: string; at: number; ev: Record<string, unknown> }

test('testnet: a forged manifest from a registered non-lead changes nothing; a dead lead costs at most its window', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gm-hostile-'));
  const lines: string[] = [];
  const events: Ev[] = [];
  const net = new Testnet({
    run: 'chaos-tiny', dir, miners: 2, validators: 2, basePort, threadsPerNode: 1, fresh: true, adversaries: ['forge-manifest'], startTogether: true,
    print: (l) => lines.push(l),
    onEvent: (node, ev) => { if (typeof ev.event === 'string') events.push({ node, at: Date.now(), ev }); },
  });
  const of = (name: string) => events.filter((e) => e.ev.event === name);
  const dump = () => `\n${lines.join('\n')}`;
  const honest = ['validator0', 'validator1', 'miner0', 'miner1'];
  try {
    await net.start();
    await net.waitForEvaluatedWindows(5);
    const forger = net.nodes.find((n) => n.name === 'miner2')!;
    const forgerPeer = (JSON.parse(readFileSync(join(forger.dataDir, 'node-info.json'), 'utf8')) as { peerId: string }).peerId;

    // 1. Forged manifests: published, never applied, rejected with the forger named.
    const forged = of('forged_manifest_published');
    assert.ok(forged.length >= 3, `the forger published forged manifests (got ${forged.length})${dump()}`);
    assert.ok(forged.some((f) => (f.ev.entries as number[]).length === 0) && forged.some((f) => (f.ev.entries as number[]).length === 1), 'both forgeries were tried');
    const forgedDigests = new Set(forged.map((f) => f.ev.digest as string));
    const applied = of('manifest_applied').filter((e) => honest.includes(e.node));
    assert.ok(applied.length > 0);
    for (const a of applied) assert.ok(!forgedDigests.has(a.ev.digest as string), `${a.node} applied a forged manifest of window ${String(a.ev.window)}`);
    const published = new Map(of('manifest_published').map((p) => [`${p.node}:${String(p.ev.window)}`, p.ev.digest as string]));
    for (const a of applied) {
      const lead = published.get(`validator0:${String(a.ev.window)}`);
      if (lead) assert.equal(a.ev.digest, lead, `${a.node} applied the lead's manifest of window ${String(a.ev.window)}`);
    }
    const rejected = of('manifest_rejected').filter((e) => e.ev.from === forgerPeer);
    const rejectedBy = new Set(rejected.map((e) => e.node));
    assert.ok(rejectedBy.size >= 2, `honest nodes rejected the forger's manifests (by ${[...rejectedBy].join(', ')})${dump()}`);
    assert.ok(rejected.every((e) => /out_of_turn|validator_uid_mismatch/.test(String(e.ev.reason))), JSON.stringify(rejected.map((e) => e.ev.reason)));
    for (const s of net.windows.values()) assert.ok(new Set(s.thetaHashes.values()).size <= 1, `window ${s.window}: θ disagrees ${JSON.stringify([...s.thetaHashes])}`);

    // 2. The lead dies.
    const diedAt = Date.now();
    const deathWindow = Math.max(...of('manifest_applied').map((e) => e.ev.window as number)) + 1;
    await net.kill('validator0', 'SIGKILL');
    const waitWindows = async (n: number) => {
      const target = Math.max(...[...net.windows.keys()]) + n;
      const until = Date.now() + 240_000;
      while (Math.max(...[...net.windows.keys()]) < target && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    };
    // Until miner0 has applied three windows past the one after the death (what is
    // checked below), not a count of windows seen by any node: the network's newest
    // window can be one miner0 applies a moment later (a CI run read miner0's
    // events one window short of that).
    const minerAppliedAfterDeath = () => of('manifest_applied').filter((e) => e.node === 'miner0' && e.at > diedAt && (e.ev.window as number) > deathWindow + 1);
    const until = Date.now() + 240_000;
    while (minerAppliedAfterDeath().length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    const fallback = of('manifest_published').filter((p) => p.node === 'validator1' && p.at > diedAt);
    assert.ok(fallback.length >= 3, `validator1 spoke for the dead lead (${fallback.length} manifests)${dump()}`);
    assert.ok(fallback.every((p) => p.ev.rank === 1));
    // Payloads aggregated in every window after the one the lead died in (miners waited
    // for the fallback's manifest instead of training on the old θ).
    const afterDeath = minerAppliedAfterDeath();
    assert.ok(afterDeath.length >= 3, `miner0 applied manifests after the lead died${dump()}`);
    const nullRounds = afterDeath.filter((e) => (e.ev.payloads as number) === 0).map((e) => e.ev.window);
    assert.deepEqual(nullRounds, [], `null rounds after the lead died in window ${deathWindow}${dump()}`);

    // 3. The lead restarts: it catches up and leads again, everyone on one θ.
    const restartedAt = Date.now();
    net.restart('validator0');
    await waitWindows(5);
    const leadAgain = of('manifest_published').filter((p) => p.node === 'validator0' && p.at > restartedAt);
    assert.ok(leadAgain.length >= 2, `the restarted lead publishes again${dump()}`);
    const lastWindows = [...net.windows.values()].filter((s) => s.thetaHashes.has('validator0') && s.thetaHashes.size >= 3);
    assert.ok(lastWindows.length >= 2, `the restarted lead reports θ${dump()}`);
    for (const s of net.windows.values()) assert.ok(new Set(s.thetaHashes.values()).size <= 1, `window ${s.window}: θ disagrees ${JSON.stringify([...s.thetaHashes])}${dump()}`);
  } finally {
    await net.stop();
  }
});
