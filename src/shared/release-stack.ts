// Undo for a start-up made of several steps. Each step that acquires something (a
// listening socket, a connection, a file handle, native memory) registers how to
// release it; when a later step fails, everything acquired so far is released, newest
// first, and the caller rethrows the step's own error. A release that itself fails is
// reported and the others still run: the cause of the failed start is what matters.
export class ReleaseStack {
  private readonly steps: Array<{ name: string; release: () => unknown }> = [];

  /** Registers the release of something just acquired. */
  add(name: string, release: () => unknown): void {
    this.steps.push({ name, release });
  }

  /** What is registered, oldest first (for logs and tests). */
  get names(): string[] {
    return this.steps.map((s) => s.name);
  }

  /** Runs every release, newest first, each once; a failing release goes to onError. */
  async releaseAll(onError: (name: string, err: unknown) => void = () => {}): Promise<void> {
    for (let s = this.steps.pop(); s; s = this.steps.pop()) {
      try {
        await s.release();
      } catch (e) {
        onError(s.name, e);
      }
    }
  }
}
