import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/ports/logger.port.js';

/** Where Redis is: a `redis://` URL or ioredis options. */
export type JobsConnection = string | RedisOptions;

/** Shared by every jobs entry point. */
export interface JobsOptions {
  /** Redis URL or ioredis options (BullMQ needs Redis ≥ 6.2 with `maxmemory-policy noeviction`). */
  connection: JobsConnection;
  /**
   * Key prefix of every queue and helper key; separates deployments sharing a Redis and test files.
   * @defaultValue 'helpdesk'
   */
  prefix?: string;
  /** Where connection errors go (throttled: Redis being down must not flood the log). */
  log?: Logger;
}

export const DEFAULT_PREFIX = 'helpdesk';

/**
 * A new ioredis client as BullMQ wants it: `maxRetriesPerRequest: null` so commands wait through a
 * Redis restart instead of failing, and a capped reconnect backoff.
 */
export function redisClient(c: JobsConnection, onError: (err: Error) => void = () => {}): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 100, 1000) };
  const r = typeof c === 'string' ? new Redis(c, base) : new Redis({ ...base, ...c });
  r.on('error', onError);
  return r;
}

/** An error handler that logs at most once per `everyMs` (the first error always). */
export function throttledErrorLog(log: Logger | undefined, what: string, everyMs = 10_000): (err: Error) => void {
  let last = 0;
  let skipped = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) {
      skipped++;
      return;
    }
    log?.warn({ err: err.message, skipped }, `${what}: Redis connection error (retrying)`);
    last = now;
    skipped = 0;
  };
}

/** Closes a client without throwing when Redis is already gone. */
export async function quitQuietly(r: Redis): Promise<void> {
  try {
    if (r.status === 'end') return;
    await r.quit();
  } catch {
    r.disconnect();
  }
}
