import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisQueueIndex } from '../../adapters/web/console/queue-index.redis.js';
import type { Ticket, TicketStatus } from '../../core/domain/ticket.js';
import { randomId, testRedisUrl } from '../support/services.js';

/** The console's Redis queue index on the real Redis: order, keyset cursor, assignee queues, rebuild. */
const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

const T0 = Date.UTC(2026, 0, 1);
const ticket = (n: number, status: TicketStatus, o: Partial<Ticket> = {}): Ticket =>
  ({ id: `tk_${String(n).padStart(3, '0')}`, deskId: 'it', status, createdAt: new Date(T0 + Math.floor(n / 2) * 1000), assigneeAgentId: undefined, ...o }) as Ticket;

describe('RedisQueueIndex', () => {
  it('is undefined until built, then pages newest first with a keyset cursor (ties by id)', async () => {
    const all = Array.from({ length: 30 }, (_, n) => ticket(n, n % 5 === 0 ? 'resolved' : 'open'));
    const idx = new RedisQueueIndex(redis, `qi${randomId()}:`, async function* () {
      yield* all;
    });
    expect(await idx.page({ deskIds: ['it'], limit: 10 })).toBeUndefined();
    await idx.ensureBuilt();
    const active = all.filter((t) => t.status === 'open').sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    const seen: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (let i = 0; i < 10; i++) {
      const page = (await idx.page({ deskIds: ['it'], after, limit: 7 }))!;
      seen.push(...page.map((p) => p.id));
      if (page.length < 7) break;
      after = page.at(-1)!;
    }
    expect(seen).toEqual(active.map((t) => t.id));
  });

  it('follows status and assignee changes; merges several desks', async () => {
    const idx = new RedisQueueIndex(redis, `qi${randomId()}:`, async function* () {});
    await idx.ensureBuilt();
    const a = ticket(1, 'open');
    const b = ticket(2, 'open', { deskId: 'hr' });
    await idx.record(a);
    await idx.record(b);
    expect((await idx.page({ deskIds: ['it', 'hr'], limit: 10 }))!.map((e) => e.id)).toEqual([b.id, a.id]);
    const claimed = { ...a, status: 'claimed' as const, assigneeAgentId: 'ana' };
    await idx.record(claimed, a);
    expect((await idx.page({ deskIds: ['it'], assigneeAgentId: 'ana', limit: 10 }))!.map((e) => e.id)).toEqual([a.id]);
    const reassigned = { ...claimed, assigneeAgentId: 'ben' };
    await idx.record(reassigned, claimed);
    expect(await idx.page({ deskIds: ['it'], assigneeAgentId: 'ana', limit: 10 })).toEqual([]);
    await idx.record({ ...reassigned, status: 'resolved' }, reassigned);
    expect((await idx.page({ deskIds: ['it'], limit: 10 }))!).toEqual([]);
    expect(await idx.page({ deskIds: ['it'], assigneeAgentId: 'ben', limit: 10 })).toEqual([]);
  });
});
