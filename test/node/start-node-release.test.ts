// startNode releases what it started when a later step fails: a real node on an
// in-process dev chain is made to fail (1) after its p2p host listens, when the chain
// refuses the block subscription of the window driver, and (2) when its p2p listen
// port is taken. Each time the error comes out, the chain connection startNode opened
// is closed, the engine is freed, no file descriptor or socket is left open, and a
// node started again on the same data directory and port runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DevChain, hotkeyFromUri, type Chain, type Hotkey } from '../../src/chain/index.js';
import { startNode, type NodeOptions } from '../../src/node/context.js';
import { Engine } from '../../src/train/engine.js';

const linux = existsSync('/proc/self/fd');

/** What this process has open: one line per file descriptor (socket:[…], a path, …). */
function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return []; // the directory listing's own descriptor, closed by now
    }
  }).sort();
}

/** Entries of `now` beyond those of `before` (a multiset difference). */
function extra(before: string[], now: string[]): string[] {
  const left = [...before];
  return now.filter((f) => {
    const i = left.indexOf(f);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

function close(s: Server): Promise<void> {
  return new Promise((r) => s.close(() => r()));
}

async function freePort(): Promise<number> {
  const s = await listen(0);
  const port = (s.address() as { port: number }).port;
  await close(s);
  return port;
}

/** The dev chain, behind a connection startNode opens and must close; `refuse` makes one call fail. */
function chainFactory(dev: DevChain, refuse?: keyof Chain): { open: () => Promise<Chain>; closed: () => number } {
  let closed = 0;
  const open = async (): Promise<Chain> => new Proxy(dev, {
    get(target, prop, receiver) {
      if (prop === 'close') return async () => { closed++; };
      if (prop === refuse) return async () => { throw new Error(`chain refused ${String(prop)}`); };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { open, closed: () => closed };
}

test('a node that fails part-way through startNode leaves nothing started', { skip: !linux && 'reads /proc/self/fd', timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gm-start-release-'));
  const dev = DevChain.create({ netuid: 1, blockTimeMs: 0 });
  const hotkey: Hotkey = await hotkeyFromUri('//StartReleaseValidator');
  dev.register(hotkey.ss58, undefined, 1000);
  const dispose = Engine.prototype.dispose;
  let disposed = 0;
  Engine.prototype.dispose = function (this: Engine): void {
    disposed++;
    dispose.call(this);
  };
  t.after(async () => {
    Engine.prototype.dispose = dispose;
    await dev.close();
    await rm(dir, { recursive: true, force: true });
    // A node that was not released keeps this process alive (a listening libp2p host):
    // end it, failed, rather than hang the test run. Released, it exits before this fires.
    setTimeout(() => {
      console.error('start-node-release: something startNode started is still running');
      process.exit(1);
    }, 10_000).unref();
  });
  const options = (port: number, chain: NodeOptions['chain']): NodeOptions => ({
    role: 'validator', run: 'testnet-tiny', dataDir: join(dir, 'node'), chain, hotkey,
    listen: [`/ip4/127.0.0.1/tcp/${port}`], bootstrap: [], threads: 1, log: pino({ level: 'silent' }),
  });

  // A first start and stop loads what stays for the process's life (the native addon,
  // the hash worker, the built-in dataset), so that what follows is measured against it.
  const warm = await startNode({ ...options(0, dev), dataDir: join(dir, 'warm-up') });
  await warm.stop();
  const port = await freePort();
  const baseline = openFiles();

  // (1) The p2p host listens on `port`, then the window driver's block subscription is refused.
  const refusing = chainFactory(dev, 'subscribeBlocks');
  await assert.rejects(startNode(options(port, refusing.open)), /chain refused subscribeBlocks/);
  assert.equal(refusing.closed(), 1, 'the chain connection startNode opened is closed');
  assert.equal(disposed, 2, 'the engine is freed (the warm-up node freed the first)');
  assert.deepEqual(extra(baseline, openFiles()), [], 'no socket or file left open');
  await close(await listen(port)); // the p2p port is free again

  // (2) The p2p listen port is taken by someone else.
  const squatter = await listen(port);
  const withSquatter = openFiles();
  const healthy = chainFactory(dev);
  await assert.rejects(startNode(options(port, healthy.open)), /EADDRINUSE|address already in use/i);
  assert.equal(healthy.closed(), 1, 'the chain connection is closed');
  assert.equal(disposed, 3, 'the engine is freed');
  assert.deepEqual(extra(withSquatter, openFiles()), [], 'no socket or file left open');
  await close(squatter);

  // The same data directory and port serve a node that starts, and stops cleanly.
  const again = chainFactory(dev);
  const ctx = await startNode(options(port, again.open));
  assert.ok(ctx.p2p.multiaddrs().some((a) => a.includes(`/tcp/${port}`)), `listens on ${port}: ${ctx.p2p.multiaddrs().join(' ')}`);
  await ctx.stop();
  assert.equal(again.closed(), 0, 'a node that started keeps its chain connection: its caller closes it');
  assert.equal(disposed, 4);
});
