/**
 * SLA timer benchmark: N open tickets (default 10,000) whose first-response deadlines fall within a
 * short window, two worker sets (as two worker processes would run) consuming the SLA queue.
 * Every breach is real: the ticket is re-read, the breach recorded (compare-and-set), the ticket
 * escalated to tier 2 (timeline, event, notifier → escalation cards on the delivery queue, new
 * timers). Measures breach lateness (deadline → handled) p50/p99 and escalations per second.
 * Baseline in the same run: the same number of no-op delayed BullMQ jobs with the same deadlines
 * (what BullMQ alone achieves on this machine).
 *
 *   npx tsx bench/sla-timers.ts                       # FerretDB + redis-server started in a temp dir
 *   TICKETS=2000 WINDOW_SECONDS=10 npx tsx bench/sla-timers.ts
 *   MONGODB_URI=mongodb://… REDIS_URL=redis://… npx tsx bench/sla-timers.ts
 *   TRACE=1 npx tsx bench/sla-timers.ts               # also: MongoDB commands per escalation, mean time
 *   CPU_PROFILE=/tmp/sla.cpuprofile npx tsx bench/sla-timers.ts   # V8 CPU profile of the escalation phase
 *   DELIVERY=0 REDIS_TOP=30 npx tsx bench/sla-timers.ts   # without delivery workers; 30 Redis commands listed
 * The tickets are as routing leaves them (a requester conversation and a tier-1 card) on a desk whose
 * tier channels are Slack's: an escalation posts the tier-2 card, edits the tier-1 card and tells the
 * requester in their conversation (3 delivery jobs), with their timelines (opening message, route
 * entry) and, since 2026-11-30, the public log routing leaves on them (BENCH_NO_LOG=1: without).
 * BENCH_NO_LINKS=1 BENCH_ALL_PLATFORMS=1: the
 * bench before 2026-11-29 (third session): no links (a DM per escalation), cards for Teams and
 * Discord channels too, though only Slack runs.
 * Also printed, load-independent: CPU ms per escalation by program of this process tree (node = the
 * workers, ferretdb, postgres, redis) and Redis commands per escalation (INFO commandstats), both
 * over the escalation phase (workers started → end of the run), and delivery jobs run per escalation.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import mongoose from 'mongoose';
import { composeHelpdesk } from '../app/compose.js';
import type { RunningService } from '../app/services/ferretdb.js';
import { startLocalStore } from '../app/services/local-store.js';
import { startRedis } from '../app/services/redis.js';
import type { Platform } from '../core/domain/identity.js';
import type { ChatPlatform } from '../core/ports/chat-platform.port.js';
import type { SlaTimerOutcome } from '../core/use-cases/sla-breach.js';
import { redisClient } from '../jobs/connection.js';
import { createJobsClient, startWorkers } from '../jobs/index.js';
import { slaJobId } from '../jobs/scheduler.js';
import type { Ticket } from '../core/domain/ticket.js';
import { decodeLog } from '../core/store/public-log.codec.js';
import { KeywordKb, testDesk } from '../tests/support/fixtures.js';
import { mongoUriFor } from '../app/services/ferretdb.js';
import { cpuDelta, redisCalls, treeCpu } from './proc-cpu.js';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

const N = Number(process.env.TICKETS ?? 10_000);
const WINDOW_MS = Number(process.env.WINDOW_SECONDS ?? 20) * 1000;
const LEAD_MS = Number(process.env.LEAD_SECONDS ?? 8) * 1000;
const TRACE = process.env.TRACE === '1';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

const noop: ChatPlatform = {
  platform: 'slack',
  capabilities: { ephemeral: true, reactions: true, threads: true, editMessages: true },
  post: async (t) => ({ channel: t.channel, message: randomUUID() }),
  update: async () => {},
  dm: async (p) => ({ channel: `D${p.user}`, message: randomUUID() }),
};

async function main() {
  const started: RunningService[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hd-bench-sla-'));
  chmodSync(tmp, 0o711); // as root, the embedded PostgreSQL runs as `nobody`, which must reach its cluster
  let mongoUrl = process.env.MONGODB_URI;
  if (!mongoUrl) {
    // The local default: FerretDB on an embedded PostgreSQL (HELPDESK_FERRETDB_BACKEND=sqlite for SQLite files).
    const backend = process.env.HELPDESK_FERRETDB_BACKEND === 'sqlite' ? 'sqlite' : 'postgresql';
    const f = await startLocalStore({ dataDir: tmp, backend, postgresqlUrl: process.env.HELPDESK_FERRETDB_POSTGRESQL_URL, ephemeral: true });
    started.push(f);
    mongoUrl = f.url;
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const r = await startRedis();
    started.push(r);
    redisUrl = r.url;
  }
  const prefix = `bench${Date.now()}`;
  console.log(`SLA timers: ${N} tickets, deadlines spread over ${WINDOW_MS / 1000} s, 2 worker sets × SLA concurrency 20`);

  // ---- Baseline: bare BullMQ delayed jobs with the same deadline spread ----
  {
    const conn = redisClient(redisUrl);
    const q = new Queue('baseline', { connection: conn, prefix });
    const late: number[] = [];
    const t0 = Date.now() + LEAD_MS;
    const jobs = Array.from({ length: N }, (_, i) => ({ name: 'x', data: { due: t0 + (i * WINDOW_MS) / N }, opts: { jobId: `b-${i}`, delay: t0 + (i * WINDOW_MS) / N - Date.now(), removeOnComplete: true } }));
    for (let i = 0; i < jobs.length; i += 1000) await q.addBulk(jobs.slice(i, i + 1000));
    const workers = [0, 1].map(() => new Worker('baseline', async (j) => void late.push(Date.now() - j.data.due), { connection: redisClient(redisUrl!), prefix, concurrency: 20 }));
    while (late.length < N) await new Promise((r) => setTimeout(r, 100));
    const span = (t0 + WINDOW_MS) - t0;
    console.log(`baseline (no-op delayed jobs): lateness p50 ${fmt(pct(late, 50))} p99 ${fmt(pct(late, 99))} max ${fmt(Math.max(...late))} (arrival ${(N / (span / 1000)).toFixed(0)}/s)`);
    await Promise.all(workers.map((w) => w.close()));
    await q.obliterate({ force: true });
    await q.close();
    conn.disconnect();
    (globalThis as Record<string, unknown>).baseline = { p50: pct(late, 50), p99: pct(late, 99) };
  }

  // ---- The real thing ----
  const connection = await mongoose.createConnection(mongoUriFor(mongoUrl, `sla_bench_${Date.now()}`), { monitorCommands: TRACE }).asPromise();
  // TRACE=1: MongoDB commands sent during the escalations, by command and collection, with their mean time.
  const trace = new Map<string, { n: number; ms: number }>();
  const started_ = new Map<number, { k: string; t: number }>();
  let tracing = false;
  if (TRACE) {
    const client = connection.getClient();
    client.on('commandStarted', (e) => {
      if (!tracing) return;
      const coll = (e.command as Record<string, unknown>)[e.commandName];
      started_.set(e.requestId, { k: `${e.commandName} ${typeof coll === 'string' ? coll : ''}`.trim(), t: performance.now() });
    });
    const done = (e: { requestId: number }) => {
      const s = started_.get(e.requestId);
      if (!s) return;
      started_.delete(e.requestId);
      const x = trace.get(s.k) ?? { n: 0, ms: 0 };
      x.n += 1;
      x.ms += performance.now() - s.t;
      trace.set(s.k, x);
    };
    client.on('commandSucceeded', done);
    client.on('commandFailed', done);
  }
  // The desk's tier channels are on the platform this bench runs (Slack): the shared test desk also
  // names Teams and Discord channels, which here made two extra card jobs per escalation for
  // platforms not running (queued, rate-limited, then dropped). BENCH_ALL_PLATFORMS=1: as before.
  const shared = testDesk();
  const slackOnly = process.env.BENCH_ALL_PLATFORMS === '1' ? {} : { tiers: shared.tiers.map((t) => ({ ...t, channels: { slack: t.channels.slack! } })) };
  const desk = testDesk({
    ...slackOnly,
    sla: {
      targets: { P1: { firstResponseMinutes: 60, resolutionMinutes: 600 }, P2: { firstResponseMinutes: 60, resolutionMinutes: 600 }, P3: { firstResponseMinutes: 60, resolutionMinutes: 600 }, P4: { firstResponseMinutes: 60, resolutionMinutes: 600 } },
      pauseWhilePending: true,
      warnAtPercent: 0,
      escalateOnBreach: true,
    },
  });
  const client = createJobsClient({ connection: redisUrl, prefix });
  const platforms = new Map<Platform, ChatPlatform>([['slack', noop]]);
  const hd = await composeHelpdesk({ connection, desks: [desk], agents: [], kb: new KeywordKb([]), platforms, delivery: () => client.delivery });

  // The tickets' timelines as opening and routing leave them (the opening message and the route
  // entry), written before the clock of the deadlines starts.
  const ids = Array.from({ length: N }, () => randomUUID());
  const opened = new Date();
  const entries = ids.flatMap((ticketId, i) => [
    { _id: randomUUID(), ticketId, at: opened, kind: 'message', actor: { kind: 'person', identity: { platform: 'slack', workspace: 'T1', user: `U${i}` } }, visibility: 'public', text: `bench ${i}` },
    { _id: randomUUID(), ticketId, at: opened, kind: 'status', actor: { kind: 'system', reason: 'no-suggestion' }, visibility: 'public', text: '', event: 'route' },
  ]);
  for (let i = 0; i < entries.length; i += 1000) await connection.collection('timeline').insertMany(entries.slice(i, i + 1000) as never[]);
  const tIns = Date.now();
  const t0 = tIns + LEAD_MS + N / 2; // a little extra lead per ticket for inserting and scheduling
  const now = new Date();
  const noLinks = process.env.BENCH_NO_LINKS === '1';
  const docs = Array.from({ length: N }, (_, i) => {
    const due = new Date(t0 + Math.floor((i * WINDOW_MS) / N));
    return {
      _id: ids[i]!, seq: 1001 + i, number: `IT-${1001 + i}`, deskId: 'it', idempotencyKey: `bench-${i}`,
      requester: { platform: 'slack', workspace: 'T1', user: `U${i}` }, subject: `bench ${i}`, description: `bench ${i}`,
      // As a routed ticket is: the requester's conversation (the DM that told them it was routed)
      // and the tier-1 card. Without them (BENCH_NO_LINKS=1, the old bench) every escalation also
      // opened a DM (a ticket read, a link write, a catch-up read) and had no card to update.
      priority: 'P3', status: 'open', tier: 1, links: noLinks ? [] : [
        { platform: 'slack', workspace: 'T1', channel: `D${i}`, role: 'requester' },
        { platform: 'slack', workspace: 'T1', channel: 'C_TIER1', message: `1700000000.${String(i).padStart(6, '0')}`, role: 'triage', tier: 1 },
      ], sla: { firstResponseDueAt: due, resolutionDueAt: new Date(t0 + 3600_000) },
      // Routing's status entry, carried on the ticket since 2026-11-30 (core/domain/public-log.ts;
      // code before that ignores the field; stored as core/store/public-log.codec.ts encodes it). BENCH_NO_LOG=1: tickets without it (read the timeline).
      ...(process.env.BENCH_NO_LOG === '1' ? {} : { publicLog: JSON.stringify([[now.getTime(), 'status', 'Helpdesk', '', 'route']]) }),
      createdAt: now, updatedAt: now, version: process.env.BENCH_SNAPSHOT === 'old' ? 2 : 1,
    };
  });
  for (let i = 0; i < N; i += 1000) await connection.collection('tickets').insertMany(docs.slice(i, i + 1000) as never[]);
  // Each timer carries the ticket as the scheduler plans it from (jobs/scheduler.ts `slaChain`,
  // since 2026-11-30, sixth session; older code ignores it): BENCH_SNAPSHOT=0 without it (every
  // escalation reads its ticket), BENCH_SNAPSHOT=old with a copy one version behind (as after a
  // write that changed the ticket without a new plan: the tickets are stored at version 2 with the
  // write guard of version 1 taken, as that write leaves them; every escalation's first try loses,
  // then reads).
  const snapshots = process.env.BENCH_SNAPSHOT ?? '1';
  // (Imported at run time: the same bench file runs against code without it.)
  const encodeTicket = await import('../core/domain/ticket-snapshot.js').then((m) => m.encodeTicket as (t: Ticket) => string | undefined, () => () => undefined);
  const timers = docs.map((d) => {
    const dueAt = d.sla.firstResponseDueAt.getTime();
    const { _id, seq: _seq, publicLog, ...rest } = d as typeof d & { publicLog?: string };
    const ticket = { ...rest, id: _id, ...(publicLog ? { publicLog: decodeLog(publicLog) } : {}), ...(snapshots === 'old' ? { version: 1 } : {}) } as unknown as Ticket;
    const known = snapshots === '0' ? undefined : encodeTicket(ticket);
    const data = { ticketId: d._id, target: 'firstResponse' as const, stage: 'breach' as const, dueAt, tier: 1, ...(known ? { known } : {}) };
    return { name: 'firstResponse.breach', data, opts: { jobId: slaJobId(data), delay: dueAt - Date.now() } };
  });
  if (snapshots === 'old') {
    const guards = docs.map((d) => ({ _id: `ticket:${d._id}:1`, at: now }));
    for (let i = 0; i < N; i += 1000) await connection.collection('write_guards').insertMany(guards.slice(i, i + 1000) as never[]);
  }
  for (let i = 0; i < N; i += 1000) await client.queues.sla.addBulk(timers.slice(i, i + 1000));
  const ready = Date.now();
  console.log(`inserted and scheduled ${N} tickets in ${((ready - tIns) / 1000).toFixed(1)} s; first deadline in ${((t0 - ready) / 1000).toFixed(1)} s`);
  if (ready > t0) console.log('WARNING: scheduling ended after the first deadline; raise LEAD_SECONDS');

  const stats = redisClient(redisUrl);
  const profile = process.env.CPU_PROFILE ? new Session() : undefined;
  if (profile) {
    profile.connect();
    await profile.post('Profiler.enable');
    await profile.post('Profiler.setSamplingInterval', { interval: 1000 });
    await profile.post('Profiler.start');
  }
  const cpu0 = treeCpu(process.pid);
  const redis0 = redisCalls(await stats.info('commandstats'));
  tracing = true;
  let deliveryRuns = 0;
  const late: number[] = [];
  const escalatedAt: number[] = [];
  const failures: string[] = [];
  let stale = 0;
  let finalFailures = 0;
  const sets = [];
  for (let k = 0; k < 2; k++) {
    // Only the first set subscribes the scheduler (new tier-2 timers), like one process per set.
    // DELIVERY=0: no delivery workers (the SLA side's own cost; the delivery jobs stay queued).
    const only = process.env.DELIVERY === '0' ? { only: ['sla', 'automation'] as Array<'sla' | 'automation'> } : {};
    const w = await startWorkers({ connection: redisUrl, prefix, deps: hd.deps, platforms, attachScheduler: k === 0, schedulers: false, slaConcurrency: 20, ...only });
    const sla = w.workers.find((x) => x.name === 'sla')!;
    w.workers.find((x) => x.name === 'delivery')?.on('active', () => void deliveryRuns++);
    sla.on('completed', (_job, rv: SlaTimerOutcome | 'moot') => {
      if (rv === 'moot' || rv.outcome !== 'breached') stale++;
      if (rv !== 'moot' && rv.outcome === 'breached' && rv.firstTime) {
        late.push(rv.lateMs);
        if (rv.escalated) escalatedAt.push(Date.now());
      }
    });
    sla.on('failed', (job, err) => {
      failures.push(`${job?.id}: ${err.message}`);
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) finalFailures++;
      if (failures.length <= 3) console.log(`  failed attempt ${job?.id}: ${err.message}`);
    });
    sets.push(w);
  }
  // Bounded run time: what is not handled by then is reported as backlog.
  const deadline = Date.now() + WINDOW_MS + Number(process.env.MAX_SECONDS ?? 150) * 1000;
  let lastLog = Date.now();
  while (late.length + stale + finalFailures < N && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    if (Date.now() - lastLog > 5000) {
      console.log(`  … ${late.length}/${N} breaches handled (${stale} stale, ${failures.length} failed attempts)`);
      lastLog = Date.now();
    }
  }
  const cpu = cpuDelta(cpu0, treeCpu(process.pid));
  const redis1 = redisCalls(await stats.info('commandstats'));
  if (profile) {
    const { profile: p } = await profile.post('Profiler.stop');
    writeFileSync(process.env.CPU_PROFILE!, JSON.stringify(p));
    profile.disconnect();
  }
  if (late.length + stale + finalFailures < N) console.log(`  stopped after the time bound: ${N - late.length - stale - finalFailures} deadlines still waiting (backlog)`);
  const first = Math.min(...escalatedAt);
  const last = Math.max(...escalatedAt);
  const arrival = N / (WINDOW_MS / 1000);
  const base = (globalThis as Record<string, unknown>).baseline as { p50: number; p99: number };
  console.log(`SLA breach → escalation: ${late.length} breaches, ${escalatedAt.length} escalations, ${stale} stale, ${failures.length} failed attempts (retried)`);
  console.log(`  lateness p50 ${fmt(pct(late, 50))} p99 ${fmt(pct(late, 99))} max ${fmt(Math.max(...late))} (deadline arrival ${arrival.toFixed(0)}/s)`);
  console.log(`  escalations/s sustained: ${(escalatedAt.length / Math.max(0.001, (last - first) / 1000)).toFixed(0)} (first→last escalation ${((last - first) / 1000).toFixed(1)} s)`);
  console.log(`  vs baseline: p50 ×${(pct(late, 50) / Math.max(1, base.p50)).toFixed(1)}, p99 ×${(pct(late, 99) / Math.max(1, base.p99)).toFixed(1)}`);
  {
    const per = (x: number) => (x / Math.max(1, escalatedAt.length)).toFixed(1);
    const progs = ['node', 'ferretdb', 'postgres', 'redis'];
    const ms = progs.map((k) => per((cpu[k] ?? 0) * 1000));
    const total = per(progs.reduce((a, k) => a + (cpu[k] ?? 0) * 1000, 0));
    console.log(`  CPU ms per escalation (node / ferretdb / postgres / redis): ${ms.join(' / ')} = ${total}  (load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
    const top = [...redis1.by].map(([k, v]) => [k, v - (redis0.by.get(k) ?? 0)] as const).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, process.env.REDIS_TOP ? Number(process.env.REDIS_TOP) : 8);
    console.log(`  Redis commands per escalation: ${per(redis1.total - redis0.total - 2)} (${top.map(([k, v]) => `${k} ${per(v)}`).join(', ')}); delivery jobs run per escalation: ${per(deliveryRuns)}`);
  }
  stats.disconnect();
  if (TRACE) {
    tracing = false;
    console.table([...trace].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => ({ command: k, per_escalation: (v.n / Math.max(1, escalatedAt.length)).toFixed(2), mean_ms: (v.ms / v.n).toFixed(1) })));
  }
  const delivery = await client.queues.delivery.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed');
  console.log(`  delivery queue after: ${JSON.stringify(delivery)}`);

  for (const s of sets) await s.close(true);
  await client.close();
  await connection.dropDatabase().catch(() => {});
  await connection.close();
  for (const s of started.reverse()) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
