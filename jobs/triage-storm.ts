import { createHash, randomUUID } from 'node:crypto';
import type { Platform } from '../core/domain/identity.js';
import type { Posted } from '../core/ports/chat-platform.port.js';
import type { StormAdmission, StormCard, StormTicket, TriageChannel, TriageStorm } from '../core/ports/triage-storm.port.js';
import { STORM_CARD_CAPACITY_MAX } from '../core/views/storm-card.view.js';
import type { RedisClient } from './connection.js';
import { helperKey } from './queues.js';
import type { PlatformLimits } from './rate-limit.js';
import { deliveryJobId } from './delivery.queue.js';
import { ChannelLedger, NOW, SLOT, STATE_TTL_MS } from './channel-ledger.js';
import { runScript } from './lua.js';

export { ChannelLedger } from './channel-ledger.js';

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
    const r = (await runScript(
      this.redis,
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
    const r = (await runScript(this.redis, CHANGED, 1, this.key('tkt', ticket.id), ticket.id, JSON.stringify(ticket), ticket.version, this.cardKey(''))) as string[];
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
    const r = (await runScript(this.redis, BEGIN, 4, k, `${k}:t`, `${k}:lock`, `${k}:s`, holdMs, token)) as [string, string, string, string, string, string[], string[]] | null;
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
    await runScript(this.redis, UNLOCK, 1, `${this.cardKey(cardId)}:lock`, token);
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
