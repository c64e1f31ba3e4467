import type { RedisClient } from './connection.js';
import type { Platform } from '../core/domain/identity.js';
import { runScript } from './lua.js';
import { helperKey } from './queues.js';

/** A token bucket: `rate` tokens per second, at most `burst` saved up. */
export interface Bucket {
  rate: number;
  burst: number;
}

/** Limits of one platform: per channel (conversation) and for the whole platform (the app's token). */
export interface PlatformLimits {
  perChannel: Bucket;
  global: Bucket;
}

/**
 * Defaults from the platforms' documented limits: Slack chat.postMessage ≈ 1/s per channel;
 * Discord 5 per 5 s per channel and 50/s global; Teams ≈ 7/s per conversation (we stay lower).
 */
export const DEFAULT_LIMITS: Record<Platform, PlatformLimits> = {
  slack: { perChannel: { rate: 1, burst: 3 }, global: { rate: 20, burst: 40 } },
  discord: { perChannel: { rate: 1, burst: 5 }, global: { rate: 40, burst: 50 } },
  teams: { perChannel: { rate: 2, burst: 5 }, global: { rate: 30, burst: 50 } },
  email: { perChannel: { rate: 5, burst: 10 }, global: { rate: 50, burst: 100 } },
  web: { perChannel: { rate: 20, burst: 50 }, global: { rate: 500, burst: 1000 } },
};

// Takes one token from every bucket, or none: returns 0, or how many ms until all have one.
// A bucket may also be blocked until a time (a platform's Retry-After).
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local tokens = {}
for i = 1, #KEYS do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local h = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'until')
  local tok = tonumber(h[1]) or burst
  local ts = tonumber(h[2]) or now
  local blocked = tonumber(h[3]) or 0
  tok = math.min(burst, tok + math.max(0, now - ts) * rate / 1000)
  tokens[i] = tok
  if blocked > now then wait = math.max(wait, blocked - now) end
  if tok < 1 then wait = math.max(wait, math.ceil((1 - tok) * 1000 / rate)) end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i] - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], 3600000)
end
return 0
`;

// The same buckets for a queued job that waits its turn instead of polling: a token it cannot have
// now is taken on credit (the bucket goes negative) and the job is told when that token is its own;
// KEYS[n+1] (the holder) remembers "at:next bucket", so the job, back at that time, goes on from the
// next bucket without taking again. Jobs queued behind a busy channel thus come back once, in turn,
// instead of every refill. A blocked bucket (Retry-After) still holds everyone, holders included.
// KEYS[n+2]: the job's sent marker — a job already sent needs no token.
const TAKE_IN_TURN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = #KEYS - 2
if redis.call('EXISTS', KEYS[n + 2]) == 1 then return 0 end
local from = 1
local at = 0
local held = redis.call('GET', KEYS[n + 1])
if held then
  local sep = string.find(held, ':', 1, true)
  at = tonumber(string.sub(held, 1, sep - 1))
  from = tonumber(string.sub(held, sep + 1))
end
local hs = {}
local until_ = at
for i = 1, n do
  hs[i] = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'until')
  until_ = math.max(until_, tonumber(hs[i][3]) or 0)
end
if until_ > now then
  if held then redis.call('PEXPIRE', KEYS[n + 1], until_ - now + 3600000) end
  return until_ - now
end
for i = from, n do
  local rate = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tok = tonumber(hs[i][1]) or burst
  local ts = tonumber(hs[i][2]) or now
  tok = math.min(burst, tok + math.max(0, now - ts) * rate / 1000) - 1
  local wait = 0
  if tok < 0 then wait = math.ceil(-tok * 1000 / rate) end
  redis.call('HSET', KEYS[i], 'tokens', tostring(tok), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], wait + 3600000)
  if wait > 0 then
    redis.call('SET', KEYS[n + 1], tostring(now + wait) .. ':' .. tostring(i + 1), 'PX', wait + 3600000)
    return wait
  end
end
if held then redis.call('DEL', KEYS[n + 1]) end
return 0
`;

const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilTs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
if untilTs > cur then redis.call('HSET', KEYS[1], 'until', tostring(untilTs)) end
redis.call('PEXPIRE', KEYS[1], math.max(3600000, tonumber(ARGV[1]) + 60000))
return untilTs
`;

/**
 * Per-platform and per-channel rate limits shared by every worker replica (token buckets in Redis,
 * taken atomically by a Lua script, timed by the Redis clock so replicas' clocks do not matter).
 */
export class RedisRateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly limits: Partial<Record<Platform, Partial<PlatformLimits>>> = {},
  ) {}

  private limitsOf(p: Platform): PlatformLimits {
    return { ...DEFAULT_LIMITS[p], ...this.limits[p] };
  }

  private keys(p: Platform, channel: string) {
    return { channel: helperKey(this.prefix, 'rl', p, channel), global: helperKey(this.prefix, 'rl', p) };
  }

  /**
   * 0 when a message may go now (a token was taken), else the ms to wait before asking again.
   * With `turn` (a queued job: its id, and its sent marker), a token not available now is reserved
   * and the wait is until it is this job's: ask again then (same `turn.job`) and it goes — a backlog
   * of n jobs costs each one or two calls, not one per refill. A job whose sent marker exists goes.
   */
  async take(p: Platform, channel: string, turn?: { job: string; sentMarker: string }): Promise<number> {
    const l = this.limitsOf(p);
    const k = this.keys(p, channel);
    const rates = [l.perChannel.rate, l.perChannel.burst, l.global.rate, l.global.burst];
    if (turn) return Number(await runScript(this.redis, TAKE_IN_TURN, 4, k.channel, k.global, helperKey(this.prefix, 'rlturn', turn.job), turn.sentMarker, ...rates));
    return Number(await runScript(this.redis, TAKE, 2, k.channel, k.global, ...rates));
  }

  /** Holds a channel (Retry-After from the platform) so no replica posts there before `ms` pass. */
  async block(p: Platform, channel: string, ms: number): Promise<void> {
    await runScript(this.redis, BLOCK, 1, this.keys(p, channel).channel, Math.ceil(ms));
  }
}
