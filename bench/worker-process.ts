// A bench's child process that answers over IPC (the gossip and swarm benches): each
// message is an event { ev, … }; `next(ev)` resolves with the first unclaimed event of
// that name, whether it came before or after the call.
import type { ChildProcess } from 'node:child_process';

export interface Ev { ev: string; [k: string]: unknown }

export class WorkerProcess {
  private readonly waiters: Array<{ ev: string; resolve: (e: Ev) => void }> = [];
  private readonly events: Ev[] = [];

  /** `unqueued`: event names only `onEvent` sees (frequent notices no one awaits). */
  constructor(readonly proc: ChildProcess, readonly index: number, onEvent: (w: WorkerProcess, e: Ev) => void, unqueued: ReadonlySet<string> = new Set()) {
    proc.on('message', (e: Ev) => {
      if (e.ev === 'error') console.error(`node ${index}: ${String(e.error)}`);
      onEvent(this, e);
      const i = this.waiters.findIndex((w) => w.ev === e.ev);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(e);
      else if (!unqueued.has(e.ev)) this.events.push(e);
    });
  }

  send(m: unknown): void {
    this.proc.send(m as object);
  }

  next(ev: string): Promise<Ev> {
    const i = this.events.findIndex((e) => e.ev === ev);
    if (i >= 0) return Promise.resolve(this.events.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ ev, resolve }));
  }

  async ask(m: unknown, ev: string): Promise<Ev> {
    const p = this.next(ev);
    this.send(m);
    return p;
  }
}
