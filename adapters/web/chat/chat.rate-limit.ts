import type { Redis } from 'ioredis';

/**
 * Fixed-window counters in Redis, so a limit holds across every web replica.
 * `hit` returns false once `limit` requests were made in the current `windowSeconds`.
 */
export class RedisRateLimit {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  async hit(name: string, who: string, limit: number, windowSeconds: number): Promise<{ ok: boolean; retryAfter: number }> {
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const key = `${this.prefix}rl:${name}:${who}:${window}`;
    const [[, n]] = (await this.redis.multi().incr(key).expire(key, windowSeconds + 1).exec()) as [[unknown, number], unknown];
    const retryAfter = windowSeconds - (Math.floor(Date.now() / 1000) % windowSeconds);
    return { ok: n <= limit, retryAfter };
  }
}
