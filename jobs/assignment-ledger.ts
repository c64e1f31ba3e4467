import { randomUUID } from 'node:crypto';
import type { RedisClient } from './connection.js';
import { HelpdeskError } from '../core/domain/errors.js';
import type { AssignmentLedger } from '../core/use-cases/assign-ticket.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Round-robin order in a Redis hash per desk (survives restarts with Redis persistence and is shared
 * by replicas) and a short Redis lock per desk and tier around pick-and-claim.
 */
export class RedisAssignmentLedger implements AssignmentLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** Lock lifetime: longer than one pick-and-claim; released early when done. */
    private readonly lockMs = 10_000,
  ) {}

  async lastAssigned(deskId: string, agentIds: readonly string[]): Promise<Map<string, number>> {
    const m = new Map<string, number>();
    if (agentIds.length === 0) return m;
    const vals = await this.redis.hmget(helperKey(this.prefix, 'rr', deskId), ...agentIds);
    agentIds.forEach((id, i) => {
      const v = vals[i];
      if (v) m.set(id, Number(v));
    });
    return m;
  }

  async markAssigned(deskId: string, agentId: string, at: Date): Promise<void> {
    // Strictly increasing per desk even when two assignments share a millisecond.
    const key = helperKey(this.prefix, 'rr', deskId);
    const seq = await this.redis.hincrby(key, '__seq', 1);
    await this.redis.hset(key, agentId, String(at.getTime() * 1000 + (seq % 1000)));
  }

  async exclusive<T>(scope: string, fn: () => Promise<T>): Promise<T> {
    const key = helperKey(this.prefix, 'assign-lock', scope);
    const token = randomUUID();
    const deadline = Date.now() + this.lockMs;
    while ((await this.redis.set(key, token, 'PX', this.lockMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new HelpdeskError('TICKET.CONFLICT', `assignment lock ${scope} busy`, { scope });
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
    try {
      return await fn();
    } finally {
      await runScript(this.redis, RELEASE, 1, key, token);
    }
  }
}
