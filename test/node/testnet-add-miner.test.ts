// `gradmesh testnet add-miner` against a real dev chain service in this process,
// without a whole testnet: what a running testnet publishes (testnet.json) is written
// here as the orchestrator writes it.
//  1. registration: a wallet of its own, its hotkey registered through the service's
//     API (no stake), the command to start it with the testnet's chain, bootstrap and
//     run; a taken name and a missing testnet are refused, naming the reason;
//  2. the command starts a real miner that finds its chain and identity, whose every
//     log line is JSON, and that stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevChain, startDevChainServer } from '../../src/chain/index.js';
import { addMinerToTestnet, AddMinerError } from '../../src/testnet/testnet-add-miner.js';
import { writeTestnetInfo, readAddedNodes, type TestnetInfo } from '../../src/testnet/testnet-info.js';
import { loadRunSpec } from '../../src/node/run-spec.js';

const BOOTSTRAP = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWGzh6bNRkq5WWJpM2Zp2KRd7ppQQ8mKbj5bHuL4q7Bv3D';

async function fakeRunningTestnet(t: { after(fn: () => Promise<void>): void }): Promise<{ dir: string; chain: DevChain; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gm-add-miner-'));
  const spec = loadRunSpec('testnet-tiny');
  const chain = DevChain.create({ netuid: spec.netuid, blockTimeMs: 0 });
  const server = await startDevChainServer(chain, { port: 0 });
  t.after(async () => {
    await server.close();
    await chain.close();
    rmSync(dir, { recursive: true, force: true });
  });
  chain.register('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', undefined, 1000); // validator0
  const info: TestnetInfo = {
    version: 1, pid: process.pid, run: 'testnet-tiny', netuid: spec.netuid, chainUrl: server.url, bootstrap: BOOTSTRAP,
    walletPath: join(dir, 'wallets'), walletName: 'testnet', startedAt: new Date().toISOString(),
    nodes: [{ name: 'validator0', role: 'validator', uid: 0, hotkey: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', opsUrl: 'http://127.0.0.1:9' }],
  };
  writeTestnetInfo(dir, info);
  return { dir, chain, url: server.url };
}

test('add-miner registers a wallet of its own on the running dev chain and gives the command to start it', { timeout: 60_000 }, async (t) => {
  const { dir, chain, url } = await fakeRunningTestnet(t);
  const m = await addMinerToTestnet({ dir, name: 'alice', threads: 2 });
  assert.equal(m.uid, 1);
  assert.equal(chain.state.uidOf(m.hotkey), 1, 'registered on the chain the testnet serves');
  assert.equal((await chain.metagraph())[1]!.stake, 0, 'a miner: no stake');
  assert.ok(existsSync(join(dir, 'wallets', 'alice', 'hotkeys', 'default')));
  const flag = (name: string): string | undefined => m.args[m.args.indexOf(name) + 1];
  assert.equal(m.args[0], 'miner');
  assert.equal(flag('--dev-chain'), url);
  assert.equal(flag('--bootstrap'), BOOTSTRAP);
  assert.equal(flag('--run'), 'testnet-tiny');
  assert.equal(flag('--wallet.name'), 'alice');
  assert.equal(flag('--threads'), '2');
  assert.equal(m.opsUrl, `http://127.0.0.1:${flag('--ops.port')}`);
  assert.match(m.command, /bin\/gradmesh\.js miner --run testnet-tiny --dev-chain /);
  assert.deepEqual(readAddedNodes(dir).map((n) => [n.name, n.uid, n.opsUrl]), [['alice', 1, m.opsUrl]], '`gradmesh status` lists it');

  // the next one gets the first free default name
  const second = await addMinerToTestnet({ dir });
  assert.equal(second.name, 'mine0');
  assert.equal(second.uid, 2);
  await assert.rejects(addMinerToTestnet({ dir, name: 'alice' }), (e: unknown) =>
    e instanceof AddMinerError && /^--name alice: taken/.test(e.message));
  await assert.rejects(addMinerToTestnet({ dir, name: '../x' }), /--name "\.\.\/x": expected 1 to 32 letters/);
  await assert.rejects(addMinerToTestnet({ dir: join(dir, 'nope') }), /no testnet running in .*nope \(no .*testnet\.json\); start one with: gradmesh testnet/);
});

test('the command add-miner gives starts a miner on the testnet\'s chain; its log is JSON lines; SIGTERM stops it cleanly', { timeout: 180_000 }, async (t) => {
  const { dir, chain } = await fakeRunningTestnet(t);
  const m = await addMinerToTestnet({ dir, name: 'bob' });
  const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'gradmesh.js'), ...m.args], {
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GRADMESH_'))), GRADMESH_LOG_JSON: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => void child.kill('SIGKILL'));
  // What the testnet does with a node's output: both streams into one log file.
  const lines: string[] = [];
  const events: Array<Record<string, unknown>> = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (l) => {
      lines.push(l);
      try {
        events.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // counted below
      }
    });
  }
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const until = Date.now() + 150_000;
  while (!events.some((e) => e.msg === 'miner started') && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  assert.ok(events.some((e) => e.msg === 'miner started'), lines.join('\n'));
  const started = events.find((e) => e.msg === 'miner started')!;
  assert.equal(started.uid, m.uid);
  assert.equal(started.ops, m.opsUrl);
  chain.advance(2 * loadRunSpec('testnet-tiny').timing.blocksPerWindow); // into window 2: it trains
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, lines.slice(-5).join('\n'));
  await new Promise((r) => setTimeout(r, 100));
  const notJson = lines.filter((l) => !l.startsWith('{'));
  assert.deepEqual(notJson, [], 'every line of the node\'s log parses as JSON');
  assert.ok(events.some((e) => e.event === 'engine_backend'), 'the engine line is a JSON event');
  assert.ok(!events.some((e) => e.msg === 'unclean shutdown'), lines.slice(-5).join('\n'));
  assert.equal(events.at(-1)!.msg, 'stopped');
  assert.ok(readFileSync(join(dir, 'nodes', 'bob', 'node-info.json'), 'utf8').includes(`"uid": ${m.uid}`));
});
