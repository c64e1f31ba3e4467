/**
 * What single operations cost FerretDB + PostgreSQL, one by one against batched: CPU ms per ticket
 * (this process tree's ferretdb and postgres, /proc) for the operations an SLA escalation makes, on a
 * tickets collection of `TICKETS` (default 10,000) documents shaped like the SLA bench's. Decides
 * which of an escalation's reads and writes are worth batching on the local store (docs/jobs.md,
 * "2026-11-29 (fourth session), h-sla4"). Also printed: PostgreSQL sessions opened and transactions
 * per ticket (pg_stat_database).
 *
 *   npx tsx bench/ferret-ops.ts                 # FerretDB on an embedded PostgreSQL, temp dir
 *   OPS=2000 BATCH=20 CONC=20 npx tsx bench/ferret-ops.ts
 *   CASES=findById,updateOne npx tsx bench/ferret-ops.ts   # only the cases whose name contains one of these
 *   DROP=twins|secondary …                      # without the tickets' GIN twins / secondary indexes
 *   WITH_IN=1 …                                 # also `$in` reads (slow: a full scan per command)
 *   BULK_CONC=1 …                               # bulkWrite commands at once (20 at once hung FerretDB 1.24 here)
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { mongoUriFor } from '../app/services/ferretdb.js';
import { startLocalStore } from '../app/services/local-store.js';
import { MongoTicketStore } from '../core/store/mongo-ticket-store.js';
import { cpuDelta, treeCpu } from './proc-cpu.js';

const N = Number(process.env.TICKETS ?? 10_000);
const OPS = Number(process.env.OPS ?? 1000);
const BATCH = Number(process.env.BATCH ?? 20);
const CONC = Number(process.env.CONC ?? 20);

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hd-bench-fops-'));
  chmodSync(tmp, 0o711);
  // MONGODB_URI: a server of yours (then only node's CPU is this process tree's; no PostgreSQL counters).
  const store = process.env.MONGODB_URI ? undefined : await startLocalStore({ dataDir: tmp, backend: 'postgresql', ephemeral: true });
  const c = await mongoose.createConnection(mongoUriFor(store?.url ?? process.env.MONGODB_URI!, `fops_${Date.now()}`)).asPromise();
  const ts = new MongoTicketStore(c);
  await ts.init();
  const tickets = c.collection('tickets');
  const now = new Date();
  const ids = Array.from({ length: N }, () => randomUUID());
  const docs = ids.map((_id, i) => ({
    _id, seq: 1001 + i, number: `IT-${1001 + i}`, deskId: 'it', idempotencyKey: `b-${i}`,
    requester: { platform: 'slack', workspace: 'T1', user: `U${i}` }, subject: `bench ${i}`, description: `bench ${i}`,
    priority: 'P3', status: 'open', tier: 1,
    links: [{ platform: 'slack', workspace: 'T1', channel: `D${i}`, role: 'requester' }, { platform: 'slack', workspace: 'T1', channel: 'C1', message: `17.${i}`, role: 'triage', tier: 1 }],
    sla: { firstResponseDueAt: now, resolutionDueAt: now }, createdAt: now, updatedAt: now, version: 1,
  }));
  for (let i = 0; i < N; i += 1000) await tickets.insertMany(docs.slice(i, i + 1000) as never[]);
  const entries = c.collection('timeline');
  for (let i = 0; i < N; i += 1000) await entries.insertMany(ids.slice(i, i + 1000).flatMap((t) => [0, 1, 2].map((k) => ({ _id: randomUUID(), ticketId: t, at: new Date(now.getTime() + k), kind: 'message', visibility: 'public', text: `hello ${k}` }))) as never[]);
  const pgMod = store?.postgres ? (await import('pg')).default : undefined;
  const admin = pgMod && store?.postgres ? new pgMod.Client({ host: '127.0.0.1', port: store?.postgres.port, user: 'postgres', database: 'ferretdb', password: store?.postgres.password }) : undefined;
  await admin?.connect();
  /** PostgreSQL's own counters for the FerretDB database: sessions opened, transactions, statements run. */
  const pgStats = async () => {
    if (!admin) return undefined;
    const r = (await admin.query(`SELECT sessions, xact_commit + xact_rollback AS xacts, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = 'ferretdb'`)).rows[0] as Record<string, string>;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
  };
  // DROP=twins: drop the GIN twins of the tickets' secondary indexes (keep _id's); DROP=secondary: drop
  // every tickets index but _id's btree and GIN twin. To see what index upkeep costs an update.
  if (process.env.DROP && store?.postgres) {
    const pg = await import('pg');
    const cl = new pg.default.Client({ host: '127.0.0.1', port: store?.postgres.port, user: 'postgres', database: 'ferretdb', password: store?.postgres.password });
    await cl.connect();
    const idx = (await cl.query(`SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'tickets%'`)).rows as Array<{ schemaname: string; indexname: string; indexdef: string }>;
    const isId = (d: string) => d.includes("'_id'") && !d.includes(',');
    for (const r of idx) {
      const gin = r.indexdef.includes('USING gin');
      if (isId(r.indexdef)) continue;
      if (process.env.DROP === 'twins' && !gin) continue;
      await cl.query(`DROP INDEX "${r.schemaname}"."${r.indexname}"`);
    }
    console.log(`tickets indexes before: ${idx.length}; left: ${(await cl.query(`SELECT count(*) n FROM pg_indexes WHERE tablename LIKE 'tickets%'`)).rows[0].n}`);
    await cl.end();
  }
  console.log(`${N} tickets, ${3 * N} timeline entries; ${OPS} tickets per case, batches of ${BATCH}, ${CONC} at once (bulkWrite: ${process.env.BULK_CONC ?? 1})`);

  let next = 0;
  const pick = () => ids[next++ % N]!;
  const only = process.env.CASES?.split(',');
  const run = async (name: string, perTicket: number, op: () => Promise<unknown>, conc = CONC) => {
    if (only && !only.some((k) => name.includes(k))) return;
    const calls = OPS / perTicket;
    const s0 = await pgStats();
    await new Promise((r) => setTimeout(r, 600)); // pg_stat_database is flushed at most every 500 ms
    const a = treeCpu(process.pid);
    const t0 = performance.now();
    let left = calls;
    await Promise.all(Array.from({ length: conc }, async () => {
      while (left-- > 0) await op();
    }));
    const d = cpuDelta(a, treeCpu(process.pid));
    const per = (k: string) => (((d[k] ?? 0) * 1000) / OPS).toFixed(2);
    const wall = ((performance.now() - t0) / 1000).toFixed(1);
    await new Promise((r) => setTimeout(r, 1100));
    const s1 = await pgStats();
    const pgPer = s0 && s1 ? `; per ticket: PG sessions ${((s1.sessions! - s0.sessions!) / OPS).toFixed(2)}, transactions ${((s1.xacts! - s0.xacts!) / OPS).toFixed(2)}` : '';
    console.log(`${name.padEnd(48)} ferretdb ${per('ferretdb')} + postgres ${per('postgres')} + node ${per('node')} ms per ticket; ${wall} s${pgPer}`);
  };
  const version = new Map<string, number>(ids.map((i) => [i, 1]));

  await run('warm-up: findById', 1, () => tickets.findOne({ _id: pick() } as never));
  await run('findById (one ticket per command)', 1, () => tickets.findOne({ _id: pick() } as never));
  // Measured once (2026-11-29): 194 ms of FerretDB CPU per ticket — a full scan per command, filtered in Go.
  if (process.env.WITH_IN === '1') await run(`find _id $in (${BATCH} per command)`, BATCH, () => tickets.find({ _id: { $in: Array.from({ length: BATCH }, pick) } } as never).toArray());
  await run(`${BATCH} findById at once (Promise.all)`, BATCH, () => Promise.all(Array.from({ length: BATCH }, () => tickets.findOne({ _id: pick() } as never))));
  await run('findOneAndUpdate {_id, version}', 1, () => {
    const id = pick();
    const v = version.get(id)!;
    version.set(id, v + 1);
    return tickets.findOneAndUpdate({ _id: id, version: v } as never, { $set: { tier: 2, updatedAt: new Date() }, $inc: { version: 1 } }, { returnDocument: 'after' });
  });
  await run(`bulkWrite of ${BATCH} {_id, version} updates`, BATCH, () => {
    const ops = Array.from({ length: BATCH }, () => {
      const id = pick();
      const v = version.get(id)!;
      version.set(id, v + 1);
      return { updateOne: { filter: { _id: id, version: v }, update: { $set: { tier: 2, updatedAt: new Date() }, $inc: { version: 1 } } } };
    });
    return tickets.bulkWrite(ops as never, { ordered: false });
  }, Number(process.env.BULK_CONC ?? 1));
  await run('updateOne {_id, version}', 1, () => {
    const id = pick();
    const v = version.get(id)!;
    version.set(id, v + 1);
    return tickets.updateOne({ _id: id, version: v } as never, { $set: { tier: 2, updatedAt: new Date() }, $inc: { version: 1 } });
  });
  await run('timeline find {ticketId, visibility} sort at', 1, () => entries.find({ ticketId: pick(), visibility: 'public' } as never).sort({ at: 1 }).limit(500).toArray());
  await run('timeline find {ticketId, visibility} unsorted', 1, () => entries.find({ ticketId: pick(), visibility: 'public' } as never).limit(500).toArray());
  await run('timeline find {ticketId} unsorted', 1, () => entries.find({ ticketId: pick() } as never).toArray());
  if (process.env.WITH_IN === '1') await run(`timeline find ticketId $in (${BATCH})`, BATCH, () => entries.find({ ticketId: { $in: Array.from({ length: BATCH }, pick) }, visibility: 'public' } as never).toArray());
  const facts = c.collection('ticket_facts');
  const withFact: string[] = [];
  await run('ticket_facts insertOne (a ticket\'s first fact)', 1, () => facts.insertOne({ _id: withFact[withFact.push(pick()) - 1], v: 1, deskId: 'it', day: '2026-11-29', number: 'IT-1', status: 'open', priority: 'P3', routed: true } as never));
  let f = 0;
  await run('ticket_facts updateOne {_id, v: {$lt}} (a later fact)', 1, () => {
    const id = withFact[f++ % withFact.length]!;
    const v = (version.get(id) ?? 1) + 1;
    version.set(id, v);
    return facts.updateOne({ _id: id, v: { $lt: v } } as never, { $set: { v, status: 'open', tier: 2, frBreached: true }, $addToSet: { escTiers: 2 } });
  });
  await run(`insertMany ${BATCH} guards`, BATCH, () => c.collection('write_guards').insertMany(Array.from({ length: BATCH }, () => ({ _id: randomUUID(), at: new Date() })) as never[], { ordered: false }));
  await run('insertOne guard', 1, () => c.collection('write_guards').insertOne({ _id: randomUUID(), at: new Date() } as never));

  await admin?.end();
  if (!store) await c.dropDatabase().catch(() => {});
  await c.close();
  await store?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
