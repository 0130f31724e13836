// Buffer claims: the native boundary's lifetime rule, enforced (docs/engine.md, "Off
// the event loop"). An async call that hands a JS buffer to a libuv thread
// (compressFeedbackAsync, aggregateAndStepAsync, the native copies, Δ and hashes of
// offload.ts) claims it for as long as it runs. While it is
// claimed, a second claim that could conflict (either side writes) throws, and so
// does a JS write announced with assertWritable: a BufferBusyError naming the
// buffer, the call that holds it and the one that tried. Without this, a view of θ
// written by JS while a native thread reads it gave a wrong hash or a torn step, and
// nothing said so; it was kept away only by the convention that the node does all
// such work under the replica lock.
//
// Typed-array writes cannot be intercepted, so the rule covers the writers that ask:
// every async entry point here claims its buffers, and code that writes a buffer
// which such calls may be using calls assertWritable first. Claims are per byte
// range of the underlying (Shared)ArrayBuffer: two views of the same memory
// conflict, two disjoint views of one buffer do not.

export type ClaimMode = 'read' | 'write';

export class BufferBusyError extends Error {
  constructor(
    /** The name the blocked call gave the buffer. */
    readonly buffer: string,
    /** The call that holds it, and how. */
    readonly heldBy: string,
    readonly heldMode: ClaimMode,
    /** The call (or write) that was refused. */
    readonly attempt: string,
  ) {
    super(
      `${buffer} is busy: ${attempt} cannot use it while ${heldBy} ${heldMode === 'write' ? 'writes' : 'reads'} it off the event loop; ` +
        `await ${heldBy} first (docs/engine.md, "Off the event loop")`,
    );
    this.name = 'BufferBusyError';
  }
}

interface Claim {
  call: string;
  name: string;
  mode: ClaimMode;
  start: number;
  end: number;
}

const claims = new WeakMap<ArrayBufferLike, Set<Claim>>();

function range(v: ArrayBufferView): { start: number; end: number } {
  return { start: v.byteOffset, end: v.byteOffset + v.byteLength };
}

function overlapping(v: ArrayBufferView): Claim[] {
  const held = claims.get(v.buffer);
  if (!held) return [];
  const r = range(v);
  return [...held].filter((c) => c.start < r.end && r.start < c.end && r.start < r.end);
}

/**
 * Throws BufferBusyError if an async call holds any part of `view`: call it before
 * JS writes a buffer that native calls or workers may be using (θ, the error buffer).
 */
export function assertWritable(view: ArrayBufferView, name: string, writer = 'a JS write'): void {
  const c = overlapping(view)[0];
  if (c) throw new BufferBusyError(name, c.call, c.mode, `${writer} of ${name}`);
}

/** Whether any async call holds part of `view` now. */
export function isClaimed(view: ArrayBufferView): boolean {
  return overlapping(view).length > 0;
}

export interface BufferUse {
  name: string;
  view: ArrayBufferView;
  mode: ClaimMode;
}

/**
 * Claims the buffers for `call`, or throws BufferBusyError (claiming none) if one
 * conflicts with a claim held now: a write conflicts with any claim, a read with a
 * write. Returns the release function.
 */
export function claimBuffers(call: string, uses: BufferUse[]): () => void {
  for (const u of uses) {
    for (const c of overlapping(u.view)) {
      if (u.mode === 'write' || c.mode === 'write') throw new BufferBusyError(u.name, c.call, c.mode, `${call} (${u.mode === 'write' ? 'writing' : 'reading'} ${u.name})`);
    }
  }
  const taken: Array<[ArrayBufferLike, Claim]> = [];
  for (const u of uses) {
    if (u.view.byteLength === 0) continue;
    const c: Claim = { call, name: u.name, mode: u.mode, ...range(u.view) };
    let set = claims.get(u.view.buffer);
    if (!set) claims.set(u.view.buffer, (set = new Set()));
    set.add(c);
    taken.push([u.view.buffer, c]);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const [buf, c] of taken) claims.get(buf)?.delete(c);
  };
}

/** Runs `fn` with the buffers claimed for `call`; the claims end when its promise settles. */
export async function withClaims<T>(call: string, uses: BufferUse[], fn: () => Promise<T>): Promise<T> {
  const release = claimBuffers(call, uses);
  try {
    return await fn();
  } finally {
    release();
  }
}
