/** Counters of the email channel (accepted, rejected by reason, ignored…), for logs, tests and /metrics. */
export class EmailStats {
  private readonly counts = new Map<string, number>();
  count(what: string, reason?: string): void {
    const k = reason ? `${what}:${reason}` : what;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  get(what: string, reason?: string): number {
    return this.counts.get(reason ? `${what}:${reason}` : what) ?? 0;
  }
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
