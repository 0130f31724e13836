// The dashboard in a real browser (Debian chromium driven by playwright-core): the
// page is served by the ops API of three node servers and the testnet aggregate,
// their status changes as windows pass, and the page must show each change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startOpsServer } from '../../src/ops/server.js';
import { startTestnetDashboard } from '../../src/ops/node-ops.js';
import { repoRoot } from '../../src/train/model-config.js';
import type { NodeStatus } from '../../src/ops/status.js';
import { sampleStatus } from './sample-status.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A small simulated network: validator uid 0 and miners 1..3, advancing window by window. */
class SimulatedNetwork {
  window = 3;
  forkedUid: number | undefined;

  private lossOf(uid: number, w: number): number {
    return 3.2 + 7.6 * Math.exp(-w / 9) + 0.12 * Math.sin(w * 1.7 + uid * 2.1) + uid * 0.05;
  }

  status(role: 'miner' | 'validator', uid: number): NodeStatus {
    const w = this.window;
    const base = sampleStatus({ role, uid, window: w });
    const thetaOf = (u: number): string => (this.forkedUid === u ? 'f'.repeat(64) : `${String(w - 2).padStart(8, '0')}${'9e3a'.repeat(14)}`);
    const theta = thetaOf(uid);
    const others = [0, 1, 2, 3].filter((u) => u !== uid);
    const windows = Array.from({ length: w }, (_, i) => i);
    const scores = [1, 2, 3].map((m) => ({ uid: m, score: Math.max(0, 0.9 - m * 0.2 + 0.05 * Math.sin(w + m)) }));
    const total = scores.reduce((a, e) => a + e.score, 0);
    const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789';
    const peerId = (i: number): string => `12D3KooW${Array.from({ length: 44 }, (_, j) => alphabet[(i * 31 + j * j * 7 + j) % alphabet.length]).join('')}`;
    return {
      ...base,
      peerId: peerId(uid),
      peers: others.map((u) => ({
        peerId: peerId(u), uid: u, role: u === 0 ? 'validator' as const : 'miner' as const, score: u === 0 ? 14.2 : 3 + u * 0.7,
        thetaWindow: w - 1, thetaHash: thetaOf(u),
      })),
      peerTheta: {
        thetaWindow: w - 1,
        agreeing: others.filter((u) => thetaOf(u) === theta).length,
        differing: others.filter((u) => thetaOf(u) !== theta).length,
        elsewhere: 0,
      },
      thetaHash: theta,
      trainLoss: role === 'miner' ? windows.map((i) => ({ window: i, loss: this.lossOf(uid, i) })) : [],
      evalLoss: role === 'validator' ? windows.slice(1).map((i) => ({ window: i, loss: this.lossOf(0, i) + 0.3 })) : [],
      ...(role === 'validator' ? { scores: scores.map((e) => ({ ...e, weight: e.score / total })) } : {}),
      // miner uid 2 trains on 2 GPUs (the status of a multi-rank engine)
      ...(role === 'miner' && uid === 2
        ? { ranks: [0, 1].map((r) => ({ rank: r, device: `cuda:${r}`, memoryBytes: 12.5 * 2 ** 30, optimizerStateBytes: 600e6, tokensPerSecond: 1000 * w + r })) }
        : {}),
      // what the chain pays: miner uid m's incentive is m/10 in every window read so far
      pay: {
        history: windows.map((i) => ({
          window: i, block: i * 4, timeMs: 0, uid, rank: uid / 10, trust: 1, consensus: uid / 10, incentive: role === 'miner' ? uid / 10 : 0,
          emission: role === 'miner' ? uid / 20 : 0, dividends: role === 'validator' ? 1 : 0,
          weightsFrom: role === 'miner' ? [{ validatorUid: 0, stake: 1000, weight: uid / 6 }] : [],
        })),
        ...(role === 'validator' ? { weightsSet: [{ window: w - 1, block: (w - 1) * 4, timeMs: 0, ok: true, tries: 1, weights: [{ uid: 1, weight: 0.5 }] }] } : {}),
      },
    };
  }
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector))?.trim() ?? '';
}

test('the dashboard shows a live testnet and follows its changes', { timeout: 90_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    const msg = `${CHROMIUM} is missing: install it with "apt-get install -y chromium" to run the dashboard browser test`;
    if (process.env.CI === 'true') assert.fail(msg);
    console.warn(`\n*** SKIPPED: ${msg} ***\n`);
    t.skip(msg);
    return;
  }
  const net = new SimulatedNetwork();
  const nodes = [
    { name: 'validator0', role: 'validator' as const, uid: 0 },
    { name: 'miner0', role: 'miner' as const, uid: 1 },
    { name: 'miner1', role: 'miner' as const, uid: 2 },
    { name: 'miner2', role: 'miner' as const, uid: 3 },
  ];
  const servers = await Promise.all(nodes.map((n) => startOpsServer({ port: 0, name: n.name, status: () => net.status(n.role, n.uid) })));
  t.after(() => Promise.all(servers.map((s) => s.close())));
  const dash = await startTestnetDashboard({ port: 0, nodes: () => nodes.map((n, i) => ({ name: n.name, url: servers[i]!.url })) });
  t.after(() => dash.close());

  const dir = mkdtempSync(join(tmpdir(), 'gradmesh-dashboard-'));
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 1000 } });
  t.after(async () => {
    await context.close();
    if (!process.env.GRADMESH_KEEP_SCREENSHOT) rmSync(dir, { recursive: true, force: true });
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const external: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(dash.url)) external.push(r.url());
  });

  await page.goto(`${dash.url}/?poll=150`);
  await page.waitForFunction(() => Number(document.getElementById('updated')?.getAttribute('data-polls')) >= 1);
  assert.equal(await page.title(), 'gradmesh testnet');
  assert.equal(await text(page, '#window'), '3');
  assert.equal(await text(page, '#node-count'), '4/4');
  assert.deepEqual(await page.$$eval('#nodes tbody tr', (rows) => rows.map((r) => r.getAttribute('data-node'))), ['validator0', 'miner0', 'miner1', 'miner2']);
  assert.match(await text(page, '#agreement'), /4\/4 agree at manifest 1/);
  // One loss curve per miner, with one point per trained window.
  assert.deepEqual(await page.$$eval('#loss-plot path', (ps) => ps.map((p) => [p.getAttribute('data-series'), p.getAttribute('data-points')])), [['uid-1', '3'], ['uid-2', '3'], ['uid-3', '3']]);
  assert.deepEqual(await page.$$eval('#eval-plot path', (ps) => ps.map((p) => p.getAttribute('data-points'))), ['2']);
  assert.deepEqual(await page.$$eval('#scores tr[data-uid]', (rs) => rs.map((r) => r.getAttribute('data-uid'))), ['1', '2', '3']);
  assert.equal(await page.$$eval('#bytes tr[data-node]', (rs) => rs.length), 8, 'in and out for each node');
  assert.equal(await page.$$eval('#peers tbody tr[data-peer]', (rs) => rs.length), 4, 'every node, as its peers see it');
  assert.deepEqual(await page.$$eval('#ranks tbody tr', (rs) => rs.map((r) => [r.getAttribute('data-node'), r.getAttribute('data-rank'), r.children[2]!.textContent])),
    [['miner1', '0', 'cuda:0'], ['miner1', '1', 'cuda:1']], 'one row per GPU of the miner that reports its ranks');
  assert.equal(await page.$eval('#ranks tr[data-rank="1"] td[data-field="tokens"]', (td) => td.textContent), '3001');
  assert.match(await text(page, '#peers tr[data-peer]:nth-child(1)'), /θ_2 00000001/, 'the θ each peer reports');
  // Is each miner paid: the chain's figures per node, the weights each validator gives, and an incentive curve per miner.
  assert.equal(await page.$eval('#pay tr[data-uid="2"] td[data-field="incentive"]', (td) => td.textContent), '20.0%');
  assert.match(await text(page, '#pay tr[data-uid="3"]'), /uid 0: 50\.0%/);
  assert.match(await text(page, '#pay tr[data-uid="0"]'), /window 2, block 8: uid 1 0\.500/);
  assert.deepEqual(await page.$$eval('#pay-plot path', (ps) => ps.map((p) => [p.getAttribute('data-series'), p.getAttribute('data-points')])), [['uid-1', '3'], ['uid-2', '3'], ['uid-3', '3']]);

  // Windows pass: the page follows without a reload.
  net.window = 9;
  await page.waitForFunction(() => document.getElementById('window')?.textContent === '9');
  assert.equal(await page.$eval('#loss-plot path[data-series="uid-2"]', (p) => p.getAttribute('data-points')), '9');
  assert.equal(await page.$eval('#nodes tr[data-node="miner1"] td[data-field="train-loss"]', (td) => td.textContent), (3.2 + 7.6 * Math.exp(-8 / 9) + 0.12 * Math.sin(8 * 1.7 + 2 * 2.1) + 0.1).toFixed(4));
  assert.match(await text(page, '#agreement'), /4\/4 agree at manifest 7/);
  mkdirSync(dir, { recursive: true });
  const shot = join(dir, 'dashboard.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(existsSync(shot));
  if (process.env.GRADMESH_UPDATE_SCREENSHOT) copyFileSync(shot, join(repoRoot(), 'docs', 'img', 'dashboard.png'));

  // A node whose θ forks and a node that goes down both show.
  net.forkedUid = 2;
  await page.waitForFunction(() => document.querySelector('#agreement .badge')?.getAttribute('data-state') === 'bad');
  assert.match(await text(page, '#agreement'), /DISAGREE: 2 hashes at manifest 7/);
  // Each node also sees, through status gossip, which of its peers hold another θ.
  await page.waitForFunction(() => /3 peer\(s\) differ/.test(document.querySelector('#nodes tr[data-node="miner1"] td[data-field="sync"]')?.textContent ?? ''));
  assert.match(await text(page, '#nodes tr[data-node="miner0"] td[data-field="sync"]'), /yes · 1 peer\(s\) differ/);
  assert.match(await text(page, '#peers tr[data-peer]:nth-child(3)'), /θ_8 ffffffff/);
  await servers[3]!.close();
  await page.waitForFunction(() => document.querySelector('#nodes tr[data-node="miner2"]')?.getAttribute('data-state') === 'down');
  assert.equal(await text(page, '#node-count'), '3/4');

  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  assert.deepEqual(external, [], 'the page loads nothing from elsewhere');
  console.log(`dashboard screenshot: ${shot}`);
});
