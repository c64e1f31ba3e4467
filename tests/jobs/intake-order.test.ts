import { afterAll, describe, expect, it } from 'vitest';
import type { IntakeEnvelope } from '../../adapters/shared/intake.js';
import { doneInOrder, noteOrder, waitTurn } from '../../jobs/intake.order.js';
import { randomId, testRedis } from '../support/services.js';

const redis = testRedis();
afterAll(() => redis.disconnect());

const msg = (seq: string, receivedAt: number, key = 'thread-1'): IntakeEnvelope => ({ v: 1, platform: 'discord', kind: 'message', id: seq, receivedAt, payload: {}, order: { key, seq } });

describe('intake order within a conversation (jobs/intake.order.ts)', () => {
  it('a later message waits for an earlier one until it is done; other conversations and unordered envelopes never wait', async () => {
    const prefix = `io${randomId()}`;
    const now = Date.now();
    // Snowflakes of different lengths still sort as numbers (zero-padded).
    const [a, b] = [msg('999999999999999', now), msg('1000000000000001', now)];
    await noteOrder(redis, prefix, a);
    await noteOrder(redis, prefix, b);
    const o = { maxWaitMs: 10_000, pollMs: 200, now };
    expect(await waitTurn(redis, prefix, a, o)).toBe(0);
    expect(await waitTurn(redis, prefix, b, o)).toBe(200);
    expect(await waitTurn(redis, prefix, msg('5', now, 'thread-2'), o)).toBe(0);
    expect(await waitTurn(redis, prefix, { ...b, order: undefined }, o)).toBe(0);
    await doneInOrder(redis, prefix, a);
    expect(await waitTurn(redis, prefix, b, o)).toBe(0);
  });

  it('an earlier message that is not done within the bound (retried, killed, never added) gives way', async () => {
    const prefix = `io${randomId()}`;
    const now = Date.now();
    const [a, b] = [msg('100', now - 11_000), msg('200', now)];
    await noteOrder(redis, prefix, a);
    await noteOrder(redis, prefix, b);
    expect(await waitTurn(redis, prefix, b, { maxWaitMs: 10_000, pollMs: 200, now })).toBe(0);
    // Dropped from the order: a later message does not wait for it again.
    const c = msg('300', now);
    await noteOrder(redis, prefix, c);
    await doneInOrder(redis, prefix, b);
    expect(await waitTurn(redis, prefix, c, { maxWaitMs: 10_000, pollMs: 200, now })).toBe(0);
  });
});
