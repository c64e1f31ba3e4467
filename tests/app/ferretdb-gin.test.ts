import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { topLevelField } from '../../app/services/ferretdb-gin.js';
import { mongoUriFor } from '../../app/services/ferretdb.js';
import { startLocalStore } from '../../app/services/local-store.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'hd-gin-'));
chmodSync(root, 0o711); // as root, PostgreSQL runs as `nobody`, which must reach its cluster
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('GIN twins of FerretDB indexes (app/services/ferretdb-gin.ts)', () => {
  it('reads the field of a first index column and nothing else', () => {
    expect(topLevelField("(_jsonb -> '_id'::text)")).toBe('_id');
    expect(topLevelField("(_jsonb -> 'o''k'::text)")).toBe("o'k");
    expect(topLevelField("((_jsonb -> 'requester'::text) -> 'platform'::text)")).toBeUndefined();
    expect(topLevelField("(_jsonb -> 'a.b'::text)")).toBeUndefined();
    expect(topLevelField('_recordid')).toBeUndefined();
  });

  it("FerretDB's pushed-down equalities become index scans, on collections created after start too", { timeout: 120_000 }, async () => {
    const s = await startLocalStore({ dataDir: path.join(root, 'store'), ephemeral: true });
    const c = await mongoose.createConnection(mongoUriFor(s.url, 'gintest')).asPromise();
    const admin = new pg.Client({ host: '127.0.0.1', port: s.postgres!.port, user: 'postgres', password: s.postgres!.password, database: 'ferretdb' });
    await admin.connect();
    try {
      const coll = c.collection('timeline');
      await coll.createIndex({ ticketId: 1, at: 1 });
      await coll.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: `e${i}` as never, ticketId: `t${i % 300}`, at: new Date(i), text: 'x'.repeat(200) })));
      await s.gin!.sweep();
      const idx = await admin.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'gintest' AND indexname LIKE 'hdgin%'");
      const defs = idx.rows.map((r) => r.indexdef).join('\n');
      expect(defs).toContain("USING gin (((_jsonb -> '_id'::text)) jsonb_path_ops)");
      expect(defs).toContain("USING gin (((_jsonb -> 'ticketId'::text)) jsonb_path_ops)");
      expect(idx.rows).toHaveLength(2); // `at` is not a first key: no twin
      await admin.query('ANALYZE gintest.' + (await admin.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'gintest' AND tablename LIKE 'timeline%'")).rows[0]!.t);

      // What FerretDB sends PostgreSQL for these filters, as FerretDB's explain shows it.
      const plan = async (filter: Record<string, unknown>) => JSON.stringify(await c.db!.command({ explain: { find: 'timeline', filter } }));
      expect(await plan({ _id: 'e42' })).toContain('Bitmap Index Scan');
      expect(await plan({ ticketId: 't7' })).toContain('Bitmap Index Scan');
      // And the answers are the same as without an index.
      expect(await coll.findOne({ _id: 'e42' as never })).toMatchObject({ ticketId: 't42' });
      expect(await coll.countDocuments({ ticketId: 't7' })).toBe(10);
      await coll.updateOne({ _id: 'e42' as never }, { $set: { ticketId: 't7' } });
      expect(await coll.countDocuments({ ticketId: 't7' })).toBe(11);

      // A collection (and a database) created later gets its twin at the next pass.
      await c.useDb('gintest2').collection('later').insertOne({ _id: 'x' as never });
      await s.gin!.sweep();
      const later = await admin.query("SELECT 1 FROM pg_indexes WHERE schemaname = 'gintest2' AND indexname LIKE 'hdgin%'");
      expect(later.rowCount).toBe(1);
    } finally {
      await admin.end();
      await c.close();
      await s.stop();
    }
  });
});
