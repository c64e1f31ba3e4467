import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueueIndex } from '../../adapters/web/console/queue-index.redis.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { agentQueue } from '../../core/use-cases/agent-queue.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
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
});
