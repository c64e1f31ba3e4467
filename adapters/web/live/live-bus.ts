import type { RedisClient as Redis } from '../../../jobs/connection.js';
import type { TicketEvent } from '../../../core/domain/events.js';
import type { Logger } from '../../../core/ports/logger.port.js';
import { actorName } from '../../../core/use-cases/resolve-actor.js';
import { runScript } from '../../../jobs/lua.js';

/** What browsers receive about a change: enough to update a row or append a message. */
export interface LiveEvent {
  type: TicketEvent['type'];
  ticketId: string;
  number: string;
  deskId: string;
  tier: number;
  status: string;
  priority: string;
  subject: string;
  assignee?: string;
  at: string;
  /** The recorded message or note (`ticket.message`). Internal ones never reach a requester stream. */
  entry?: { id: string; kind: string; visibility: 'public' | 'internal'; text: string; author: string; authorIsAgent: boolean; at: string };
}

export interface LiveMessage {
  /** Stream id (`<ms>-<seq>`), the SSE `id:` used for Last-Event-ID resume. */
  id: string;
  topic: string;
  event: LiveEvent;
}

export type LiveListener = (m: LiveMessage) => void;

export const ticketTopic = (ticketId: string): string => `ticket:${ticketId}`;
export const deskTopic = (deskId: string): string => `desk:${deskId}`;

// One id for every topic, from one clock (KEYS[1]): `<ms>-<seq>` from Redis's TIME, never lower than
// the last one issued. Per-stream `*` ids restarted their sequence in each stream, so a browser
// following two topics that resumed after `ms-3` of one missed `ms-0` of the other (the same
// millisecond): since() on each topic after one Last-Event-ID needs ids ordered across topics. A
// stream whose top is above the clock (its entries came before this clock) takes `*`, and the clock
// follows it.
const NEXT_ID = `local function nextId(clock)
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local seq = 0
  local last = redis.call('GET', clock)
  if last then
    local lms, lseq = string.match(last, '^(%d+)-(%d+)$')
    if lms and tonumber(lms) >= ms then ms = tonumber(lms); seq = tonumber(lseq) + 1 end
  end
  return string.format('%.0f', ms) .. '-' .. string.format('%.0f', seq)
end
local function append(key, id, maxlen, data)
  local r = redis.pcall('XADD', key, 'MAXLEN', '~', maxlen, id, 'd', data)
  if type(r) == 'table' and r.err then r = redis.call('XADD', key, 'MAXLEN', '~', maxlen, '*', 'd', data) end
  return r
end
local function later(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  if am ~= bm then return am > bm end
  return as > bs
end
`;

// Append to the topics' bounded histories (KEYS[2…]) and tell every replica, in one atomic step: one
// script, one round trip. Every key of the web bus shares the key prefix, a hash tag on Redis
// Cluster: one slot. ARGV: channel, data, maxlen, ttl ms, then the topics' names.
const PUBLISH_MANY = `${NEXT_ID}
local id = nextId(KEYS[1])
local top = id
local ids = {}
for i = 2, #KEYS do
  local got = append(KEYS[i], id, ARGV[3], ARGV[2])
  redis.call('PEXPIRE', KEYS[i], ARGV[4])
  redis.call('PUBLISH', ARGV[1], ARGV[3 + i] .. '\\n' .. got .. '\\n' .. ARGV[2])
  if later(got, top) then top = got end
  ids[i - 1] = got
end
redis.call('SET', KEYS[1], top, 'PX', ARGV[4])
return ids`;

/** Converts a domain event to what browsers see. */
export function toLiveEvent(e: TicketEvent): LiveEvent {
  const t = e.ticket;
  const ev: LiveEvent = {
    type: e.type, ticketId: t.id, number: t.number, deskId: t.deskId, tier: t.tier, status: t.status, priority: t.priority,
    subject: t.subject, assignee: t.assignee?.name ?? t.assignee?.user, at: e.at.toISOString(),
  };
  if (e.entry) {
    const a = e.entry.actor;
    ev.entry = {
      id: e.entry.id, kind: e.entry.kind, visibility: e.entry.visibility, text: e.entry.text, author: actorName(a),
      authorIsAgent: a.kind === 'system' || Boolean(a.kind === 'person' && a.agent), at: e.entry.at.toISOString(),
    };
  }
  return ev;
}

/** Stream ids compare as (ms, seq). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

export interface LiveBusOptions {
  /** Commands (publish, history). */
  redis: Redis;
  /** A dedicated connection for SUBSCRIBE (created with `redis.duplicate()` when omitted). */
  subscriber?: Redis;
  keyPrefix: string;
  log: Logger;
  /** History kept per topic for Last-Event-ID resume. @defaultValue 500 */
  historyPerTopic?: number;
  /** How long a quiet topic's history is kept. @defaultValue 1 day */
  historyTtlMs?: number;
}

/**
 * Domain events → Redis → every web replica → its SSE subscribers. Publishing appends to a bounded
 * Redis stream per topic (`ticket:<id>`, `desk:<id>`) and PUBLISHes on one channel; each replica holds
 * one subscription and dispatches to its local listeners by topic. A browser that reconnects with
 * `Last-Event-ID` gets what it missed from the stream.
 */
export class LiveBus {
  private readonly listeners = new Map<string, Set<LiveListener>>();
  private sub?: Redis;
  private readonly channel: string;
  private started?: Promise<void>;

  constructor(private readonly o: LiveBusOptions) {
    this.channel = `${o.keyPrefix}web:live`;
  }

  /** The last stream id issued on this bus (ids are ordered across topics: NEXT_ID). */
  private get clockKey(): string {
    return `${this.o.keyPrefix}web:live-clock`;
  }

  private streamKey(topic: string): string {
    return `${this.o.keyPrefix}web:live:${topic}`;
  }

  /**
   * Publishes a domain event to its ticket and desk topics (one script). Subscribe this to core's
   * EventBus. A creation announced together with its route (`supersededBy`) is left to the route's
   * event, which carries the same ticket, newer: browsers see one change, not two a millisecond apart.
   */
  async publishTicketEvent(e: TicketEvent): Promise<void> {
    if (e.supersededBy) return;
    const ev = toLiveEvent(e);
    await this.publishMany([ticketTopic(ev.ticketId), deskTopic(ev.deskId)], ev);
  }

  /** `publish` to several topics in one round trip; the stream ids in the same order. */
  async publishMany(topics: readonly string[], event: LiveEvent): Promise<string[]> {
    const keys = [this.clockKey, ...topics.map((t) => this.streamKey(t))];
    return (await runScript(this.o.redis, PUBLISH_MANY, keys.length, ...keys, this.channel, JSON.stringify(event), String(this.o.historyPerTopic ?? 500), String(this.o.historyTtlMs ?? 86_400_000), ...topics)) as string[];
  }

  async publish(topic: string, event: LiveEvent): Promise<string> {
    return (await this.publishMany([topic], event))[0]!;
  }

  /** Starts this replica's one subscription (idempotent). */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.sub = this.o.subscriber ?? this.o.redis.duplicate();
      this.sub.on('message', (_channel: string, raw: string) => this.dispatch(raw));
      await this.sub.subscribe(this.channel);
    })();
    return this.started;
  }

  private dispatch(raw: string): void {
    const a = raw.indexOf('\n');
    const b = raw.indexOf('\n', a + 1);
    if (a < 0 || b < 0) return;
    const topic = raw.slice(0, a);
    const set = this.listeners.get(topic);
    if (!set?.size) return;
    let event: LiveEvent;
    try {
      event = JSON.parse(raw.slice(b + 1)) as LiveEvent;
    } catch {
      return;
    }
    const m: LiveMessage = { id: raw.slice(a + 1, b), topic, event };
    for (const l of set) {
      try {
        l(m);
      } catch (err) {
        this.o.log.warn({ err, topic }, 'live listener failed');
      }
    }
  }

  /** Listens to a topic on this replica; returns the unsubscribe function. */
  subscribe(topic: string, l: LiveListener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
      if (!set.size) this.listeners.delete(topic);
    };
  }

  /** Events of `topic` after `afterId` (exclusive), oldest first, at most `limit`. */
  async since(topic: string, afterId: string, limit = 500): Promise<LiveMessage[]> {
    const rows = (await this.o.redis.xrange(this.streamKey(topic), `(${afterId}`, '+', 'COUNT', limit)) as Array<[string, string[]]>;
    const out: LiveMessage[] = [];
    for (const [id, fields] of rows) {
      const i = fields.indexOf('d');
      if (i < 0) continue;
      try {
        out.push({ id, topic, event: JSON.parse(fields[i + 1]!) as LiveEvent });
      } catch {
        /* skip a malformed entry */
      }
    }
    return out;
  }

  /** Number of local listeners (metrics, tests). */
  listenerCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.sub && !this.o.subscriber) await this.sub.quit().catch(() => {});
  }
}
