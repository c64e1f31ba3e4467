import mongoose, { type Connection } from 'mongoose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { randomId, testMongoUri } from '../support/services.js';

/**
 * app/services/ferretdb-gin.ts: FerretDB 1.24 pushes `{_id: x}` down to PostgreSQL as
 * `_jsonb -> '_id' @> '"x"'`, which its own btree indexes cannot serve; the local store gives every
 * such index a GIN twin (an event trigger on FerretDB's CREATE INDEX) so that look-ups by key are
 * index scans. Checked here on the test run's own store: the twins exist for a new collection's `_id`
 * and declared index, PostgreSQL plans the pushed-down filter as an index scan, and FerretDB's own
 * queries (prepared statements, well past the 5 custom plans after which PostgreSQL may switch to a
 * generic plan that cannot use an expression index) do use it.
 */
const pgUrl = inject('ferretPgUrl');
const dbName = `t_gin_${randomId()}`;
let conn: Connection;
let client: pg.Client;

// Only the PostgreSQL backends have the indexes (HELPDESK_FERRETDB_BACKEND=sqlite and MONGODB_URI have none to check).
describe.skipIf(!pgUrl)('GIN twins of FerretDB indexes on PostgreSQL', () => {
  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri(dbName)).asPromise();
    client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
  });
  afterAll(async () => {
    await conn?.dropDatabase().catch(() => {});
    await conn?.close();
    await client?.end();
  });

  it('a new collection gets GIN twins of its _id and declared indexes, and FerretDB look-ups by key use them', async () => {
    const c = conn.collection<{ _id: string; ref: string; pad: string }>('gin_probe');
    await c.createIndex({ ref: 1 });
    const pad = 'x'.repeat(3000);
    await c.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: `k${i}`, ref: `r${i}`, pad: pad + i })));

    const twins = await client.query<{ indexname: string; indexdef: string }>(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename LIKE 'gin_probe_%' AND indexname LIKE 'hdgin_%'`, [dbName]);
    const fields = twins.rows.map((r) => /-> '([^']+)'/.exec(r.indexdef)?.[1]).sort();
    expect(fields).toEqual(['_id', 'ref']);
    for (const r of twins.rows) expect(r.indexdef).toContain('USING gin');

    const table = /ON (\S+) USING/.exec(twins.rows[0]!.indexdef)![1]!;
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT _jsonb FROM ${table} WHERE _jsonb -> '_id' @> '"k7"'`);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Bitmap Index Scan on hdgin_/);

    const setting = await client.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode');
    expect(setting.rows[0]!.plan_cache_mode).toBe('force_custom_plan');

    const scans = async () => {
      await client.query('SELECT pg_stat_clear_snapshot()');
      const r = await client.query<{ n: string }>(`SELECT coalesce(sum(idx_scan), 0) AS n FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname LIKE 'gin_probe_%' AND indexrelname LIKE 'hdgin_%'`, [dbName]);
      return Number(r.rows[0]!.n);
    };
    const before = await scans();
    for (let i = 0; i < 20; i++) expect((await c.findOne({ _id: `k${i * 7}` }))?.ref).toBe(`r${i * 7}`);
    expect((await c.findOne({ ref: 'r42' }))?._id).toBe('k42');
    let after = before;
    // A backend that went idle flushes its statistics within 10 s (PGSTAT_IDLE_INTERVAL).
    for (let t = 0; t < 120 && after < before + 21; t++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await scans();
    }
    expect(after - before).toBeGreaterThanOrEqual(21);
  }, 60_000);
});
