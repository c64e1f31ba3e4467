import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../core/ports/logger.port.js';

/** A Redis Cluster: seed nodes (any few primaries or replicas) and ioredis cluster options. */
export interface RedisClusterConnection {
  cluster: ClusterNode[];
  options?: ClusterOptions;
}

/** Where Redis is: a `redis://` URL, ioredis options, or a Redis Cluster. */
export type JobsConnection = string | RedisOptions | RedisClusterConnection;

/** A client of a single Redis or of a Redis Cluster (the same command API). */
export type RedisClient = Redis | Cluster;

export const isCluster = (c: JobsConnection): c is RedisClusterConnection => typeof c === 'object' && 'cluster' in c;

/**
 * The key prefix to use on `c`. BullMQ's scripts touch several keys of a queue at once, which Redis
 * Cluster allows only within one hash slot: on a cluster the prefix must be a hash tag (`{helpdesk}`),
 * so it is wrapped in braces when it has none. Every key of a deployment then lives on one shard;
 * a deployment scales out by giving each desk group (or tenant) its own prefix.
 */
export function keyPrefix(c: JobsConnection, prefix: string): string {
  if (!isCluster(c) || /\{[^{}]+\}/.test(prefix)) return prefix;
  return `{${prefix}}`;
}

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

export { DEFAULT_PREFIX } from './names.js';

/**
 * A new ioredis client as BullMQ wants it: `maxRetriesPerRequest: null` so commands wait through a
 * Redis restart instead of failing, and a capped reconnect backoff.
 */
export function redisClient(c: JobsConnection, onError: (err: Error) => void = () => {}): RedisClient {
  const base: RedisOptions = { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 100, 1000) };
  const r = isCluster(c)
    ? new Cluster(c.cluster, {
        clusterRetryStrategy: (n) => Math.min(n * 100, 1000),
        ...c.options,
        redisOptions: { maxRetriesPerRequest: null, ...c.options?.redisOptions },
      })
    : typeof c === 'string'
      ? new Redis(c, base)
      : new Redis({ ...base, ...c });
  r.on('error', onError);
  return r;
}

/**
 * A client for health checks and the CLI: commands fail after one retry instead of waiting through
 * an outage, and nothing connects until the first command.
 */
export function probeClient(c: JobsConnection): RedisClient {
  const fast: RedisOptions = { maxRetriesPerRequest: 1, lazyConnect: true };
  if (isCluster(c)) return new Cluster(c.cluster, { ...c.options, lazyConnect: true, redisOptions: { ...c.options?.redisOptions, ...fast } });
  return typeof c === 'string' ? new Redis(c, fast) : new Redis({ ...c, ...fast });
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
export async function quitQuietly(r: RedisClient): Promise<void> {
  try {
    if (r.status === 'end') return;
    await r.quit();
  } catch {
    r.disconnect();
  }
}
