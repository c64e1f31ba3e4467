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
});
