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

  it('keeps each row beside the order; a late record of an older version changes nothing', async () => {
    const idx = new RedisQueueIndex(redis, `qi${randomId()}:`, async function* () {});
    await idx.ensureBuilt();
    const v1 = ticket(1, 'open', { version: 1, number: 'IT-1', subject: 'first <i>', priority: 'P3', tier: 1, sla: { firstResponseDueAt: new Date(T0 + 3_600_000) } });
    await idx.record(v1);
    const [e] = (await idx.page({ deskIds: ['it'], limit: 10 }))!;
    expect(e!.row).toMatchObject({ id: v1.id, number: 'IT-1', subject: 'first <i>', priority: 'P3', version: 1 });
    expect(e!.row!.sla.firstResponseDueAt).toEqual(new Date(T0 + 3_600_000));
    const v3 = { ...v1, version: 3, status: 'claimed' as const, assigneeAgentId: 'ana', priority: 'P1' as const };
    await idx.record(v3, v1);
    // Version 2 recorded late by another process (it resolved nothing; v3 is newer): no effect.
    await idx.record({ ...v1, version: 2, status: 'resolved' }, v1);
    const after = (await idx.page({ deskIds: ['it'], limit: 10 }))!;
    expect(after.map((x) => [x.id, x.row?.version, x.row?.status, x.row?.priority])).toEqual([[v1.id, 3, 'claimed', 'P1']]);
    expect((await idx.page({ deskIds: ['it'], assigneeAgentId: 'ana', limit: 10 }))!.map((x) => x.id)).toEqual([v1.id]);
    // A newer resolve removes it and its row.
    await idx.record({ ...v3, version: 4, status: 'resolved' }, v3);
    expect(await idx.page({ deskIds: ['it'], limit: 10 })).toEqual([]);
    expect(await redis.hlen(`${(idx as unknown as { keyPrefix: string }).keyPrefix}web:q:rows`)).toBe(0);
  });
});
