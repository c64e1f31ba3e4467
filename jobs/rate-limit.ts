import type { RedisClient } from './connection.js';
import type { Platform } from '../core/domain/identity.js';
import { helperKey } from './queues.js';

/** A token bucket: `rate` tokens per second, at most `burst` saved up. */
export interface Bucket {
  rate: number;
  burst: number;
}

/** Limits of one platform: per channel (conversation) and for the whole platform (the app's token). */
export interface PlatformLimits {
  perChannel: Bucket;
  /**
   * A second, slower per-channel bucket for a platform whose documented limits include a long window
   * that `perChannel` alone would break (Teams: 1,800 per hour per conversation, while `perChannel`
   * allows short bursts). A message needs a token from both. Overriding `perChannel` alone keeps the
   * default one.
   */
  perChannelSustained?: Bucket;
  global: Bucket;
}

/**
 * Defaults from the platforms' documented limits.
 * - Slack chat.postMessage: ≈ 1/s per channel, short bursts (the fake holds it to a burst of 3) → 1/s
 *   with a burst of 2. Our bucket and Slack's are not in phase (Slack counts when a call arrives, we
 *   when a worker takes a token, tens of ms earlier or later): with the same burst 1–2 of ~110
 *   channel calls in a storm got a 429. One token less than Slack's burst keeps one spare in Slack's
 *   bucket (a second of jitter) without lowering the rate, which bounds how soon cards appear
 *   (docs/storm.md: a rate of 0.9/s removed the 429s too but made the worst card 10 % later).
 * - Discord: 5 per 5 s per channel, 50/s global → 1/s, burst 5; 40/s global.
 * - Teams, per bot per conversation (every call: posts, replies, edits): 7 in 1 s, 8 in 2 s, 60 in 30 s,
 *   1,800 in 3,600 s; 50/s per app per tenant. A token bucket lets at most `burst + rate × T` through
 *   in any T seconds, so: 1.6/s, burst 3 (≤ 5 in 1 s, 7 in 2 s, 52 in 30 s) and a sustained bucket of
 *   0.45/s, burst 150 (≤ 1,771 in an hour); `maxPerChannelIn`, checked in tests/jobs/rate-limit.test.ts.
 */
export const DEFAULT_LIMITS: Record<Platform, PlatformLimits> = {
  slack: { perChannel: { rate: 1, burst: 2 }, global: { rate: 20, burst: 40 } },
  discord: { perChannel: { rate: 1, burst: 5 }, global: { rate: 40, burst: 50 } },
  teams: { perChannel: { rate: 1.6, burst: 3 }, perChannelSustained: { rate: 0.45, burst: 150 }, global: { rate: 30, burst: 50 } },
  email: { perChannel: { rate: 5, burst: 10 }, global: { rate: 50, burst: 100 } },
  web: { perChannel: { rate: 20, burst: 50 }, global: { rate: 500, burst: 1000 } },
};

/** The most calls `limits` let through to one channel in any `seconds`: a token bucket's burst + rate × T, plus one at the window's edge. */
export function maxPerChannelIn(limits: PlatformLimits, seconds: number): number {
  const most = (b: Bucket) => Math.floor(b.burst + b.rate * seconds) + 1;
  return Math.min(most(limits.perChannel), limits.perChannelSustained ? most(limits.perChannelSustained) : Infinity);
}

// Takes one token from every bucket (per channel, its sustained one if any, global), or none: returns 0, or how many ms until all have one.
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
    return { channel: helperKey(this.prefix, 'rl', p, channel), sustained: helperKey(this.prefix, 'rls', p, channel), global: helperKey(this.prefix, 'rl', p) };
  }

  /** 0 when a message may go now (a token was taken), else the ms to wait before asking again. */
  async take(p: Platform, channel: string): Promise<number> {
    const l = this.limitsOf(p);
    const k = this.keys(p, channel);
    const s = l.perChannelSustained;
    const r = s
      ? await this.redis.eval(TAKE, 3, k.channel, k.sustained, k.global, l.perChannel.rate, l.perChannel.burst, s.rate, s.burst, l.global.rate, l.global.burst)
      : await this.redis.eval(TAKE, 2, k.channel, k.global, l.perChannel.rate, l.perChannel.burst, l.global.rate, l.global.burst);
    return Number(r);
  }

  /** Holds a channel (Retry-After from the platform) so no replica posts there before `ms` pass. */
  async block(p: Platform, channel: string, ms: number): Promise<void> {
    await this.redis.eval(BLOCK, 1, this.keys(p, channel).channel, Math.ceil(ms));
  }
}
