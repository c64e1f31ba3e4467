import type { Platform } from '../core/domain/identity.js';
import type { RedisClient } from './connection.js';
import { runScript } from './lua.js';
import { helperKey } from './queues.js';
import { DEFAULT_LIMITS, type PlatformLimits } from './rate-limit.js';

/**
 * The delivery queue's per-channel posting reservations and per-destination order (issue 12 §3's
 * backlog estimate, and relays in order), in Redis. The storm-aware triage (jobs/triage-storm.ts)
 * extends it. Every script runs by its SHA (jobs/lua.ts `runScript`): the body is sent only on NOSCRIPT.
 */

/** Storm state and reservations live this long without activity. */
export const STATE_TTL_MS = 7 * 24 * 3600 * 1000;
/** A destination's order lives this long without a message queued. */
const ORDER_TTL_MS = 24 * 3600 * 1000;

export const NOW = `
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
export const SLOT = `
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

// A sent job's marker (jobs/delivery.worker.ts) and its leaving its destination's order, in one script:
// the leave rides on the write the worker makes anyway. KEYS: order set, its hash, the marker key.
// ARGV: job id, marker value, marker ttl s.
const SENT = `
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
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
    const [fresh, delayMs] = (await runScript(this.redis, RESERVE, keys.length, ...keys, this.buckets(p), STATE_TTL_MS, jobId, ORDER_TTL_MS)) as [number, number];
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
    return Number(await runScript(this.redis, TURN, 2, ...this.orderKeys(p, destination), jobId, o.maxWaitMs, o.pollMs, helperKey(this.prefix, 'sent', '')));
  }

  /** The job was sent (or failed for good): the next one of its destination may go. */
  async leave(p: Platform, destination: string, jobId: string): Promise<void> {
    await runScript(this.redis, LEAVE, 2, ...this.orderKeys(p, destination), jobId);
  }

  /**
   * The job was sent: stores its sent marker (`markerKey` = `value` for `ttlS` seconds) and leaves its
   * destination's order, one round trip (instead of the marker's SET and then {@link leave}).
   */
  async sent(p: Platform, destination: string, jobId: string, markerKey: string, value: string, ttlS: number): Promise<void> {
    await runScript(this.redis, SENT, 3, ...this.orderKeys(p, destination), markerKey, jobId, value, ttlS);
  }

  /** A Retry-After from the platform: the channel's queue waits at least that long. */
  async block(p: Platform, channel: string, ms: number): Promise<void> {
    await runScript(this.redis, BLOCK, 1, this.channelKey(p, channel), Math.ceil(ms), STATE_TTL_MS);
  }
}
