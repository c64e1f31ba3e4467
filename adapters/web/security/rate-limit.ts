import type { RedisClient as Redis } from '../../../jobs/connection.js';
import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { runScript } from '../../../jobs/lua.js';

// One atomic step: count this request in the current window, start the window on its first request.
const SCRIPT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

/** Fixed-window counters in Redis, so a limit holds across every web replica. */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Counts one hit for `key`; `allowed` is false once `limit` hits were counted in this window. */
  async hit(name: string, key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; remaining: number; retryAfterMs: number }> {
    const [n, ttl] = (await runScript(this.redis, SCRIPT, 1, `${this.keyPrefix}web:rl:${name}:${key}`, String(windowMs))) as [number, number];
    return { allowed: n <= limit, remaining: Math.max(0, limit - n), retryAfterMs: ttl };
  }
}

/** The client's address as the socket saw it (a proxy in front should be configured to limit too). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Hono env
export function clientAddress(c: Context<any>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface RateLimitOptions {
  /** Name of the limit (part of the Redis key). */
  name: string;
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
  /** What is counted; default the client address. */
  key?: (c: Context<WebEnv>) => string;
}

/** Middleware answering 429 with Retry-After once the limit is reached. */
export const rateLimit = (limiter: RateLimiter, o: RateLimitOptions) =>
  createMiddleware<WebEnv>(async (c, next) => {
    const key = (o.key ? o.key(c) : clientAddress(c)).slice(0, 200);
    const r = await limiter.hit(o.name, key, o.limit, o.windowMs);
    c.header('RateLimit-Limit', String(o.limit));
    c.header('RateLimit-Remaining', String(r.remaining));
    if (!r.allowed) {
      c.header('Retry-After', String(Math.ceil(r.retryAfterMs / 1000)));
      throw webError(429, 'too many requests: slow down and try again shortly', 'RATE_LIMITED');
    }
    await next();
  });
