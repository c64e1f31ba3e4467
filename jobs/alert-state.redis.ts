import { randomUUID, createHash } from 'node:crypto';
import type { AlertState, AlertStateStore } from '../core/ports/alert-state.port.js';
import type { RedisClient } from './connection.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

export interface RedisAlertStateOptions {
  /** A lock whose holder died is free after this long. @defaultValue 30000 */
  lockMs?: number;
  /** Longest wait for a lock before the job fails (and is retried by BullMQ). @defaultValue 60000 */
  waitMs?: number;
  /** Alert state is forgotten after this many days without a notification. @defaultValue 30 */
  ttlDays?: number;
}

/**
 * Alert state in Redis, next to the queues: one JSON value per fingerprint and a lock per scope
 * (SET NX PX with a token, released only by its holder). Every replica and worker sees the same state.
 */
export class RedisAlertStateStore implements AlertStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly o: RedisAlertStateOptions = {},
  ) {}

  async withLock<T>(scope: string, fn: () => Promise<T>): Promise<T> {
    const key = helperKey(this.prefix, 'alerts', 'lock', h(scope));
    const token = randomUUID();
    const lockMs = this.o.lockMs ?? 30_000;
    const deadline = Date.now() + (this.o.waitMs ?? 60_000);
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      if ((await this.redis.set(key, token, 'PX', lockMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline) throw new Error(`alert lock ${scope.slice(0, 80)} busy for too long`);
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    }
    try {
      return await fn();
    } finally {
      await runScript(this.redis, RELEASE, 1, key, token).catch(() => 0);
    }
  }

  async get(fingerprint: string): Promise<AlertState | null> {
    const raw = await this.redis.get(this.key(fingerprint));
    return raw ? (JSON.parse(raw) as AlertState) : null;
  }

  async set(fingerprint: string, s: AlertState): Promise<void> {
    await this.redis.set(this.key(fingerprint), JSON.stringify(s), 'EX', (this.o.ttlDays ?? 30) * 86_400);
  }

  private key(fp: string): string {
    return helperKey(this.prefix, 'alerts', 'fp', h(fp));
  }
}
