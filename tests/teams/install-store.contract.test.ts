import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTeamsInstallStore, type TeamsInstallStore } from '../../adapters/teams/teams.installs.js';
import { SharedTeamsInstallStore } from '../../adapters/teams/teams.installs.shared.js';
import { MongoAdapterStateStore } from '../../core/store/adapter-state.store.js';
import { freshDb } from '../support/services.js';

let db: Awaited<ReturnType<typeof freshDb>>;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => db?.drop());

let n = 0;
const impls: Array<[string, () => TeamsInstallStore]> = [
  ['memory', () => new MemoryTeamsInstallStore()],
  // Each store gets its own tenant ids below, so they can share the database.
  ['shared (MongoDB adapter state)', () => new SharedTeamsInstallStore(new MongoAdapterStateStore(db.connection))],
];

describe.each(impls)('TeamsInstallStore contract: %s', (_name, make) => {
  const tenant = () => `tenant-${++n}`;

  it('knows nothing about a tenant it never saw', async () => {
    expect(await make().serviceUrlFor(tenant())).toBeUndefined();
  });

  it('saves team and personal installs; a reinstall replaces the team entry', async () => {
    const s = make();
    const t = tenant();
    await s.save({ tenantId: t, teamId: '19:a@thread.tacv2', teamName: 'A', serviceUrl: 'https://smba.example/emea/', at: new Date('2025-01-01T00:00:00Z') });
    await s.save({ tenantId: t, serviceUrl: 'https://smba.example/emea/', at: new Date('2025-01-02T00:00:00Z') });
    await s.save({ tenantId: t, teamId: '19:a@thread.tacv2', teamName: 'A renamed', serviceUrl: 'https://smba.example/emea/', at: new Date('2025-01-03T00:00:00Z') });
    const mine = (await s.list()).filter((i) => i.tenantId === t).sort((x, y) => x.at.getTime() - y.at.getTime());
    expect(mine).toEqual([
      { tenantId: t, teamId: undefined, teamName: undefined, serviceUrl: 'https://smba.example/emea/', at: new Date('2025-01-02T00:00:00Z') },
      { tenantId: t, teamId: '19:a@thread.tacv2', teamName: 'A renamed', serviceUrl: 'https://smba.example/emea/', at: new Date('2025-01-03T00:00:00Z') },
    ]);
  });

  it('answers the most recent service URL of the tenant; a late older install does not replace it', async () => {
    const s = make();
    const t = tenant();
    await s.save({ tenantId: t, teamId: '19:a@thread.tacv2', serviceUrl: 'https://smba.example/old/', at: new Date('2025-01-01T00:00:00Z') });
    await s.save({ tenantId: t, teamId: '19:b@thread.tacv2', serviceUrl: 'https://smba.example/new/', at: new Date('2025-02-01T00:00:00Z') });
    expect(await s.serviceUrlFor(t)).toBe('https://smba.example/new/');
    await s.save({ tenantId: t, serviceUrl: 'https://smba.example/stale/', at: new Date('2025-01-15T00:00:00Z') });
    expect(await s.serviceUrlFor(t)).toBe('https://smba.example/new/');
  });
});

describe('MongoAdapterStateStore', () => {
  it('round-trips opaque JSON by key, including shapes FerretDB rejects as documents', async () => {
    const s = new MongoAdapterStateStore(db.connection);
    const value = { matrix: [[1, 2], [3]], 'a.b': { $weird: true }, text: 'ü' };
    await s.put('demo', 'thing', 'k:1', value);
    expect(await s.get('demo', 'thing', 'k:1')).toEqual(value);
    expect(await s.get('demo', 'thing', 'missing')).toBeUndefined();
    await s.put('demo', 'thing', 'k:1', { v: 2 });
    await s.put('demo', 'thing', 'k:2', 'two');
    await s.put('demo', 'other', 'k:1', 'not listed');
    expect((await s.list('demo', 'thing')).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'k:1', value: { v: 2 } },
      { key: 'k:2', value: 'two' },
    ]);
    expect(await s.delete('demo', 'thing', 'k:1')).toBe(true);
    expect(await s.delete('demo', 'thing', 'k:1')).toBe(false);
    expect(await s.get('demo', 'thing', 'k:1')).toBeUndefined();
  });

  it('concurrent first writes of one key all succeed and leave one document', async () => {
    const s = new MongoAdapterStateStore(db.connection);
    await Promise.all(Array.from({ length: 8 }, (_, i) => s.put('demo', 'race', 'k', { i })));
    const listed = await s.list('demo', 'race');
    expect(listed).toHaveLength(1);
    expect(await db.connection.collection('adapter_state').countDocuments({ _id: 'demo:race:k' } as never)).toBe(1);
  });
});
