/**
 * Reports benchmark: TICKETS tickets (default 100,000) over DAYS days (default 150) across 5 desks,
 * each with its timeline (2 entries) and its ticket fact, then the 30-day report of one desk through
 * the one report code path (core/use-cases/desk-metrics-report.ts: ticket facts read with a bounded
 * projection, computed in process). Baseline in the same run: a naive full scan — every ticket
 * document read, filtered and its business-hours times computed at request time.
 * The data is bulk-inserted (insertMany in batches) for speed; facts are derived from each ticket by
 * the same `factWrite` the event subscriber uses. Backend: FerretDB 1.24 on the embedded PostgreSQL
 * (the local default), started in a temp dir, unless MONGODB_URI is set.
 *
 *   npx tsx bench/reports.ts
 *   TICKETS=20000 RUNS=10 npx tsx bench/reports.ts
 */
import { randomUUID } from 'node:crypto';
import { Session } from 'node:inspector/promises';
import { isDeepStrictEqual } from 'node:util';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { RedisQueueIndex } from '../adapters/web/console/queue-index.redis.js';
import { startRedis } from '../app/services/redis.js';
import { encodeDay, entriesOf, ReportDays } from '../core/store/report-days.store.js';
import { loadDeskFile } from '../app/config/load-desk-file.js';
import { startLocalStore } from '../app/services/local-store.js';
import { businessMsBetween } from '../core/domain/business-hours.js';
import type { Desk } from '../core/domain/desk.js';
import { dayIn, daysBetween, factWrite } from '../core/domain/ticket-fact.js';
import { PRIORITIES, type Ticket } from '../core/domain/ticket.js';
import { MongoDirectory } from '../core/store/mongo-directory.js';
import { MongoTicketStore } from '../core/store/mongo-ticket-store.js';
import { MongoReportStore, ticketFactModel } from '../core/store/ticket-fact.store.js';
import { deskMetrics, type ReportDeps } from '../core/use-cases/desk-metrics-report.js';
import { percentile, timeStats } from '../core/use-cases/desk-metrics.js';
import { gapTerms } from '../kb/gap-terms.js';
import { mongoUriFor } from '../app/services/ferretdb.js';

const TICKETS = Number(process.env.TICKETS ?? 100_000);
const DAYS = Number(process.env.DAYS ?? 150);
const RUNS = Number(process.env.RUNS ?? 20);
const NAIVE_RUNS = Number(process.env.NAIVE_RUNS ?? 3);
const BATCH = 1000;

const base = loadDeskFile(path.resolve(import.meta.dirname, '../helpdesk.example.yaml'));
const it = base.desks.find((d) => d.id === 'it')!;
const desks: Desk[] = ['it', 'hr', 'fin', 'ops', 'cs'].map((id) => ({ ...it, id, prefix: id.toUpperCase() }));
const CHANNELS = ['slack', 'teams', 'discord', 'web', 'email'] as const;
const WORDS = ['vpn', 'printer', 'password', 'laptop', 'email', 'wifi', 'badge', 'payroll', 'invoice', 'monitor', 'drops', 'broken', 'slow', 'locked', 'reset'];

let seed = 42;
const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

function synthTicket(i: number, now: number): { t: Ticket; desk: Desk; tl: object[] } {
  const desk = desks[i % desks.length]!;
  const created = new Date(now - rnd() * DAYS * 86_400_000);
  const selfServed = rnd() < 0.25;
  const answered = !selfServed && rnd() < 0.9;
  const fr = answered ? new Date(created.getTime() + rnd() * 8 * 3_600_000) : undefined;
  const resolved = answered && rnd() < 0.8 ? new Date(fr!.getTime() + rnd() * 48 * 3_600_000) : undefined;
  const agent = pick(['ana', 'ben', 'cho', 'dev']);
  const subject = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ticket ${i}`;
  const id = randomUUID();
  const t: Ticket = {
    id,
    deskId: desk.id,
    number: `${desk.prefix}-${1000 + i}`,
    idempotencyKey: `bench-${i}`,
    requester: { platform: pick(CHANNELS), workspace: 'W', user: `U${i % 5000}` },
    subject,
    description: `${subject}. It started this morning and I tried restarting twice.`,
    category: pick(['access', 'network', 'email', 'hardware', 'software', undefined]),
    priority: pick(PRIORITIES),
    status: selfServed ? 'self_service' : resolved ? (rnd() < 0.5 ? 'closed' : 'resolved') : answered ? 'claimed' : 'open',
    tier: rnd() < 0.1 ? 2 : 1,
    ...(answered ? { assignee: { platform: 'slack', workspace: 'W', user: agent }, assigneeAgentId: agent } : {}),
    links: [],
    sla: { ...(fr ? { firstRespondedAt: fr } : {}), ...(rnd() < 0.05 ? { firstResponseBreachedAt: created } : {}) },
    ...(resolved && rnd() < 0.4 ? { csat: { score: (1 + Math.floor(rnd() * 5)) as 1, at: resolved, ...(rnd() < 0.3 ? { comment: 'thanks, that was quick' } : {}) } } : {}),
    ...(selfServed ? { deflectedBy: pick(['vpn-reset', 'printer-jam', 'password-reset']) } : {}),
    ...(rnd() < 0.6 ? { suggestedArticles: ['vpn-reset', 'printer-jam'] } : {}),
    createdAt: created,
    updatedAt: resolved ?? fr ?? created,
    ...(answered ? { claimedAt: fr } : {}),
    ...(resolved ? { resolvedAt: resolved } : {}),
    version: 5,
  };
  const tl = [
    { _id: randomUUID(), ticketId: id, at: created, kind: 'message', actor: { kind: 'person', identity: t.requester }, visibility: 'public', text: t.description },
    { _id: randomUUID(), ticketId: id, at: t.updatedAt, kind: 'system', actor: { kind: 'system', reason: 'bench' }, visibility: 'internal', text: `status ${t.status}` },
  ];
  return { t, desk, tl };
}

const ms = (t0: number) => performance.now() - t0;

/** Format of the day documents in a kept store (4: one string per day, see core/store/report-days.store.ts). */
const DAYS_FORMAT = 4;

/** Rewrites the day documents of every writer stored with entry documents (`f`) as one string (`b`). */
async function reencodeDays(conn: mongoose.Connection): Promise<number> {
  const writers = (await conn.collection('report_writers').find({}).toArray()) as unknown as Array<{ deskId?: string; w?: string; firstDay?: string; lastDay?: string }>;
  const ids = writers.filter((w) => w.deskId && w.w && w.firstDay && w.lastDay).flatMap((w) => daysBetween(w.firstDay!, w.lastDay!).map((day) => `${w.deskId}:${day}#${w.w}`));
  let n = 0;
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids.slice(i, i + 8).map(async (_id) => {
        const d = (await conn.collection('report_days').findOne({ _id } as never, { projection: { f: 1, b: 1 } })) as Parameters<typeof entriesOf>[0];
        if (!d?.f) return;
        await conn.collection('report_days').updateOne({ _id } as never, { $set: { b: encodeDay(entriesOf(d)) }, $unset: { f: '' } });
        n++;
      }),
    );
  }
  return n;
}

interface CpuProfile {
  nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
}

/** Top functions by self time in a V8 CPU profile, as "share  function  file:line". */
function summariseProfile(p: CpuProfile, top = 12): string[] {
  const total = p.samples.length;
  const by = new Map<string, number>();
  for (const n of p.nodes) {
    const url = n.callFrame.url.split('/node_modules/').pop()!.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}${url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    by.set(key, (by.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}
const stops: Array<() => Promise<void>> = [];

async function main() {
  // KEEP_DIR=/some/dir keeps the seeded store there, so a second run measures without seeding again.
  const keep = process.env.KEEP_DIR;
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = process.env.MONGODB_URI ? undefined : (keep ?? mkdtempSync(path.join(os.tmpdir(), 'hd-bench-reports-')));
  if (dir) chmodSync(dir, 0o711);
  const local = dir ? await startLocalStore({ dataDir: dir, backend: 'postgresql' }) : undefined;
  const uri = process.env.MONGODB_URI ?? mongoUriFor(local!.url, `bench_reports_${keep ? `keep_${TICKETS}` : Date.now()}`);
  const conn = await mongoose.createConnection(uri).asPromise();
  console.log(`backend: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'FerretDB 1.24 on embedded PostgreSQL (local default)'}; ${TICKETS} tickets over ${DAYS} days, ${desks.length} desks`);
  try {
    const reports = new MongoReportStore(conn);
    const store = new MongoTicketStore(conn);
    await store.init();
    await ticketFactModel(conn).init();
    const directory = new MongoDirectory(conn, desks);
    await directory.syncAgents(base.agents);
    // Agents' current load from the console's Redis queue index (as the web runtime passes it).
    const redisServer = process.env.REDIS_URL ? undefined : await startRedis();
    const redis = new Redis(process.env.REDIS_URL ?? redisServer!.url, { maxRetriesPerRequest: null });
    const index = new RedisQueueIndex(redis, `bench-reports-${Date.now()}:`);
    stops.push(async () => {
      await redis.quit();
      await redisServer?.stop();
    });
    const deps: ReportDeps = { reports, directory, store, terms: (t) => gapTerms(t), load: (ids) => index.load(ids) };
    const exactDeps: ReportDeps = { reports, directory, store, terms: (t) => gapTerms(t) };
    const active: Ticket[] = [];
    const allFacts: Array<Record<string, unknown> & { _id: string; deskId: string; day: string; v: number }> = [];

    const seeded = keep ? ((await conn.collection('bench_marker').findOne({ _id: 'seeded' } as never)) as { now: number } | null) : null;
    const now = seeded?.now ?? Date.now();
    const t0 = performance.now();
    for (let i = 0; !seeded && i < TICKETS; i += BATCH) {
      const tickets: object[] = [];
      const facts: Array<Record<string, unknown> & { _id: string; deskId: string; day: string; v: number }> = [];
      const timeline: object[] = [];
      for (let j = i; j < Math.min(TICKETS, i + BATCH); j++) {
        const { t, desk, tl } = synthTicket(j, now);
        const { id, ...doc } = t;
        tickets.push({ _id: id, ...doc });
        timeline.push(...tl);
        const w = factWrite({ type: 'ticket.resolved', ticket: t, actor: { kind: 'system', reason: 'bench' }, at: t.updatedAt }, desk);
        const { ticketId, ...snap } = w.snapshot;
        const { escTier, claimer, ...flags } = w.flags;
        if (['open', 'claimed', 'pending'].includes(t.status)) active.push(t);
        facts.push({ _id: ticketId, ...snap, ...flags, ...(t.assigneeAgentId ? { claimers: [t.assigneeAgentId], firstResponder: t.sla.firstRespondedAt ? t.assigneeAgentId : undefined } : {}), ...(t.tier > 1 ? { escTiers: [2] } : {}), ...(!t.suggestedArticles && !t.deflectedBy ? { kbGap: 'none', q: t.subject } : {}) });
        void escTier;
        void claimer;
      }
      allFacts.push(...facts);
      await Promise.all([conn.collection('tickets').insertMany(tickets as never[]), conn.collection('timeline').insertMany(timeline as never[]), conn.collection('ticket_facts').insertMany(facts as never[])]);
      if ((i / BATCH) % 20 === 0) process.stdout.write(`  seeded ${i + BATCH}\r`);
    }
    // The per desk-day read model as one process (one writer) would have written it.
    if (!seeded) await reports.days.insert(ReportDays.docsFromFacts(allFacts, 'bench'));
    if (seeded) for await (const t of conn.collection('tickets').find({ status: { $in: ['open', 'claimed', 'pending'] } })) active.push({ ...(t as unknown as Ticket), id: String(t._id) });
    if (keep && !seeded) await conn.collection('bench_marker').insertOne({ _id: 'seeded', now, daysFormat: DAYS_FORMAT } as never);
    await index.rebuild((async function* () {
      yield* active;
    })());
    if (seeded && (seeded as { daysFormat?: number }).daysFormat !== DAYS_FORMAT) {
      // A store kept from before entries were stored as strings: re-encode its day documents once.
      const s = performance.now();
      const n = await reencodeDays(conn);
      await conn.collection('bench_marker').updateOne({ _id: 'seeded' } as never, { $set: { daysFormat: DAYS_FORMAT } });
      console.log(`re-encoded ${n} day documents of the kept store (one string per day) in ${(ms(s) / 1000).toFixed(1)} s`);
    }
    if (seeded) console.log(`reusing the store seeded in ${keep} (${TICKETS} tickets)`);
    else console.log(`seeded ${TICKETS} tickets, ${2 * TICKETS} timeline entries, ${TICKETS} facts in ${(ms(t0) / 1000).toFixed(1)} s`);

    const tz = it.businessHours.timezone;
    const toDay = dayIn(new Date(now), tz);
    const fromDay = dayIn(new Date(now - 29 * 86_400_000), tz);

    if (process.env.PROFILE) {
      for (const [name, f] of [
        ['facts (per desk-day read model)', () => reports.facts('it', fromDay, toDay)],
        ['day documents, 30 findOne by _id in parallel', () => Promise.all(Array.from({ length: 30 }, (_, k) => conn.collection('report_days').findOne({ _id: `it:${dayIn(new Date(now - k * 86_400_000), tz)}#bench` } as never)))],
        ['day documents, one find _id $in', () => conn.collection('report_days').find({ _id: { $in: Array.from({ length: 30 }, (_, k) => `it:${dayIn(new Date(now - k * 86_400_000), tz)}#bench`) } } as never).toArray()],
        ['one findOne by _id', () => conn.collection('report_days').findOne({ _id: `it:${toDay}#bench` } as never)],
        ['facts (ticket_facts, exact path)', () => reports.exactFacts('it', fromDay, toDay)],
        ['load (Redis queue index)', () => index.load(['ana', 'ben', 'cho', 'dev'])],
        ['kbAnswers', () => reports.kbAnswers('it', new Date(now - 31 * 86_400_000), new Date(now))],
        ['agentsOf', () => directory.agentsOf('it')],
        ['activeLoad', () => store.activeLoad(['ana', 'ben'])],
        ['facts per day eq', () => Promise.all(Array.from({ length: 30 }, (_, k) => conn.collection('ticket_facts').find({ deskId: 'it', day: dayIn(new Date(now - k * 86_400_000), tz) }, { projection: { _id: 0, number: 1, frBms: 1 } }).toArray()))],
      ] as const) {
        const s = performance.now();
        await f().catch((e: Error) => console.log(`  ${name} failed: ${e.message.slice(0, 120)}`));
        console.log(`  ${name} ${ms(s).toFixed(0)} ms`);
      }
    }
    if (process.env.PROFILE) {
      // Where the time of a report goes in this process: V8's sampling profile of 5 runs (not the timed ones).
      const session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      const s = performance.now();
      for (let r = 0; r < 5; r++) await deskMetrics(deps, 'it', fromDay, toDay);
      const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
      session.disconnect();
      console.log(`  CPU profile of 5 reports (${(ms(s) / 5).toFixed(0)} ms each, profiled), self time:`);
      for (const line of summariseProfile(profile)) console.log(`    ${line}`);
    }
    const times: number[] = [];
    let last;
    for (let r = 0; r < RUNS + 2; r++) {
      const s = performance.now();
      last = await deskMetrics(deps, 'it', fromDay, toDay);
      if (r >= 2) times.push(ms(s)); // two warm-up runs
    }
    times.sort((a, b) => a - b);
    // The exact path (one document per ticket, load aggregated over tickets) once: same figures?
    const se = performance.now();
    const exact = await deskMetrics(exactDeps, 'it', fromDay, toDay, { exact: true });
    const exactMs = ms(se);
    const same = isDeepStrictEqual(exact, last);
    console.log(`exact path (ticket_facts + load aggregation): ${exactMs.toFixed(0)} ms, 1 run; figures ${same ? 'IDENTICAL' : 'DIFFER'} to the read model's`);
    if (!same) process.exitCode = 1;
    console.log(`report (per desk-day read model): 30 days of desk it = ${last!.volume.total} tickets; p50 ${percentile(times, 50)!.toFixed(0)} ms, p95 ${percentile(times, 95)!.toFixed(0)} ms over ${RUNS} runs`);

    // Naive baseline: read every ticket, keep the desk's period, compute business-hours times now.
    const naive: number[] = [];
    let naiveTotal = 0;
    for (let r = 0; r < NAIVE_RUNS; r++) {
      const s = performance.now();
      const all = await conn.collection('tickets').find({}).toArray();
      const from = new Date(`${fromDay}T00:00:00Z`).getTime() - 86_400_000;
      const mine = all.filter((t) => t.deskId === 'it' && new Date(t.createdAt as Date).getTime() >= from && dayIn(new Date(t.createdAt as Date), tz) >= fromDay && dayIn(new Date(t.createdAt as Date), tz) <= toDay);
      const fr: number[] = [];
      for (const t of mine) {
        const sla = t.sla as { firstRespondedAt?: Date };
        if (sla.firstRespondedAt) fr.push(businessMsBetween(new Date(t.createdAt as Date), new Date(sla.firstRespondedAt), it.businessHours));
      }
      naiveTotal = mine.length;
      void timeStats(fr);
      naive.push(ms(s));
    }
    naive.sort((a, b) => a - b);
    if (!NAIVE_RUNS) return; // NAIVE_RUNS=0: the report alone (alternating before/after runs)
    console.log(`naive full scan (every ticket read, times computed at request): ${naiveTotal} tickets; p50 ${percentile(naive, 50)!.toFixed(0)} ms over ${NAIVE_RUNS} runs`);
    console.log(`ratio naive p50 / report p50: ${(percentile(naive, 50)! / percentile(times, 50)!).toFixed(1)}×`);
    if (last!.volume.total !== naiveTotal) console.log(`WARNING: the two counts differ (${last!.volume.total} vs ${naiveTotal})`);
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    if (!keep) await conn.dropDatabase().catch(() => {});
    await conn.close();
    await local?.stop();
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
