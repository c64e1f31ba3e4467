import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactWrite } from '../../core/domain/ticket-fact.js';
import { CHUNK_TICKETS, ReportDays, dayDocId, entriesOf } from '../../core/store/report-days.store.js';
import { freshDb } from '../support/services.js';

let db: Awaited<ReturnType<typeof freshDb>>;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.drop();
});

const write = (ticketId: string, v: number, day: string, extra: Partial<FactWrite['snapshot']> = {}, flags: FactWrite['flags'] = {}): FactWrite => ({
  snapshot: { ticketId, deskId: 'it', v, createdAt: new Date(`${day}T09:00:00Z`), day, channel: 'slack', category: ticketId, priority: 'P3', status: 'open', ...extra } as FactWrite['snapshot'],
  flags,
});

describe('report_days chunks', () => {
  it('a busy day is split into documents of at most CHUNK_TICKETS tickets, and reads see every ticket at its newest version', async () => {
    const days = new ReportDays(db.connection, 'wa');
    const n = CHUNK_TICKETS * 2 + 17;
    const day = '2026-11-20';
    // A burst: every ticket's first fact at once (as a storm's workers write them).
    await Promise.all(Array.from({ length: n }, (_, i) => days.record(write(`t${i}`, 1, day))));
    // Later changes of tickets from the first and the last chunk, a claim flag among them.
    await Promise.all([
      days.record(write('t0', 3, day, { status: 'claimed', assignee: 'alice' }, { claimer: 'alice' })),
      days.record(write(`t${n - 1}`, 2, day, { status: 'resolved' }, { resolver: 'bob' })),
    ]);
    // A second process (another writer) changes a ticket of the first: readers merge both.
    const other = new ReportDays(db.connection, 'wb');
    await other.record(write('t1', 4, day, { status: 'pending' }, { escTier: 2 }));

    const docs = await db.connection.collection('report_days').find({}).toArray();
    const mine = docs.filter((d) => d.w === 'wa');
    expect(mine.map((d) => String(d._id)).sort()).toEqual([dayDocId('it', day, 'wa'), dayDocId('it', day, 'wa', 1), dayDocId('it', day, 'wa', 2)].sort());
    const ticketsIn = (d: (typeof mine)[number]) => [...entriesOf(d as never).keys()];
    for (const d of mine) expect(typeof d.b).toBe('string');
    for (const d of mine) expect(ticketsIn(d).length).toBeLessThanOrEqual(CHUNK_TICKETS);
    // Each ticket is in exactly one of this writer's chunks (its later facts went to the same one).
    const seen = mine.flatMap(ticketsIn);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(n);

    const facts = await days.facts('it', day, day);
    expect(facts).toHaveLength(n);
    // The test's facts carry their ticket id as the category.
    const byId = new Map(facts.map((f) => [f.category, f]));
    expect(byId.size).toBe(n);
    expect(byId.get('t0')).toMatchObject({ status: 'claimed', assignee: 'alice', claimers: ['alice'] });
    expect(byId.get(`t${n - 1}`)).toMatchObject({ status: 'resolved', resolver: 'bob' });
    expect(byId.get('t1')).toMatchObject({ status: 'pending', escTiers: [2] });
    expect(byId.get('t50')).toMatchObject({ status: 'open' });
    // A report over a period reads the same through any store instance (the writers' documents say which chunks exist).
    expect(await new ReportDays(db.connection, 'reader').facts('it', '2026-11-19', '2026-11-21')).toHaveLength(n);
  });

  it('documents written before chunks (one per writer and day, no `c`) are still read', async () => {
    const built = ReportDays.docsFromFacts([{ _id: 'old1', deskId: 'it', day: '2026-10-01', v: 2, status: 'resolved', channel: 'slack', category: 'old1' }], 'legacy');
    const days = new ReportDays(db.connection, 'wc');
    await days.insert(built);
    await days.record(write('new1', 1, '2026-10-01'));
    const ids = (await days.facts('it', '2026-10-01', '2026-10-01')).map((f) => f.category).sort();
    expect(ids).toEqual(['new1', 'old1']);
  });
});
