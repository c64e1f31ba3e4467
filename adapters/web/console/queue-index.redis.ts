import type { RedisClient as Redis } from '../../../jobs/connection.js';
import { ACTIVE_STATUSES, type Ticket } from '../../../core/domain/ticket.js';
import { queueRowOf, type QueueIndex, type QueueRow } from '../../../core/ports/queue-index.port.js';
import type { TicketCursor } from '../../../core/ports/ticket-store.port.js';
import { runScript } from '../../../jobs/lua.js';

/**
 * The active queues in Redis sorted sets: one per desk and one per assignee, score = creation time
 * (ms), member = ticket id (equal scores sort by id, matching the store's `createdAt, _id` order).
 * Shared by every replica; kept current from domain events and rebuilt from the store when the
 * `built` marker is missing (first start, Redis lost its data). Each active ticket's queue row is
 * kept in one hash (`<version>|<json>`), written in the same script as the sets and only when not
 * older than the stored row, so an event recorded late by another process cannot undo a newer one.
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

  private get rowsKey() {
    return `${this.keyPrefix}web:q:rows`;
  }

  async record(t: Ticket, before?: Ticket): Promise<void> {
    const score = new Date(t.createdAt).getTime();
    const active = ACTIVE_STATUSES.includes(t.status);
    const keys = [this.rowsKey, this.deskKey(t.deskId)];
    const ops: string[] = [];
    if (before?.assigneeAgentId && before.assigneeAgentId !== t.assigneeAgentId) {
      keys.push(this.agentKey(before.assigneeAgentId));
      ops.push('rem');
    }
    if (t.assigneeAgentId) {
      keys.push(this.agentKey(t.assigneeAgentId));
      ops.push(active ? 'add' : 'rem');
    }
    await runScript(this.redis, RECORD, keys.length, ...keys, t.id, String(t.version ?? 0), String(score), active ? '1' : '0', JSON.stringify(queueRowOf(t)), ...ops);
  }

  /** Newest first after the cursor, from each set, merged. */
  async page(q: { deskIds: readonly string[]; assigneeAgentId?: string; after?: TicketCursor; limit: number }): Promise<Array<{ id: string; createdAt: Date; row?: QueueRow }> | undefined> {
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
    const picked = rows
      .filter((r) => !after || r.ms < after.createdAt.getTime() || (r.ms === after.createdAt.getTime() && r.id < after.id))
      .sort((a, b) => b.ms - a.ms || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, q.limit);
    const stored = picked.length ? await this.redis.hmget(this.rowsKey, ...picked.map((r) => r.id)) : [];
    return picked.map((r, i) => {
      const row = parseRow(stored[i]);
      return row && row.id === r.id ? { id: r.id, createdAt: new Date(r.ms), row } : { id: r.id, createdAt: new Date(r.ms) };
    });
  }

  /** Adds every active ticket (idempotent; stale entries are healed by readers), then marks the index built. */
  async rebuild(active: AsyncIterable<Ticket>): Promise<number> {
    let n = 0;
    let chunk: Promise<void>[] = [];
    for await (const t of active) {
      chunk.push(this.record(t)); // a chunk's scripts share the connection's pipeline
      n++;
      if (chunk.length >= 200) {
        await Promise.all(chunk);
        chunk = [];
      }
    }
    await Promise.all(chunk);
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

/**
 * KEYS: rows hash, desk set, then assignee sets; ARGV: id, version, score, active ('1'/'0'), row
 * JSON, then 'add'/'rem' per assignee set. Nothing changes when the stored row is newer.
 */
const RECORD = `
local id, v = ARGV[1], tonumber(ARGV[2])
local cur = redis.call('HGET', KEYS[1], id)
if cur then
  local sep = string.find(cur, '|', 1, true)
  local cv = sep and tonumber(string.sub(cur, 1, sep - 1))
  if cv and cv > v then return 0 end
end
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[3], id)
  redis.call('HSET', KEYS[1], id, ARGV[2] .. '|' .. ARGV[5])
else
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[1], id)
end
for i = 3, #KEYS do
  if ARGV[3 + i] == 'add' then redis.call('ZADD', KEYS[i], ARGV[3], id) else redis.call('ZREM', KEYS[i], id) end
end
return 1
`;

const DATE_FIELDS = ['createdAt', 'updatedAt'] as const;
const SLA_DATES = ['firstResponseDueAt', 'firstRespondedAt', 'resolutionDueAt', 'pausedAt'] as const;

/** A stored `<version>|<json>` row, dates revived; undefined when absent or unreadable. */
function parseRow(raw: string | null | undefined): QueueRow | undefined {
  if (!raw) return undefined;
  const sep = raw.indexOf('|');
  try {
    const row = JSON.parse(raw.slice(sep + 1)) as QueueRow;
    for (const f of DATE_FIELDS) row[f] = new Date(row[f]);
    row.sla ??= {};
    for (const f of SLA_DATES) if (row.sla[f]) row.sla[f] = new Date(row.sla[f]);
    return row;
  } catch {
    return undefined;
  }
}
