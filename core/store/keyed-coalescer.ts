/**
 * One write in flight per key: what callers add while a key's write runs is merged into the next
 * batch and written together when it returns; each caller is answered with its batch's result (or
 * error). A key with nothing in flight is written at once. On FerretDB, whose updates are read,
 * change, write back, this is also what keeps concurrent updates of one document from overwriting
 * each other (within a process). Used by ShardedCounters and the spike store.
 */
export class KeyedCoalescer<B, R> {
  private readonly pending = new Map<string, { batch: B; waiters: Array<{ ok: (r: R) => void; fail: (e: unknown) => void }> }>();
  private readonly inFlight = new Set<string>();

  constructor(
    /** A new, empty batch. */
    private readonly empty: () => B,
    /** Writes one batch of `key`. */
    private readonly write: (key: string, batch: B) => Promise<R>,
  ) {}

  /** Adds to `key`'s next batch (`add` merges into it); resolves once that batch is written. */
  submit(key: string, add: (batch: B) => void): Promise<R> {
    return new Promise<R>((ok, fail) => {
      let p = this.pending.get(key);
      if (!p) this.pending.set(key, (p = { batch: this.empty(), waiters: [] }));
      add(p.batch);
      p.waiters.push({ ok, fail });
      if (!this.inFlight.has(key)) void this.flush(key);
    });
  }

  private async flush(key: string): Promise<void> {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    this.inFlight.add(key);
    try {
      const r = await this.write(key, p.batch);
      for (const w of p.waiters) w.ok(r);
    } catch (e) {
      for (const w of p.waiters) w.fail(e);
    } finally {
      this.inFlight.delete(key);
      if (this.pending.has(key)) void this.flush(key);
    }
  }
}
