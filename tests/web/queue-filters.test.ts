import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueueIndex } from '../../adapters/web/console/queue-index.redis.js';
import { ACTIVE_STATUSES, type Priority, type TicketStatus } from '../../core/domain/ticket.js';
import type { TicketCursor } from '../../core/ports/ticket-store.port.js';
import { scanQueue, type QueueRowFilter } from '../../core/use-cases/queue-scan.js';
import { MongoTicketStore, ticketIdFor } from '../../core/store/mongo-ticket-store.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';

/**
 * The console's filtered views (unassigned, priority, tier, status, SLA due, mine) answered from the
 * queue index's rows (core/use-cases/queue-scan.ts) list exactly what the store's query lists, in the
 * same order and pages, including a scan cut short by its row budget (it pages on from the last row read).
 */
let db: Awaited<ReturnType<typeof freshDb>>;
let store: MongoTicketStore;
const redis = new Redis(testRedisUrl());
let index: RedisQueueIndex;
const NOW = Date.now();

beforeAll(async () => {
  db = await freshDb();
  store = new MongoTicketStore(db.connection);
  await store.init();
  const statuses: TicketStatus[] = ['open', 'open', 'claimed', 'pending', 'resolved', 'open', 'claimed'];
  const docs = Array.from({ length: 160 }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const createdAt = new Date(NOW - (160 - i) * 60_000);
    const assigned = status !== 'open' && i % 5 !== 0;
    const agent = i % 3 === 0 ? 'ana' : 'ben';
    return {
      _id: ticketIdFor(`qf-${i}`), deskId: i % 6 === 0 ? 'hr' : 'it', number: `IT-${1001 + i}`, seq: 1001 + i, idempotencyKey: `qf-${i}`,
      requester: { platform: 'slack', workspace: 'T1', user: `U${i}`, name: `P ${i}` }, subject: `s ${i}`, description: 'd',
      priority: (['P1', 'P2', 'P3', 'P3', 'P4'] as Priority[])[i % 5], status, tier: i % 4 === 0 ? 2 : 1,
      ...(assigned ? { assignee: { platform: 'web', workspace: 'console', user: agent, name: agent }, assigneeAgentId: agent, claimedAt: createdAt } : {}),
      links: [],
      sla: {
        firstResponseDueAt: new Date(createdAt.getTime() + (i % 3) * 40 * 60_000 + 60 * 60_000),
        ...(i % 4 === 1 ? { firstRespondedAt: createdAt } : {}),
        resolutionDueAt: new Date(createdAt.getTime() + 3 * 3_600_000),
      },
      createdAt, updatedAt: createdAt, version: 1,
    };
  });
  // Pairs created in the same millisecond: the cursor's ties are broken by id.
  for (let i = 1; i < docs.length; i += 2) docs[i]!.createdAt = docs[i - 1]!.createdAt;
  await db.connection.collection('tickets').insertMany(docs as never[]);
  index = new RedisQueueIndex(redis, `qf${randomId()}:`, () => store.activeTickets());
  await index.ensureBuilt();
}, 60_000);
afterAll(async () => {
  redis.disconnect();
  await db.drop();
});

/** Every page of a view, walked with its cursor. */
async function walk(next: (after?: TicketCursor) => Promise<{ ids: string[]; next?: TicketCursor }>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: TicketCursor | undefined;
  let pages = 0;
  do {
    const p = await next(after);
    ids.push(...p.ids);
    after = p.next;
    pages++;
  } while (after && pages < 200);
  return { ids, pages };
}

const views: Array<[string, readonly string[], QueueRowFilter]> = [
  ['unassigned P1', ['it'], { status: ACTIVE_STATUSES, unassigned: true, priority: ['P1'] }],
  ['SLA due within an hour', ['it', 'hr'], { status: ['open', 'claimed'], dueBefore: new Date(NOW + 3_600_000) }],
  ['tier 2, open', ['it'], { status: ['open'], tier: 2 }],
  ['pending', ['it', 'hr'], { status: ['pending'] }],
  ['P3 or P4, claimed', ['hr'], { status: ['claimed'], priority: ['P3', 'P4'] }],
  ['mine (ana), due soon', ['it'], { status: ['open', 'claimed'], assigneeAgentId: 'ana', dueBefore: new Date(NOW) }],
];

describe('filtered console views from the queue index', () => {
  it.each(views)('%s: the same tickets, in the same order, as the store', async (_label, deskIds, filter) => {
    const fromStore = await walk(async (after) => {
      const p = await store.page({ deskIds, ...filter, after, limit: 7 });
      return { ids: p.tickets.map((t) => t.id), next: p.next };
    });
    expect(fromStore.ids.length).toBeGreaterThan(0);
    const fromIndex = await walk(async (after) => {
      const p = (await scanQueue(index, { deskIds, assigneeAgentId: filter.assigneeAgentId, after, limit: 7, filter }))!;
      return { ids: p.rows.map((r) => r.id), next: p.next };
    });
    expect(fromIndex.ids).toEqual(fromStore.ids);
    // A row budget smaller than the queue: shorter pages, the same tickets in the end.
    const budget = await walk(async (after) => {
      const p = (await scanQueue(index, { deskIds, assigneeAgentId: filter.assigneeAgentId, after, limit: 7, filter, maxRows: 20 }))!;
      return { ids: p.rows.map((r) => r.id), next: p.next };
    });
    expect(budget.ids).toEqual(fromStore.ids);
  });
});
