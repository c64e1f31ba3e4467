import mongoose, { type Connection } from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { testMongoUri } from '../support/services.js';

/**
 * FerretDB 1.24 runs findAndModify/update as "query (holds a PostgreSQL connection until the command
 * ends) then write (takes a second connection)". When as many such commands run at once as FerretDB
 * has PostgreSQL connections (pgx pool, 50 by default), each holds one and waits for another: the
 * server wedges for good, every PostgreSQL connection idle, no error. It hung two full test runs.
 * The local store therefore gives FerretDB a larger pool than all clients together can use at once
 * (app/services/ferretdb.ts: FERRETDB_PG_POOL vs LOCAL_MONGO_POOL in the connection string).
 * This drives four client pools (as four processes would) far past the old limit: with FerretDB's
 * default pool and the driver's default maxPoolSize it wedged here every time.
 */
const PER = Number(process.env.POOL_PROBE_PER ?? 500);
describe('local FerretDB under many concurrent read-then-write commands', () => {
  const conns: Connection[] = [];
  afterAll(async () => {
    await conns[0]?.dropDatabase().catch(() => {});
    await Promise.all(conns.map((c) => c.close()));
  });

  it('4 client pools × 500 concurrent findOneAndUpdate all finish (no pool deadlock)', async () => {
    const uri = new URL(testMongoUri());
    // Open connections as fast as commands queue (the driver's default opens 2 at a time), so every
    // pool reaches its limit at once, as it does under sustained load.
    uri.searchParams.set('maxConnecting', '100');
    // POOL_PROBE_MAXPOOL=100 (the driver's default) shows the wedge this guards against.
    if (process.env.POOL_PROBE_MAXPOOL) uri.searchParams.set('maxPoolSize', process.env.POOL_PROBE_MAXPOOL);
    for (let i = 0; i < 4; i++) conns.push(await mongoose.createConnection(uri.toString()).asPromise());
    // Existing documents: the query finds one row and FerretDB keeps its cursor open during the write.
    await conns[0]!.collection<{ _id: string; n: number }>('pool_probe').insertMany(Array.from({ length: 4 * PER }, (_, i) => ({ _id: `k${i}`, n: 0 })));
    const started = Date.now();
    const results = await Promise.all(
      conns.flatMap((c, ci) =>
        Array.from({ length: PER }, (_, i) =>
          c.collection<{ _id: string; n: number }>('pool_probe').findOneAndUpdate(
            { _id: `k${ci * PER + i}` },
            { $inc: { n: 1 } },
            { returnDocument: 'after' },
          ),
        ),
      ),
    );
    expect(results.filter((r) => r?.n === 1)).toHaveLength(4 * PER);
    expect(await conns[0]!.collection('pool_probe').countDocuments()).toBe(4 * PER);
    console.log(`${4 * PER} findOneAndUpdate from 4 pools in ${Date.now() - started} ms`);
  }, 90_000);
});
