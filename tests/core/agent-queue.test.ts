import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueueIndex } from '../../adapters/web/console/queue-index.redis.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { agentQueue } from '../../core/use-cases/agent-queue.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

// An agent may work two tiers of one desk (the example desk file's lead does): their queue must
// still list each ticket once.
const lead = testAgent('lead', [person('slack', 'ULEAD')], 1, { desks: [{ desk: 'it', tier: 1, lead: false }, { desk: 'it', tier: 2, lead: true }] });
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
const redis = new Redis(testRedisUrl());
beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({ connection: db.connection, desks: [testDesk()], agents: [lead], kb: new KeywordKb([]) });
});
afterAll(async () => {
  await redis.quit();
  await db.drop();
});

describe('agent queue', () => {
  it('an agent on two tiers of one desk sees each ticket once', async () => {
    for (const i of [1, 2, 3]) await openTicket(hd.deps, { idempotencyKey: `q-${i}`, requester: person('slack', `U${i}`), text: `printer ${i} jammed`, origin: { platform: 'slack', workspace: 'T1', channel: 'C1' } });
    const fromStore = await agentQueue(hd.deps, person('slack', 'ULEAD'));
    expect(fromStore.deskIds).toEqual(['it']);
    expect(fromStore.tickets.map((t) => t.number).sort()).toEqual(['IT-1001', 'IT-1002', 'IT-1003']);
    // The console's Redis queue index (the default view's fast path) answers the same.
    const index = new RedisQueueIndex(redis, `aq${randomId()}:`, () => hd.store.activeTickets());
    const fromIndex = await agentQueue({ ...hd.deps, queueIndex: index }, person('slack', 'ULEAD'));
    expect(fromIndex.tickets.map((t) => t.number).sort()).toEqual(['IT-1001', 'IT-1002', 'IT-1003']);
  });

  it('answers the default views from the rows in the index (no ticket read), and a change made elsewhere shows', async () => {
    const index = new RedisQueueIndex(redis, `aq${randomId()}:`, () => hd.store.activeTickets());
    await index.ensureBuilt();
    const deps = { ...hd.deps, queueIndex: index };
    // This process's changes reach the index through its domain events, as app/web.ts wires them.
    const unsubscribe = hd.events.subscribe((e) => index.record(e.ticket, e.before));
    const ana = person('slack', 'ULEAD');
    try {
      const { ticket } = await openTicket(hd.deps, { idempotencyKey: 'q-rows-1', requester: person('slack', 'UROW', 'T1', 'Rowena <b>'), text: 'scanner offline on floor 3', origin: { platform: 'slack', workspace: 'T1', channel: 'C1' } });
      // The store's ticket reads stall (a slow database): the page is answered all the same, from
      // the index alone; only the background check waits on them.
      const get = hd.store.get.bind(hd.store);
      let release!: () => void;
      const stalled = new Promise<void>((r) => (release = r));
      hd.store.get = async (id: string) => {
        await stalled;
        return get(id);
      };
      let page;
      try {
        page = await agentQueue(deps, ana);
      } finally {
        hd.store.get = get;
        release();
      }
      const row = page.tickets.find((t) => t.id === ticket.id)!;
      expect(row).toMatchObject({ number: ticket.number, subject: 'scanner offline on floor 3', status: 'open', priority: ticket.priority, tier: 1, requester: { name: 'Rowena <b>' } });
      expect(row.createdAt).toBeInstanceOf(Date);
      expect(row.sla.firstResponseDueAt).toBeInstanceOf(Date);

      // Through this process: the claim's event updates the row at once.
      await claimTicket(hd.deps, { id: ticket.id }, ana);
      expect((await agentQueue(deps, ana)).tickets.find((t) => t.id === ticket.id)).toMatchObject({ status: 'claimed', assignee: { user: 'ULEAD' } });

      // Elsewhere: another process (its own connection and event bus, not wired to this index)
      // resolves the ticket. The next read may still show the stale row, and heals it in the
      // background: within moments the ticket is out of the queue.
      const conn2 = await mongoose.createConnection(db.uri).asPromise();
      try {
        const other = await composeHelpdesk({ connection: conn2, desks: [testDesk()], agents: [lead], kb: new KeywordKb([]) });
        await other.helpdesk.handle({ type: 'ticket.resolve', eventId: 'q-rows-resolve', actor: ana, ticket: { id: ticket.id } });
      } finally {
        await conn2.close();
      }
      const deadline = Date.now() + 10_000;
      let ids = (await agentQueue(deps, ana)).tickets.map((t) => t.id);
      while (ids.includes(ticket.id) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        ids = (await agentQueue(deps, ana)).tickets.map((t) => t.id);
      }
      expect(ids).not.toContain(ticket.id);
    } finally {
      unsubscribe();
    }
  });

  it('a row changed elsewhere (priority, subject) is replaced by the stored ticket after it is shown once', async () => {
    const index = new RedisQueueIndex(redis, `aq${randomId()}:`, () => hd.store.activeTickets());
    await index.ensureBuilt();
    const deps = { ...hd.deps, queueIndex: index };
    const ana = person('slack', 'ULEAD');
    const { ticket } = await openTicket(hd.deps, { idempotencyKey: 'q-rows-2', requester: person('slack', 'UROW2'), text: 'badge reader broken', origin: { platform: 'slack', workspace: 'T1', channel: 'C1' } });
    await index.record(ticket); // as the opening process's event would
    // Changed straight in the store (a process whose index write was lost): the row is stale.
    await db.connection.collection('tickets').updateOne({ _id: ticket.id as never }, { $set: { priority: 'P1', subject: 'badge reader broken (all doors)' }, $inc: { version: 1 } });
    const first = (await agentQueue(deps, ana)).tickets.find((t) => t.id === ticket.id)!;
    expect(first.priority).toBe(ticket.priority); // served from the index, as it was
    const deadline = Date.now() + 10_000;
    let row = first;
    while (row.priority !== 'P1' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = (await agentQueue(deps, ana)).tickets.find((t) => t.id === ticket.id)!;
    }
    expect(row).toMatchObject({ priority: 'P1', subject: 'badge reader broken (all doors)', version: ticket.version + 1 });
  });
});
