import type { RedisClient as Redis } from '../../../jobs/connection.js';
import { ACTIVE_STATUSES, type Ticket } from '../../../core/domain/ticket.js';
import type { QueueIndex } from '../../../core/ports/queue-index.port.js';
import type { TicketCursor } from '../../../core/ports/ticket-store.port.js';

/**
 * The active queues in Redis sorted sets: one per desk and one per assignee, score = creation time
 * (ms), member = ticket id (equal scores sort by id, matching the store's `createdAt, _id` order).
 * Shared by every replica; kept current from domain events and rebuilt from the store when the
 * `built` marker is missing (first start, Redis lost its data).
 */
export class RedisQueueIndex implements QueueIndex {
  private building?: Promise<number>;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** Where a rebuild reads the active tickets from (the store). */
    private readonly source?: () => AsyncIterable<Ticket>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  private deskKey = (desk: string) => `${this.keyPrefix}web:q:desk:${desk}`;
  private agentKey = (agent: string) => `${this.keyPrefix}web:q:agent:${agent}`;
  private get builtKey() {
    return `${this.keyPrefix}web:q:built`;
  }

  async record(t: Ticket, before?: Ticket): Promise<void> {
    const score = new Date(t.createdAt).getTime();
    const active = ACTIVE_STATUSES.includes(t.status);
    const m = this.redis.multi();
    if (active) m.zadd(this.deskKey(t.deskId), score, t.id);
    else m.zrem(this.deskKey(t.deskId), t.id);
    if (before?.assigneeAgentId && before.assigneeAgentId !== t.assigneeAgentId) m.zrem(this.agentKey(before.assigneeAgentId), t.id);
    if (t.assigneeAgentId) {
      if (active) m.zadd(this.agentKey(t.assigneeAgentId), score, t.id);
      else m.zrem(this.agentKey(t.assigneeAgentId), t.id);
    }
    await m.exec();
  }

  /** Newest first after the cursor, from each set, merged. */
  async page(q: { deskIds: readonly string[]; assigneeAgentId?: string; after?: TicketCursor; limit: number }): Promise<Array<{ id: string; createdAt: Date }> | undefined> {
    if (!(await this.redis.exists(this.builtKey))) {
      this.ensureBuilt();
      return undefined;
    }
    const keys = q.assigneeAgentId ? [this.agentKey(q.assigneeAgentId)] : q.deskIds.map(this.deskKey);
    const max = q.after ? String(q.after.createdAt.getTime()) : '+inf';
    const rows: Array<{ id: string; ms: number }> = [];
    for (const key of keys) {
      // Ties at the cursor's millisecond that come before it in id order are skipped below.
      const ties = q.after ? await this.redis.zcount(key, max, max) : 0;
      const raw = await this.redis.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, q.limit + ties);
      for (let i = 0; i < raw.length; i += 2) rows.push({ id: raw[i]!, ms: Number(raw[i + 1]) });
    }
    const after = q.after;
    return rows
      .filter((r) => !after || r.ms < after.createdAt.getTime() || (r.ms === after.createdAt.getTime() && r.id < after.id))
      .sort((a, b) => b.ms - a.ms || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, q.limit)
      .map((r) => ({ id: r.id, createdAt: new Date(r.ms) }));
  }

  /** Adds every active ticket (idempotent; stale entries are healed by readers), then marks the index built. */
  async rebuild(active: AsyncIterable<Ticket>): Promise<number> {
    let n = 0;
    for await (const t of active) {
      await this.record(t);
      n++;
    }
    await this.redis.set(this.builtKey, new Date().toISOString());
    return n;
  }

  /** Starts a rebuild from `source` unless one is running in this process. */
  ensureBuilt(): Promise<number> | undefined {
    if (!this.source) return undefined;
    this.building ??= this.rebuild(this.source())
      .catch((err: unknown) => {
        this.onError(err);
        return 0;
      })
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }

  /**
   * Active tickets per assignee (`ZCARD` of each agent's set), for reports' current load; undefined
   * while the index is not built. The index may briefly hold a stale entry (healed by the next
   * event or reader), so a load can be off by one for a moment.
   */
  async load(agentIds: readonly string[]): Promise<Map<string, number> | undefined> {
    if (!(await this.isBuilt())) return undefined;
    const m = this.redis.multi();
    for (const a of agentIds) m.zcard(this.agentKey(a));
    const res = (await m.exec()) ?? [];
    return new Map(agentIds.map((a, i) => [a, Number(res[i]?.[1] ?? 0)]));
  }

  isBuilt(): Promise<boolean> {
    return this.redis.exists(this.builtKey).then((n) => n > 0);
  }
}
