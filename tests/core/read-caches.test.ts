import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVE_INCIDENT_STATUSES, type NewIncident } from '../../core/domain/incident.js';
import { MongoIncidentStore } from '../../core/store/mongo-incident-store.js';
import { MongoKbFeedbackStore } from '../../core/store/kb-feedback.store.js';
import { freshDb } from '../support/services.js';

// The short-lived read copies a storm's requests share (docs/storm.md, "Drain: fewer reads and
// Redis round trips"): this process's own writes are seen at once, another process's (a second
// store instance on the same database) once the copy is older than its bound — and not before.

let db: Awaited<ReturnType<typeof freshDb>>;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const incident = (key: string, deskId: string): NewIncident & { status: 'investigating' } => ({
  deskId,
  idempotencyKey: key,
  title: `VPN down ${key}`,
  services: ['vpn'],
  severity: 'SEV2',
  alertFingerprints: [],
  declaredBy: { kind: 'system', reason: 'test' },
  startedAt: new Date(),
  status: 'investigating',
});

describe('active incidents of a desk, as a request matches them (maxAgeMs)', () => {
  it("answers from a copy within maxAgeMs, sees this store's own writes at once and another's after the bound", async () => {
    const mine = new MongoIncidentStore(db.connection);
    const other = new MongoIncidentStore(db.connection);
    await mine.init();
    // A bound far longer than the test, and a caller asking for a fresher copy (maxAgeMs 1) where it must be read again.
    const q = { deskId: 'cache-desk', status: ACTIVE_INCIDENT_STATUSES, limit: 50, maxAgeMs: 60_000 };
    expect(await mine.list(q)).toEqual([]);

    // Another process declares: not seen while the copy is fresh, seen once it is older than maxAgeMs.
    const a = (await other.create(incident('cache-a', 'cache-desk'), new Date())).incident;
    expect(await mine.list(q)).toEqual([]);
    expect((await mine.list({ ...q, maxAgeMs: undefined })).map((i) => i.id)).toEqual([a.id]); // without maxAgeMs: read
    expect(await mine.list(q)).toEqual([]);
    await sleep(5);
    expect((await mine.list({ ...q, maxAgeMs: 1 })).map((i) => i.id)).toEqual([a.id]);
    expect((await mine.list(q)).map((i) => i.id)).toEqual([a.id]);

    // This process declares and resolves: seen at once, whatever the copy's age.
    const b = (await mine.create(incident('cache-b', 'cache-desk'), new Date())).incident;
    expect((await mine.list(q)).map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    expect(await mine.update(b.id, b.version, { status: 'resolved', resolvedAt: new Date() }, new Date())).not.toBeNull();
    expect((await mine.list(q)).map((i) => i.id)).toEqual([a.id]);

    // Callers get their own copies: changing one does not change the next answer.
    (await mine.list(q))[0]!.services.push('changed');
    expect((await mine.list(q))[0]!.services).toEqual(['vpn']);
  });

  it('shares one read between concurrent callers', async () => {
    const monitored = await mongoose.createConnection(db.uri, { monitorCommands: true }).asPromise();
    try {
      const store = new MongoIncidentStore(monitored);
      let finds = 0;
      monitored.getClient().on('commandStarted', (e) => void (e.commandName === 'find' && e.command.find === 'incidents' && (finds += 1)));
      const q = { deskId: 'cache-concurrent', status: ACTIVE_INCIDENT_STATUSES, limit: 50, maxAgeMs: 5_000 };
      await Promise.all(Array.from({ length: 16 }, () => store.list(q)));
      await store.list(q);
      expect(finds).toBe(1);
      await store.list({ ...q, maxAgeMs: undefined });
      expect(finds).toBe(2);
    } finally {
      await monitored.close();
    }
  });
});

describe('kb feedback tallies as ranking reads them (a desk copy of TALLY_CACHE_MS)', () => {
  it("sees this store's feedback at once and another store's after the bound", async () => {
    // The bound long enough that a loaded machine cannot outrun it between two reads.
    const mine = new MongoKbFeedbackStore(db.connection, 3_000);
    const other = new MongoKbFeedbackStore(db.connection, 3_000);
    const at = new Date();
    const helpful = (t: Awaited<ReturnType<MongoKbFeedbackStore['tallies']>>, key: string) => t.find((x) => x.articleId === 'vpn-reset' && x.queryKey === key)?.helpful ?? 0;
    expect(await mine.tallies(['vpn-reset'], 'vpn', 'cache-desk')).toEqual([]);

    await other.record({ articleId: 'vpn-reset', query: 'vpn', queryKey: 'vpn', helpful: true, deskId: 'cache-desk', at });
    expect(await mine.tallies(['vpn-reset'], 'vpn', 'cache-desk')).toEqual([]); // the copy is fresh
    await sleep(3_100);
    const seen = await mine.tallies(['vpn-reset'], 'vpn', 'cache-desk');
    expect(helpful(seen, '')).toBe(1);
    expect(helpful(seen, 'vpn')).toBe(1);

    await mine.record({ articleId: 'vpn-reset', query: 'vpn', queryKey: 'vpn', helpful: true, deskId: 'cache-desk', at });
    const now = await mine.tallies(['vpn-reset', 'other'], 'vpn', 'cache-desk');
    expect(helpful(now, '')).toBe(2); // the shards of both writers summed
    expect(helpful(now, 'vpn')).toBe(2);
    // Only the asked articles and keys, and only this desk.
    expect(await mine.tallies(['other'], 'vpn', 'cache-desk')).toEqual([]);
    expect(await mine.tallies(['vpn-reset'], 'vpn', 'another-desk')).toEqual([]);
    expect((await mine.tallies(['vpn-reset'], 'wifi', 'cache-desk')).map((t) => t.queryKey)).toEqual(['']);
  });
});
