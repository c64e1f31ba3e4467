import type { RedisClient } from './connection.js';
import type { Platform } from '../core/domain/identity.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

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
 * - Discord: 5 message posts per 5 s per channel (the bucket its rate-limit headers report), 50 REST
 *   requests/s global (documented; interaction responses exempt) → 0.9/s with a burst of 1 per channel
 *   (≤ 5 in any 5 s with 0.5 s to spare for the jitter between our bucket and Discord's: 1/s with a
 *   burst of 5 let 9 through in the first 5 s of a storm and hit the window's edge every few seconds
 *   after, docs/storm.md fifth session); global 20/s with a burst of 4: a DM is two requests (open the
 *   DM channel, post), so ≤ 48 requests in any second.
 * - Teams, per bot per conversation (every call: posts, replies, edits): 7 in 1 s, 8 in 2 s, 60 in 30 s,
 *   1,800 in 3,600 s; 50/s per app per tenant. A token bucket lets at most `burst + rate × T` through
 *   in any T seconds, so: 1.6/s, burst 3 (≤ 5 in 1 s, 7 in 2 s, 52 in 30 s) and a sustained bucket of
 *   0.45/s, burst 150 (≤ 1,771 in an hour); `maxPerChannelIn`, checked in tests/jobs/rate-limit.test.ts.
 */
export const DEFAULT_LIMITS: Record<Platform, PlatformLimits> = {
  slack: { perChannel: { rate: 1, burst: 2 }, global: { rate: 20, burst: 40 } },
  discord: { perChannel: { rate: 0.9, burst: 1 }, global: { rate: 20, burst: 4 } },
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
// ARGV per key: rate, burst, floor — a bucket gives a token only while it keeps `floor` tokens after it
// (a DM leaves the platform bucket's reserve to channel posts). A bucket may also be blocked until a
// time (a platform's Retry-After). Last ARGV: 1 = a message to a requester that the platform bucket
// (the last key) turns away waits for its turn in that bucket's retry line ('rq': when the next
// turned-away message is due, one refill interval after the previous one) instead of the next token:
// a backlog of thousands of them comes back at the platform's rate, not every few ms each.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local tokens = {}
local line = tonumber(ARGV[3 * #KEYS + 1]) == 1
for i = 1, #KEYS do
  local rate = tonumber(ARGV[3 * i - 2])
  local burst = tonumber(ARGV[3 * i - 1])
  local need = 1 + tonumber(ARGV[3 * i])
  local h = redis.call('HMGET', KEYS[i], 'tokens', 'ts', 'until', 'rq')
  local tok = tonumber(h[1]) or burst
  local ts = tonumber(h[2]) or now
  local blocked = tonumber(h[3]) or 0
  tok = math.min(burst, tok + math.max(0, now - ts) * rate / 1000)
  tokens[i] = tok
  if blocked > now then wait = math.max(wait, blocked - now) end
  if tok < need then
    wait = math.max(wait, math.ceil((need - tok) * 1000 / rate))
    if line and i == #KEYS then
      local turn = math.max(tonumber(h[4]) or 0, now + math.ceil((need - tok) * 1000 / rate))
      wait = math.max(wait, turn - now)
      redis.call('HSET', KEYS[i], 'rq', tostring(turn + 1000 / rate))
      redis.call('PEXPIRE', KEYS[i], 3600000)
    end
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens[i] - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], 3600000)
end
return 0
`;

// A requester message about to be queued: if the platform bucket has a retry line, or no token for it
// now, it takes the next turn in the line (as if turned away) and returns the ms until that turn; else 0.
// ARGV: rate, burst, floor. No token is taken: at its turn the message still asks for one.
const TURN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local need = 1 + tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'rq')
local tok = tonumber(h[1]) or burst
local ts = tonumber(h[2]) or now
tok = math.min(burst, tok + math.max(0, now - ts) * rate / 1000)
local rq = tonumber(h[3]) or 0
if rq <= now and tok >= need then return 0 end
local turn = math.max(rq, now + math.ceil(math.max(0, need - tok) * 1000 / rate))
redis.call('HSET', KEYS[1], 'rq', tostring(turn + 1000 / rate))
redis.call('PEXPIRE', KEYS[1], 3600000)
return math.max(1, turn - now)
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

/** The platform tokens a requester message leaves to the tier channels: a tenth of the burst. */
const dmReserve = (l: PlatformLimits): number => Math.max(1, Math.floor(l.global.burst / 10));

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

  /**
   * 0 when a message may go now (a token was taken), else the ms to wait before asking again.
   * `dm`: a direct message, which leaves the platform bucket's reserve (a tenth of its burst) to
   * channel posts: a burst of requester answers (one DM per ticket in a storm, 20/s on Slack) would
   * otherwise win most of the shared tokens and leave the tier channel's cards gaps of seconds.
   * Turned away by the platform bucket, a `dm` also gets a place in that bucket's retry line: the
   * wait returned is its turn (about backlog ÷ rate), so a backlog of requester messages is retried
   * at the platform's rate instead of each one polling for the next token (bench/sla-timers.ts: 6–9
   * delivery job runs per escalation, ≈ 0.45 of them sending; each other one a move to delayed and
   * back). Channel posts never join the line:
   * they keep asking for the next token, ahead of the line, as the reserve intends.
   */
  async take(p: Platform, channel: string, o: { dm?: boolean } = {}): Promise<number> {
    const l = this.limitsOf(p);
    const k = this.keys(p, channel);
    const s = l.perChannelSustained;
    const reserve = o.dm ? dmReserve(l) : 0;
    const buckets: [string, Bucket, number][] = [[k.channel, l.perChannel, 0], ...(s ? [[k.sustained, s, 0] as [string, Bucket, number]] : []), [k.global, l.global, reserve]];
    const r = await runScript(this.redis, TAKE, buckets.length, ...buckets.map((b) => b[0]), ...buckets.flatMap(([, b, floor]) => [b.rate, b.burst, floor]), o.dm ? 1 : 0);
    return Number(r);
  }

  /**
   * For a requester message about to be queued: 0 when the platform bucket has no retry line and a
   * token for it now; else its turn in the line (ms from now), taken now, so the message is queued
   * for its turn instead of being turned away once first (a job run, a move to delayed and back).
   */
  async turn(p: Platform): Promise<number> {
    const l = this.limitsOf(p);
    return Number(await runScript(this.redis, TURN, 1, this.keys(p, '').global, l.global.rate, l.global.burst, dmReserve(l)));
  }

  /** Holds a channel (Retry-After from the platform) so no replica posts there before `ms` pass. */
  async block(p: Platform, channel: string, ms: number): Promise<void> {
    await runScript(this.redis, BLOCK, 1, this.keys(p, channel).channel, Math.ceil(ms));
  }
}
