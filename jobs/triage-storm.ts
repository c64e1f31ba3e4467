import { createHash, randomUUID } from 'node:crypto';
import type { Platform } from '../core/domain/identity.js';
import type { Posted } from '../core/ports/chat-platform.port.js';
import type { StormAdmission, StormCard, StormTicket, TriageChannel, TriageStorm } from '../core/ports/triage-storm.port.js';
import { STORM_CARD_CAPACITY_MAX } from '../core/views/storm-card.view.js';
import type { RedisClient } from './connection.js';
import { helperKey } from './queues.js';
import { DEFAULT_LIMITS, type PlatformLimits } from './rate-limit.js';
import { deliveryJobId } from './delivery.queue.js';

/** Storm-mode thresholds (issue 12 §3). */
export interface StormOptions {
  /**
   * A new card that would wait longer than this behind the channel's posting backlog joins the
   * channel's storm card instead.
   * @defaultValue 30000
   */
  thresholdMs?: number;
  /**
   * Storm mode ends (normal cards resume) when the backlog is under this and tickets arrive at less
   * than half the channel's posting rate (averaged over `windowMs`).
   * @defaultValue 5000
   */
  clearBacklogMs?: number;
  /** @defaultValue 30000 */
  windowMs?: number;
  /**
   * Tickets per storm card; the next one starts a new card. 50 keeps every platform's card within
   * its limits with room (core/views/storm-card.view.ts); at most `STORM_CARD_CAPACITY_MAX` (60).
   * @defaultValue 50
   */
  capacity?: number;
  /** Per-platform overrides of the posting limits (the same as the delivery worker's). */
  limits?: Partial<Record<Platform, Partial<PlatformLimits>>>;
}

/** Storm state and reservations live this long without activity. */
const STATE_TTL_MS = 7 * 24 * 3600 * 1000;
/** A destination's order lives this long without a message queued. */
const ORDER_TTL_MS = 24 * 3600 * 1000;

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

// The channel's posting buckets as GCRA (generic cell rate algorithm) state in the channel hash: one
// "theoretical arrival time" per bucket (`tat`, `tat2`… for the per-channel and sustained buckets of
// jobs/rate-limit.ts) and `until` (a platform's Retry-After). A message may go at
//   max(now, until, tat_i − tau_i)   over every bucket i (tau_i: its burst as time, (burst − 1) × interval),
// the earliest moment every bucket has a token for it; reserving it moves each tat_i to
// max(tat_i, that moment) + interval_i. With one bucket this is the single-rate ledger it replaces;
// with Teams' two it also sees the sustained 0.45/s bucket (burst 150) that binds after ~5 minutes above it.
// `BUCKETS` is ARGV[n]: JSON [[interval ms, tau ms], …].
const SLOT = `
local function bucketsOf(arg) return cjson.decode(arg) end
local function tatField(i) if i == 1 then return 'tat' end return 'tat' .. i end
local function slotOf(key, now, bs)
  local s = now
  local u = tonumber(redis.call('HGET', key, 'until')) or 0
  if u > s then s = u end
  for i, b in ipairs(bs) do
    local free = (tonumber(redis.call('HGET', key, tatField(i))) or 0) - b[2]
    if free > s then s = free end
  end
  return s
end
local function advance(key, s, bs)
  for i, b in ipairs(bs) do
    local tat = tonumber(redis.call('HGET', key, tatField(i))) or 0
    if tat < s then tat = s end
    redis.call('HSET', key, tatField(i), tostring(tat + b[1]))
  end
end
`;

// One reservation per delivery job (its id NX): the job's slot (when every bucket of the channel has a
// token for it, after everything reserved before it), kept under the job's id; a job already reserved
// (twice queued, or its card's slot taken by the admission) gets its slot back. Returns {new?, ms
// from now until the slot}. ARGV: buckets JSON, ttl ms, job id, order ttl ms.
// With KEYS[3], KEYS[4] (a destination's order: sorted set job id → queue sequence, hash job id →
// slot plus the sequence '#'), a fresh reservation also takes its place in its destination's order.
const RESERVE = `${NOW}${SLOT}
local slot = tonumber(redis.call('GET', KEYS[2]))
local fresh = 0
if not slot then
  local bs = bucketsOf(ARGV[1])
  slot = slotOf(KEYS[1], now, bs)
  advance(KEYS[1], slot, bs)
  fresh = 1
  redis.call('SET', KEYS[2], tostring(slot), 'PX', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  if KEYS[4] then
    local seq = redis.call('HINCRBY', KEYS[4], '#', 1)
    redis.call('ZADD', KEYS[3], seq, ARGV[3])
    redis.call('HSET', KEYS[4], ARGV[3], tostring(slot))
    redis.call('PEXPIRE', KEYS[3], ARGV[4])
    redis.call('PEXPIRE', KEYS[4], ARGV[4])
  end
end
return {fresh, math.max(0, slot - now)}
`;

// A job's turn in its destination's order: 0 when no job queued before it for the same destination
// is left (or it was never noted), else ms to wait before asking again. An earlier job is left behind
// when it was sent (its sent marker: the worker died before leaving) or when it is still not sent
// `maxWait` after its slot (retried for long, or queued by a process that died before adding it):
// order gives way to delivery.
// KEYS: order set, its hash. ARGV: job id, maxWait ms, poll ms, sent-marker key prefix.
const TURN = `${NOW}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
for _ = 1, 100 do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not head or head == ARGV[1] then return 0 end
  local slot = tonumber(redis.call('HGET', KEYS[2], head)) or 0
  if redis.call('EXISTS', ARGV[4] .. head) == 0 and now <= slot + tonumber(ARGV[2]) then return tonumber(ARGV[3]) end
  redis.call('ZREM', KEYS[1], head)
  redis.call('HDEL', KEYS[2], head)
end
return tonumber(ARGV[3])
`;

const LEAVE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 0
`;

// A platform's Retry-After holds the channel: nothing queued there goes out before it.
const BLOCK = `${NOW}
local u = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
local untilTs = now + tonumber(ARGV[1])
if untilTs > u then redis.call('HSET', KEYS[1], 'until', tostring(untilTs)) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`;

// KEYS: channel hash, admission key, ticket's card set, open-cards index, the card job's reservation.
// ARGV: ticketId, thresholdMs, clearBacklogMs, windowMs, clearRate (tickets/s), capacity, buckets JSON,
//       ttlMs, card key prefix, card id prefix, channel meta JSON, ticket summary JSON.
const ADMIT = `${NOW}${SLOT}
local cardKey = function(id) return ARGV[9] .. id end
local close = function(id)
  redis.call('HSET', cardKey(id), 'closed', '1')
  redis.call('ZREM', KEYS[4], id)
  return tonumber(redis.call('HGET', cardKey(id), 'gen')) or 0
end
local prior = redis.call('GET', KEYS[2])
if prior then
  if prior == '' then return {'card'} end
  return {'storm', prior, tostring(tonumber(redis.call('HGET', cardKey(prior), 'gen')) or 0)}
end
local h = redis.call('HMGET', KEYS[1], 'tat', 'mode', 'card', 'seq', 'count', 'load', 'lts')
local bs = bucketsOf(ARGV[7])
local slot = slotOf(KEYS[1], now, bs)
local backlog = slot - now
local lts = tonumber(h[7]) or now
local load = (tonumber(h[6]) or 0) * math.exp(-(now - lts) / tonumber(ARGV[4])) + 1
local mode = h[2] or 'normal'
local card = h[3] or ''
local seq = tonumber(h[4]) or 0
local count = tonumber(h[5]) or 0
local closed = ''
local closedGen = 0
if mode ~= 'storm' then
  if backlog > tonumber(ARGV[2]) then mode = 'storm' end
elseif load * 1000 / tonumber(ARGV[4]) < tonumber(ARGV[5]) and backlog < tonumber(ARGV[3]) then
  mode = 'normal'
end
redis.call('HSET', KEYS[1], 'mode', mode, 'load', tostring(load), 'lts', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[8])
if mode ~= 'storm' then
  if card ~= '' then closed = card; closedGen = close(card) end
  redis.call('HSET', KEYS[1], 'card', '', 'count', '0')
  redis.call('SET', KEYS[2], '', 'PX', ARGV[8])
  -- The card's posting slot, reserved now (the delivery queue finds it reserved and adds none).
  if redis.call('SET', KEYS[5], tostring(slot), 'NX', 'PX', ARGV[8]) then advance(KEYS[1], slot, bs) end
  return {'card', '', '0', closed, tostring(closedGen)}
end
if card == '' or count >= tonumber(ARGV[6]) then
  if card ~= '' then closed = card; closedGen = close(card) end
  seq = seq + 1
  card = ARGV[10] .. seq
  count = 0
  redis.call('HSET', cardKey(card), 'meta', ARGV[11], 'gen', '0', 'closed', '0', 'created', tostring(now))
  redis.call('PEXPIRE', cardKey(card), ARGV[8])
  redis.call('ZADD', KEYS[4], now, card)
end
redis.call('RPUSH', cardKey(card) .. ':t', ARGV[1])
redis.call('PEXPIRE', cardKey(card) .. ':t', ARGV[8])
redis.call('HSET', cardKey(card) .. ':s', ARGV[1], ARGV[12])
redis.call('PEXPIRE', cardKey(card) .. ':s', ARGV[8])
redis.call('HSET', KEYS[1], 'card', card, 'seq', tostring(seq), 'count', tostring(count + 1))
redis.call('HSET', KEYS[3], card, '1')
redis.call('PEXPIRE', KEYS[3], ARGV[8])
redis.call('SET', KEYS[2], card, 'PX', ARGV[8])
return {'storm', card, tostring(tonumber(redis.call('HGET', cardKey(card), 'gen')) or 0), closed, tostring(closedGen)}
`;

// KEYS: card hash, its ticket list, its lock, its summaries. ARGV: hold ms, lock token.
const BEGIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
local locked = redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[1]) and 1 or 0
local h = redis.call('HMGET', KEYS[1], 'meta', 'posted', 'closed')
local ids = redis.call('LRANGE', KEYS[2], 0, -1)
local sums = {}
for i = 1, #ids do sums[i] = redis.call('HGET', KEYS[4], ids[i]) or '' end
return {h[1], h[2] or '', h[3] or '0', tostring(gen), tostring(locked), ids, sums}
`;

// KEYS: the ticket's card set. ARGV: ticket id, summary JSON, its version, card key prefix.
// Records the summary on each card (unless a newer version is there); returns card, meta, gen triples.
const CHANGED = `
local out = {}
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  local k = ARGV[4] .. id
  local meta = redis.call('HGET', k, 'meta')
  if meta then
    local cur = redis.call('HGET', k .. ':s', ARGV[1])
    local curVersion = cur and tonumber(cjson.decode(cur).version) or -1
    if tonumber(ARGV[3]) >= curVersion then redis.call('HSET', k .. ':s', ARGV[1], ARGV[2]) end
    table.insert(out, id)
    table.insert(out, meta)
    table.insert(out, tostring(tonumber(redis.call('HGET', k, 'gen')) or 0))
  end
end
return out
`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const sha = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 12);

/**
 * Per-channel posting reservations of the delivery queue: every message queued for a channel takes
 * the earliest slot at which every one of the channel's buckets (jobs/rate-limit.ts: per channel and,
 * on Teams, the sustained one) has a token for it after the messages queued before, so `slot − now`
 * estimates how long a new message would wait. Shared by all replicas (Redis).
 */
export class ChannelLedger {
  constructor(
    protected readonly redis: RedisClient,
    protected readonly prefix: string,
    protected readonly limits: Partial<Record<Platform, Partial<PlatformLimits>>> = {},
  ) {}

  protected limitsOf(p: Platform): PlatformLimits {
    return { ...DEFAULT_LIMITS[p], ...this.limits[p] };
  }

  /**
   * Every bucket a message to one of the platform's channels takes a token from (jobs/rate-limit.ts:
   * `perChannel`, and `perChannelSustained` where there is one), as the GCRA scripts read them:
   * `[interval ms, burst as time ms]`.
   */
  protected buckets(p: Platform): string {
    const l = this.limitsOf(p);
    const all = [l.perChannel, ...(l.perChannelSustained ? [l.perChannelSustained] : [])];
    return JSON.stringify(all.map((b) => [1000 / b.rate, Math.max(0, (b.burst - 1) * (1000 / b.rate))]));
  }

  protected channelKey(p: Platform, channel: string): string {
    return helperKey(this.prefix, 'storm', 'ch', p, channel);
  }

  protected reservationKey(jobId: string): string {
    return helperKey(this.prefix, 'storm', 'rsv', jobId);
  }

  /**
   * Reserves the next posting slot for a queued job (once per job id: `fresh` false when it had one,
   * e.g. a card whose slot its storm admission reserved) and says in how many ms the job may be sent:
   * the delivery queue holds the job until then, so a channel's messages go out in the order they
   * were queued (in their slots), not in whatever order jobs retrying for a token win it.
   */
  async reserve(p: Platform, channel: string, jobId: string, destination?: string): Promise<{ fresh: boolean; delayMs: number }> {
    const keys = [this.channelKey(p, channel), this.reservationKey(jobId), ...(destination ? this.orderKeys(p, destination) : [])];
    const [fresh, delayMs] = (await this.redis.eval(RESERVE, keys.length, ...keys, this.buckets(p), STATE_TTL_MS, jobId, ORDER_TTL_MS)) as [number, number];
    return { fresh: fresh === 1, delayMs: Number(delayMs) };
  }

  protected orderKeys(p: Platform, destination: string): [string, string] {
    const k = helperKey(this.prefix, 'storm', 'ord', p, destination);
    return [k, `${k}:h`];
  }

  /**
   * 0 when it is this job's turn at its destination (a thread, a DM conversation): every job
   * reserved before it for the same destination (`reserve(…, destination)`) was sent or given up,
   * or waited `maxWaitMs` past its slot; else how long to wait before asking again.
   */
  async turn(p: Platform, destination: string, jobId: string, o: { maxWaitMs: number; pollMs: number }): Promise<number> {
    return Number(await this.redis.eval(TURN, 2, ...this.orderKeys(p, destination), jobId, o.maxWaitMs, o.pollMs, helperKey(this.prefix, 'sent', '')));
  }

  /** The job was sent (or failed for good): the next one of its destination may go. */
  async leave(p: Platform, destination: string, jobId: string): Promise<void> {
    await this.redis.eval(LEAVE, 2, ...this.orderKeys(p, destination), jobId);
  }

  /** A Retry-After from the platform: the channel's queue waits at least that long. */
  async block(p: Platform, channel: string, ms: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, this.channelKey(p, channel), Math.ceil(ms), STATE_TTL_MS);
  }
}

/** The storm-aware triage state in Redis (core/ports/triage-storm.port.ts), atomic per call. */
export class RedisTriageStorm extends ChannelLedger implements TriageStorm {
  private readonly o: Required<Omit<StormOptions, 'limits'>>;
  /** Lock tokens of the renders this process holds. */
  private readonly tokens = new Map<string, string>();

  constructor(redis: RedisClient, prefix: string, o: StormOptions = {}) {
    super(redis, prefix, o.limits);
    this.o = { thresholdMs: o.thresholdMs ?? 30_000, clearBacklogMs: o.clearBacklogMs ?? 5_000, windowMs: o.windowMs ?? 30_000, capacity: Math.max(1, Math.min(STORM_CARD_CAPACITY_MAX, o.capacity ?? 50)) };
  }

  private key(...parts: string[]): string {
    return helperKey(this.prefix, 'storm', ...parts);
  }
  private cardKey(id: string): string {
    return this.key('card', id);
  }

  async admit(ch: TriageChannel, ticket: StormTicket, cardKey: string): Promise<StormAdmission> {
    const ticketId = ticket.id;
    const l = this.limitsOf(ch.platform);
    const r = (await this.redis.eval(
      ADMIT,
      5,
      this.channelKey(ch.platform, ch.channel),
      // Per tier from 2 on: an escalation is a new admission even where tiers share a channel.
      this.key('adm', ticketId, ch.platform, ch.channel, ...(ch.tier > 1 ? [`t${ch.tier}`] : [])),
      this.key('tkt', ticketId),
      this.key('open'),
      this.reservationKey(deliveryJobId(cardKey)),
      ticketId,
      this.o.thresholdMs,
      this.o.clearBacklogMs,
      this.o.windowMs,
      l.perChannel.rate / 2,
      this.o.capacity,
      this.buckets(ch.platform),
      STATE_TTL_MS,
      this.cardKey(''),
      `${ch.platform}-${sha(`${ch.platform}:${ch.workspace}:${ch.channel}`)}-`,
      JSON.stringify(ch),
      JSON.stringify(ticket),
    )) as string[];
    const closed = r[3] ? { closed: { cardId: r[3], gen: Number(r[4]) } } : {};
    return r[0] === 'storm' ? { mode: 'storm', cardId: r[1]!, gen: Number(r[2]), ...closed } : { mode: 'card', ...closed };
  }

  async changed(ticket: StormTicket): Promise<Array<{ cardId: string; gen: number; channel: TriageChannel }>> {
    const r = (await this.redis.eval(CHANGED, 1, this.key('tkt', ticket.id), ticket.id, JSON.stringify(ticket), ticket.version, this.cardKey(''))) as string[];
    const out: Array<{ cardId: string; gen: number; channel: TriageChannel }> = [];
    for (let i = 0; i + 2 < r.length; i += 3) out.push({ cardId: r[i]!, channel: JSON.parse(r[i + 1]!) as TriageChannel, gen: Number(r[i + 2]) });
    return out;
  }

  async touch(cardId: string): Promise<number> {
    return Number((await this.redis.hget(this.cardKey(cardId), 'gen')) ?? 0);
  }

  async beginFlush(cardId: string, holdMs: number): Promise<{ card: StormCard; gen: number; locked: boolean } | null> {
    const token = randomUUID();
    const k = this.cardKey(cardId);
    const r = (await this.redis.eval(BEGIN, 4, k, `${k}:t`, `${k}:lock`, `${k}:s`, holdMs, token)) as [string, string, string, string, string, string[], string[]] | null;
    if (!r) return null;
    const locked = r[4] === '1';
    if (locked) this.tokens.set(cardId, token);
    const tickets = r[6].filter((x) => x !== '').map((x) => JSON.parse(x) as StormTicket);
    const card: StormCard = { id: cardId, channel: JSON.parse(r[0]) as TriageChannel, ticketIds: r[5], tickets, closed: r[2] === '1', ...(r[1] ? { posted: JSON.parse(r[1]) as Posted } : {}) };
    return { card, gen: Number(r[3]), locked };
  }

  async setPosted(cardId: string, posted: Posted): Promise<void> {
    await this.redis.hset(this.cardKey(cardId), 'posted', JSON.stringify(posted));
  }

  async endFlush(cardId: string): Promise<void> {
    const token = this.tokens.get(cardId);
    if (!token) return;
    this.tokens.delete(cardId);
    await this.redis.eval(UNLOCK, 1, `${this.cardKey(cardId)}:lock`, token);
  }

  async openCards(deskId?: string): Promise<StormCard[]> {
    const ids = await this.redis.zrevrange(this.key('open'), 0, 199);
    const out: StormCard[] = [];
    for (const id of ids) {
      const k = this.cardKey(id);
      const [meta, posted, closed] = await this.redis.hmget(k, 'meta', 'posted', 'closed');
      if (!meta) continue;
      const channel = JSON.parse(meta) as TriageChannel;
      if (deskId && channel.deskId !== deskId) continue;
      const ticketIds = await this.redis.lrange(`${k}:t`, 0, -1);
      const sums = ticketIds.length ? await this.redis.hmget(`${k}:s`, ...ticketIds) : [];
      const tickets = sums.filter((x): x is string => x !== null).map((x) => JSON.parse(x) as StormTicket);
      out.push({ id, channel, ticketIds, tickets, closed: closed === '1', ...(posted ? { posted: JSON.parse(posted) as Posted } : {}) });
    }
    return out;
  }
}
