import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';

const shas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the body only when the server does not have it
 * yet (NOSCRIPT: first use, a restarted Redis, another cluster node). EVAL sends and hashes the whole
 * body on every call; the hot scripts (rate limit, posting reservations) run several times per job.
 */
export async function runScript(redis: RedisClient, script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (e) {
    if (!String((e as Error)?.message ?? e).startsWith('NOSCRIPT')) throw e;
    return redis.eval(script, numKeys, ...args);
  }
}
