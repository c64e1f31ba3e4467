import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRef } from '../../core/ports/message-ref.port.js';
import { MongoMessageRefStore } from '../../core/store/message-ref.store.js';
import { freshDb } from '../support/services.js';

/**
 * The keyed message refs behind announcements, on FerretDB: of many concurrent deliveries of one
 * ref exactly one holds it at a time (the others are told it is busy), a crashed holder's lease
 * expires, and a stored post is what the next holder edits.
 */
describe('message refs (announcement leases)', () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  let now = new Date('2026-11-29T10:00:00Z');
  let store: MongoMessageRefStore;
  beforeAll(async () => {
    db = await freshDb();
    store = new MongoMessageRefStore(db.connection, () => now);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const ref = (version: number): MessageRef => ({ platform: 'slack', workspace: 'T1', channel: 'C1', message: '111.222', version });

  it('20 concurrent claims of a new ref: one runs (nothing posted yet), 19 are busy', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim('incident:i1:slack:T1:C1', 30_000)));
    const run = claims.filter((c) => c.outcome === 'run');
    expect(run).toHaveLength(1);
    expect(run[0]!.outcome === 'run' && run[0]!.ref).toBeNull();
    expect(claims.filter((c) => c.outcome === 'busy')).toHaveLength(19);
    // The holder posts and stores; the next claim gets the post to edit.
    if (run[0]!.outcome === 'run') await store.save('incident:i1:slack:T1:C1', run[0]!.token, ref(1));
    const next = await store.claim('incident:i1:slack:T1:C1', 30_000);
    expect(next).toMatchObject({ outcome: 'run', ref: { message: '111.222', version: 1 } });
    if (next.outcome === 'run') await store.release('incident:i1:slack:T1:C1', next.token);
  });

  it('a holder that dies keeps the ref only until its lease expires', async () => {
    const first = await store.claim('incident:i2:slack:T1:C1', 30_000);
    expect(first.outcome).toBe('run');
    expect((await store.claim('incident:i2:slack:T1:C1', 30_000)).outcome).toBe('busy');
    now = new Date(now.getTime() + 31_000);
    const taken = await store.claim('incident:i2:slack:T1:C1', 30_000);
    expect(taken.outcome).toBe('run');
    // The dead holder's late save still records its post (forgetting it would post twice) …
    if (first.outcome === 'run') await store.save('incident:i2:slack:T1:C1', first.token, ref(1));
    expect(await store.get('incident:i2:slack:T1:C1')).toMatchObject({ message: '111.222', version: 1 });
    // … and the live holder's save is not blocked by it.
    if (taken.outcome === 'run') await store.save('incident:i2:slack:T1:C1', taken.token, ref(3));
    expect(await store.get('incident:i2:slack:T1:C1')).toMatchObject({ version: 3 });
  });

  // A posted ref is free between deliveries (its lease released): every later delivery takes the
  // lease by updating the stored document. FerretDB 1.24 runs a conditional update as query, then
  // write by _id, so without a guard several concurrent claimers could all "win" it (before the fix, three runs
  // here: 2 of 40 claims ran, twice; and in every run an older version was edited in after a newer
  // one — once leaving the ref at version 30 of 31).
  describe('a posted ref, claimed by several replicas at once', () => {
    let others: Connection[] = [];
    let stores: MongoMessageRefStore[] = [];
    beforeAll(async () => {
      others = await Promise.all([1, 2, 3].map(() => mongoose.createConnection(db.uri).asPromise()));
      // Four replicas (own connections, own store instances) and the real clock.
      stores = [db.connection, ...others].map((c) => new MongoMessageRefStore(c));
    });
    afterAll(async () => {
      await Promise.all(others.map((c) => c.close()));
    });

    it('40 concurrent claims of a released ref: exactly one runs', async () => {
      const key = 'incident:i3:slack:T1:C1';
      const first = await stores[0]!.claim(key, 30_000);
      if (first.outcome !== 'run') throw new Error('first claim busy');
      await stores[0]!.save(key, first.token, ref(1));
      const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % stores.length]!.claim(key, 30_000)));
      expect(claims.filter((c) => c.outcome === 'run')).toHaveLength(1);
    });

    it('30 versions delivered at once by four replicas: the message and the ref end at the newest', async () => {
      const key = 'incident:i4:slack:T1:C1';
      let shown = 0; // what the platform shows
      const edits: number[] = [];
      const deliver = async (version: number, s: MongoMessageRefStore): Promise<void> => {
        for (let attempt = 0; attempt < 400; attempt++) {
          const c = await s.claim(key, 30_000);
          if (c.outcome === 'busy') {
            await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
            continue;
          }
          if (c.ref && c.ref.version >= version) return s.release(key, c.token);
          await new Promise((r) => setTimeout(r, Math.random() * 5)); // the platform call
          shown = version;
          edits.push(version);
          return s.save(key, c.token, ref(version));
        }
        throw new Error(`version ${version} never delivered`);
      };
      await deliver(1, stores[0]!);
      await Promise.all(Array.from({ length: 30 }, (_, i) => deliver(2 + i, stores[i % stores.length]!)));
      expect((await stores[1]!.get(key))?.version).toBe(31);
      expect(shown).toBe(31);
      // Never an older version edited in after a newer one.
      for (let i = 1; i < edits.length; i++) expect(edits[i]).toBeGreaterThan(edits[i - 1]!);
    }, 60_000);
  });
});
