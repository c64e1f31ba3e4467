import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seqBatcher } from '../../core/store/counter.model.js';
import { MongoTicketStore } from '../../core/store/mongo-ticket-store.js';
import { person } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';

/**
 * Ticket numbers under a burst: one `$inc` serves every creation waiting for it (issue 12), numbers
 * stay unique and, in one quiet process, consecutive; a replayed key creates nothing. (A replay that
 * reaches the store takes a number before its insert finds the first ticket: a gap, never a
 * duplicate; core's openTicket looks the key up first, so ordinary replays do not get that far.)
 */
let db: Awaited<ReturnType<typeof freshDb>>;
let store: MongoTicketStore;

beforeAll(async () => {
  db = await freshDb();
  store = new MongoTicketStore(db.connection);
  await store.init();
});
afterAll(async () => db.drop());

const input = (key: string) => ({
  deskId: 'it',
  prefix: 'IT',
  idempotencyKey: key,
  requester: person('slack', 'UREQ'),
  subject: 's',
  description: 'd',
  priority: 'P3' as const,
  links: [],
  status: 'new' as const,
  tier: 1,
});

describe('ticket numbers in batches', () => {
  it('200 concurrent creations: 200 consecutive numbers from far fewer $inc round trips', async () => {
    const batcher = seqBatcher(db.connection);
    const before = batcher.incs;
    const now = new Date();
    const made = await Promise.all(Array.from({ length: 200 }, (_, i) => store.create(input(`burst-${i}`), now)));
    expect(made.every((m) => m.created)).toBe(true);
    const numbers = made.map((m) => Number(m.ticket.number.slice(3))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => 1001 + i));
    const incs = batcher.incs - before;
    expect(incs).toBeGreaterThan(0);
    expect(incs).toBeLessThan(50);
    // A replay of a stored request returns the first ticket; later numbers keep increasing.
    const again = await store.create(input('burst-7'), now);
    expect(again).toMatchObject({ created: false, ticket: { id: made[7]!.ticket.id, number: made[7]!.ticket.number } });
    const next = await store.create(input('after'), now);
    expect(Number(next.ticket.number.slice(3))).toBeGreaterThan(1200);
    expect(await store.findByIdempotencyKey('burst-7')).toMatchObject({ number: made[7]!.ticket.number });
  });
});
