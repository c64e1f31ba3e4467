import type { IntakeEnvelope } from '../adapters/shared/intake.js';
import type { RedisClient } from './connection.js';
import { helperKey } from './queues.js';

/**
 * Order within a conversation for the intake (a Discord thread's messages): envelopes that carry
 * `order: {key, seq}` are processed one after the other in `seq` order per `key`, although the intake
 * worker runs many jobs at once — two quick messages of one thread are relayed in the order they were
 * written. Each recorded envelope is noted in a per-key sorted set (lexicographic on the zero-padded
 * sequence) before its job is added; the worker takes a job only when no earlier entry of its key is
 * left, and removes its own entry when it is done (or failed for good). An earlier entry holds later
 * ones back for at most `maxWaitMs` after it was received (a job retried after a failure, a worker
 * killed mid-way, a process that died between the note and the job): then it is dropped from the set
 * and order gives way to delivery.
 */

const SEQ_DIGITS = 20;
const ORDER_TTL_MS = 24 * 3600 * 1000;

const keyOf = (prefix: string, e: Pick<IntakeEnvelope, 'platform' | 'order'>): string => helperKey(prefix, 'order', e.platform, e.order!.key);
const memberOf = (e: Pick<IntakeEnvelope, 'order' | 'receivedAt'>): string => `${e.order!.seq.padStart(SEQ_DIGITS, '0')}|${e.receivedAt}`;

/** Notes a recorded envelope in its key's order (before its job is added). No-op without `order`. */
export async function noteOrder(redis: RedisClient, prefix: string, e: IntakeEnvelope): Promise<void> {
  if (!e.order) return;
  const k = keyOf(prefix, e);
  // Both written at once, in call order (before anything the caller sends next on this connection).
  await Promise.all([redis.zadd(k, 0, memberOf(e)), redis.pexpire(k, ORDER_TTL_MS)]);
}

/**
 * 0 when it is this envelope's turn (no earlier entry of its key left, or none younger than
 * `maxWaitMs`), else how long to wait before asking again.
 */
export async function waitTurn(redis: RedisClient, prefix: string, e: IntakeEnvelope, o: { maxWaitMs: number; pollMs: number; now?: number }): Promise<number> {
  if (!e.order) return 0;
  const k = keyOf(prefix, e);
  const mine = memberOf(e);
  const now = o.now ?? Date.now();
  for (;;) {
    const [first] = await redis.zrange(k, 0, 0);
    if (first === undefined || first >= mine) return 0;
    const receivedAt = Number(first.slice(first.indexOf('|') + 1));
    if (now - receivedAt <= o.maxWaitMs) return o.pollMs;
    await redis.zrem(k, first); // waited long enough for it: order gives way
  }
}

/** This envelope is done (processed, or failed for good): later ones of its key may go. */
export async function doneInOrder(redis: RedisClient, prefix: string, e: IntakeEnvelope): Promise<void> {
  if (!e.order) return;
  await redis.zrem(keyOf(prefix, e), memberOf(e));
}
