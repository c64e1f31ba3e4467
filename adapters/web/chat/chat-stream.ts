import type { RedisClient as Redis } from '../../../jobs/connection.js';
import { runScript } from '../../../jobs/lua.js';

/** One message of a conversation's live stream, as the browser receives it (SSE `data:`). */
export interface StreamEntry {
  /** Redis stream id (`ms-seq`): the SSE event id, used as Last-Event-ID on reconnect. */
  id: string;
  data: string;
}

export interface ChatStreamOptions {
  /** Publishing connection (commands). */
  redis: Redis;
  /** A connection this replica uses only for SUBSCRIBE; `redis.duplicate()` when omitted. */
  subscriber?: Redis;
  /** Key prefix shared by every replica of one deployment. */
  prefix: string;
  /**
   * Entries kept per conversation for replay after a reload or a dropped connection.
   * @defaultValue 1000
   */
  maxLen?: number;
}

type Listener = (e: StreamEntry) => void;

/** Who owns a conversation (`workspace:user` of the requester) and the text it was opened with. */
export interface ConversationOwner {
  who: string;
  description: string;
}

/** Owner records outlive the recorded request by far; an expired one is looked up in the database again. */
const OWNER_TTL_S = 30 * 86_400;

// XADD then PUBLISH in one script: a subscriber never hears of an entry that is not in the stream yet.
const APPEND = `local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'd', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4] .. '\\n' .. id .. '\\n' .. ARGV[2])
return id`;

/**
 * The browser side of the web channel's delivery: one Redis stream per conversation (bounded replay
 * buffer keyed by stream id) plus one pub/sub channel per deployment that every web replica listens
 * to and fans out to the SSE connections it holds. Any replica can therefore serve any browser, and
 * a reconnecting browser asks for the entries after its Last-Event-ID.
 */
export class ChatStream {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly channel: string;
  private readonly maxLen: number;
  private started?: Promise<void>;
  private sub?: Redis;

  constructor(private readonly o: ChatStreamOptions) {
    this.channel = `${o.prefix}chat:live`;
    this.maxLen = o.maxLen ?? 1000;
  }

  private key(conversation: string) {
    return `${this.o.prefix}chat:c:${conversation}`;
  }

  /** Subscribes this replica to the live channel (idempotent). */
  start(): Promise<void> {
    this.started ??= (async () => {
      const sub = (this.sub = this.o.subscriber ?? this.o.redis.duplicate());
      sub.on('message', (channel: string, payload: string) => {
        if (channel !== this.channel) return;
        const a = payload.indexOf('\n');
        const b = payload.indexOf('\n', a + 1);
        if (a < 0 || b < 0) return;
        const conv = payload.slice(0, a);
        const set = this.listeners.get(conv);
        if (!set) return;
        const entry = { id: payload.slice(a + 1, b), data: payload.slice(b + 1) };
        for (const l of set) l(entry);
      });
      await sub.subscribe(this.channel);
    })();
    return this.started;
  }

  /** Appends an entry to the conversation and announces it to every replica. Returns its id. */
  async append(conversation: string, data: unknown): Promise<string> {
    const json = JSON.stringify(data);
    return (await runScript(this.o.redis, APPEND, 1, this.key(conversation), String(this.maxLen), json, this.channel, conversation)) as string;
  }

  /** Entries after `afterId` (exclusive), oldest first; everything kept when `afterId` is absent. */
  async since(conversation: string, afterId?: string, count = 1000): Promise<StreamEntry[]> {
    const start = afterId ? `(${afterId}` : '-';
    const rows = (await this.o.redis.xrange(this.key(conversation), start, '+', 'COUNT', count)) as Array<[string, string[]]>;
    return rows.map(([id, fields]) => ({ id, data: fields[1] ?? 'null' }));
  }

  /** The newest entry id, or '0-0' for an empty conversation. */
  async lastId(conversation: string): Promise<string> {
    const rows = (await this.o.redis.xrevrange(this.key(conversation), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    return rows[0]?.[0] ?? '0-0';
  }

  /**
   * Remembers who owns a conversation (and its first text) in Redis, so a request on it can be
   * checked and recorded without asking the database (durable intake, docs/storm.md).
   */
  async setOwner(conversation: string, owner: ConversationOwner): Promise<void> {
    await this.o.redis.set(`${this.o.prefix}chat:owner:${conversation}`, JSON.stringify(owner), 'EX', OWNER_TTL_S);
  }

  /** The owner recorded by {@link setOwner}, if Redis still has it. */
  async ownerOf(conversation: string): Promise<ConversationOwner | undefined> {
    const raw = await this.o.redis.get(`${this.o.prefix}chat:owner:${conversation}`);
    if (!raw) return undefined;
    try {
      const o = JSON.parse(raw) as Partial<ConversationOwner>;
      return typeof o.who === 'string' && typeof o.description === 'string' ? { who: o.who, description: o.description } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Live entries of one conversation on this replica; returns the unsubscribe function. */
  listen(conversation: string, l: Listener): () => void {
    let set = this.listeners.get(conversation);
    if (!set) this.listeners.set(conversation, (set = new Set()));
    set.add(l);
    return () => {
      set.delete(l);
      if (set.size === 0) this.listeners.delete(conversation);
    };
  }

  /** Stops listening (the subscriber connection is closed when this stream created it). */
  async close(): Promise<void> {
    this.listeners.clear();
    if (this.sub && !this.o.subscriber) await this.sub.quit().catch(() => {});
  }

  /** Number of live listeners on this replica (metrics, tests). */
  get listenerCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}

/** Compares two Redis stream ids (`ms-seq`). */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  const d = Number(am) - Number(bm);
  return d !== 0 ? Math.sign(d) : Math.sign(Number(as) - Number(bs));
}
