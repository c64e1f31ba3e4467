import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoSpikeStore } from '../../core/store/spike.store.js';
import { freshDb } from '../support/services.js';

/**
 * Spike joins on the real store (FerretDB): many at once are written together, yet each caller is
 * answered only once its own ticket is stored, a replayed join adds nothing, and a declared spike
 * takes no more tickets. One update per join, 200 at once, kept 27 of 203 tickets here: FerretDB
 * applies an update as read, change, write back, so concurrent updates of one document overwrite
 * each other; joins written one batch at a time per spike (per process) lose none.
 */
let db: { connection: Connection; uri: string; drop: () => Promise<void> };
let spikes: MongoSpikeStore;

beforeAll(async () => {
  db = await freshDb();
  spikes = new MongoSpikeStore(db.connection);
});
afterAll(async () => {
  await db?.drop();
});

const spike = (id: string) => ({ id, deskId: 'it', ticketIds: ['t-0', 't-1', 't-2'], windowMinutes: 10, at: new Date() });

describe('spike joins', () => {
  it('200 joins at once: each stored once, each caller sees its ticket, in far fewer writes than joins', async () => {
    await spikes.create(spike('sp-a'));
    const col = db.connection.collection('incident_spikes');
    let writes = 0;
    const update = col.findOneAndUpdate.bind(col);
    const updateOne = col.updateOne.bind(col);
    // Counting the writes through the model's collection (mongoose calls the driver's methods).
    (col as { findOneAndUpdate: unknown }).findOneAndUpdate = (...a: Parameters<typeof update>) => {
      writes++;
      return update(...a);
    };
    (col as { updateOne: unknown }).updateOne = (...a: Parameters<typeof updateOne>) => {
      writes++;
      return updateOne(...a);
    };
    const ids = Array.from({ length: 200 }, (_, i) => `t-${100 + i}`);
    const results = await Promise.all(ids.map((t) => spikes.addTicket('sp-a', t)));
    (col as { findOneAndUpdate: unknown }).findOneAndUpdate = update;
    (col as { updateOne: unknown }).updateOne = updateOne;
    results.forEach((s, i) => expect(s?.ticketIds).toContain(ids[i]));
    const stored = (await spikes.get('sp-a'))!;
    expect(stored.ticketIds).toHaveLength(203);
    expect(new Set(stored.ticketIds).size).toBe(203);
    expect(stored.ticketIds.slice(0, 3)).toEqual(['t-0', 't-1', 't-2']);
    // The first goes alone, the rest wait for it and go together.
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(20);
  });

  it('a replayed join adds nothing; concurrent duplicates are one entry', async () => {
    await spikes.create(spike('sp-b'));
    await spikes.addTicket('sp-b', 't-9');
    await Promise.all([spikes.addTicket('sp-b', 't-9'), spikes.addTicket('sp-b', 't-10'), spikes.addTicket('sp-b', 't-10')]);
    expect((await spikes.get('sp-b'))!.ticketIds).toEqual(['t-0', 't-1', 't-2', 't-9', 't-10']);
  });

  it('a declared spike takes no more tickets; an unknown spike answers null', async () => {
    await spikes.create(spike('sp-c'));
    await spikes.markDeclared('sp-c', 'inc-1');
    const after = await Promise.all([spikes.addTicket('sp-c', 't-50'), spikes.addTicket('sp-c', 't-51')]);
    for (const s of after) expect(s).toMatchObject({ incidentId: 'inc-1', ticketIds: ['t-0', 't-1', 't-2'] });
    expect(await spikes.addTicket('sp-none', 't-1')).toBeNull();
  });

  // Worker replicas are separate processes: each store's coalescing keeps its own joins from
  // overwriting each other, not another process's. Sixteen stores over four connections stand for
  // sixteen replicas, each with its own coalescer (FerretDB: an update is read, change, write back
  // by _id). Before the version compare-and-set, three runs: 100, 101 and 150 of 403 tickets
  // kept, and the declaration lost every time.
  describe('joins from several replicas at once', () => {
    let others: Connection[] = [];
    let replicas: MongoSpikeStore[] = [];
    beforeAll(async () => {
      others = await Promise.all([1, 2, 3].map(() => mongoose.createConnection(db.uri).asPromise()));
      replicas = [db.connection, ...others].flatMap((c) => [1, 2, 3, 4].map(() => new MongoSpikeStore(c)));
    });
    afterAll(async () => {
      await Promise.all(others.map((c) => c.close()));
    });

    it('400 joins over sixteen replicas: every ticket kept once', async () => {
      await replicas[0]!.create(spike('sp-r'));
      const ids = Array.from({ length: 400 }, (_, i) => `t-${100 + i}`);
      const results = await Promise.all(ids.map((t, i) => replicas[i % replicas.length]!.addTicket('sp-r', t)));
      results.forEach((s, i) => expect(s?.ticketIds).toContain(ids[i]));
      const stored = (await spikes.get('sp-r'))!;
      expect(new Set(stored.ticketIds).size).toBe(403);
      expect(stored.ticketIds).toHaveLength(403);
    });

    it('a declaration made while other replicas join is kept, and the joins it answered are listed', async () => {
      await replicas[0]!.create(spike('sp-d'));
      const joins = Array.from({ length: 240 }, (_, i) => replicas[1 + (i % (replicas.length - 1))]!.addTicket('sp-d', `t-${500 + i}`));
      await new Promise((r) => setTimeout(r, 2));
      const declared = await replicas[0]!.markDeclared('sp-d', 'inc-9');
      await Promise.all(joins);
      const stored = (await spikes.get('sp-d'))!;
      expect(stored.incidentId).toBe('inc-9');
      // What Declare saw is what stays listed (nothing it linked drops out, nothing is added after).
      expect(stored.ticketIds).toEqual(declared!.ticketIds);
    });
  });
});
