/**
 * Email intake benchmark: RATE messages/s offered for DURATION_S seconds to the SMTP listener (open
 * loop, loopback, a real SMTP client: nodemailer, pooled). Every 10th message answers an earlier one
 * (In-Reply-To/References), the rest are new requests. Measures the SMTP transaction time (sendMail
 * start → 250) p50/p99, then waits until the inbound worker has processed everything and counts:
 * each accepted message must be exactly one new ticket or one follow-up. Baseline: a bare
 * `smtp-server` that accepts and discards the same stream, measured first in the same run.
 *
 *   npx tsx bench/email-intake.ts                      # local PostgreSQL-backed FerretDB + redis-server in a temp dir
 *   RATE=100 DURATION_S=30 npx tsx bench/email-intake.ts
 *   MONGODB_URI=mongodb://… REDIS_URL=redis://… npx tsx bench/email-intake.ts
 *   SPLIT=1 npx tsx bench/email-intake.ts              # listener in its own process (role web), workers here (role worker)
 *   SPLIT=1 PROFILE=1 npx tsx bench/email-intake.ts    # + a CPU profile of the listener process: top functions by self time
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createEmailAdapter } from '../adapters/email/email.adapter.js';
import { createInboundQueue } from '../adapters/email/email.inbound-queue.js';
import { createSmtpListener } from '../adapters/email/email.listener.js';
import { EmailStats } from '../adapters/email/email.stats.js';
import { MailTokens } from '../adapters/email/email.tokens.js';
import type { InboundOutcome } from '../adapters/email/email.inbound.js';
import { composeHelpdesk } from '../app/compose.js';
import { startLocalStore } from '../app/services/local-store.js';
import { startRedis } from '../app/services/redis.js';
import { silentLogger } from '../core/ports/logger.port.js';
import { createJobsClient, redisClient, startWorkers } from '../jobs/index.js';
import { KeywordKb, testDesk } from '../tests/support/fixtures.js';
import { mongoUriFor } from '../app/services/ferretdb.js';

const RATE = Number(process.env.RATE ?? 100);
const DURATION_S = Number(process.env.DURATION_S ?? 30);
const DESK = 'it@bench.test';
const DRAIN_S = Number(process.env.DRAIN_S ?? 300);
const N = Math.round(RATE * DURATION_S);
const SPLIT = process.env.SPLIT === '1';
const PROFILE = process.env.PROFILE === '1';
const SECRET = 'bench-signing-secret-0123456789abcdef';

/**
 * Role `web` alone (SPLIT=1): the SMTP listener and its BullMQ queue, nothing else in this process —
 * what answers 250 in a split deployment. Started by the parent with BENCH_ROLE=listener.
 */
async function listenerProcess() {
  const redis = redisClient(process.env.BENCH_REDIS!);
  const queue = createInboundQueue(redis, process.env.BENCH_PREFIX!);
  const listener = createSmtpListener({ host: '127.0.0.1', port: 0, maxBytes: 25 * 1024 * 1024, addresses: new Set([DESK]), tokens: new MailTokens(SECRET), queue, log: silentLogger, stats: new EmailStats() });
  // How long the one awaited step before `250` takes: the BullMQ add (a Redis round trip).
  const adds: number[] = [];
  const add = queue.add.bind(queue);
  queue.add = (async (...args: Parameters<typeof add>) => {
    const t0 = performance.now();
    const job = await add(...args);
    adds.push(performance.now() - t0);
    return job;
  }) as typeof queue.add;
  await queue.waitUntilReady();
  const port = await listener.listen();
  // CPU profile of the offered run only (not of start-up): V8's sampling profiler through the inspector.
  const session = PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  process.send!({ port });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    void (async () => {
      const profile = session ? ((await session.post('Profiler.stop')) as { profile: CpuProfile }).profile : undefined;
      await listener.close();
      await queue.close();
      await redis.quit();
      process.send!({ adds: { n: adds.length, p50: pct(adds, 50), p99: pct(adds, 99), max: Math.max(...adds) }, profile: profile ? summariseProfile(profile) : undefined }, () => process.exit(0));
    })();
  });
}

interface CpuProfile {
  nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
}

/** Top functions by self time in a .cpuprofile (V8's sampling profile), as "share  function  file:line". */
function summariseProfile(p: CpuProfile, top = 15): string[] {
  const total = p.samples.length;
  const by = new Map<string, number>();
  for (const n of p.nodes) {
    const url = n.callFrame.url.split('/node_modules/').pop()!.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}${url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    by.set(key, (by.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');

/** Offers N messages at RATE/s to `port`; returns transaction times of accepted ones and the failures. */
async function offer(port: number) {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 20, maxMessages: Infinity });
  // Warm-up (not measured): open the pool's connections.
  await Promise.all(Array.from({ length: 20 }, (_, i) => client.sendMail({ from: `warm${i}@customer.test`, to: DESK, subject: 'warm-up', text: `warm-up ${i}`, messageId: `<warm${i}.${port}.${process.pid}@customer.test>` })));
  const times: number[] = [];
  let failed = 0;
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const user = `u${Math.floor(i / 10) * 10}`; // every 10th message (i % 10 === 5) answers the group's first
    const reply = i % 10 === 5;
    const t0 = performance.now();
    pending.push(
      client
        .sendMail({
          from: `${user}@customer.test`,
          to: DESK,
          subject: reply ? 'Re: printer' : `Printer ${i} is jammed`,
          messageId: `<m${i}.${process.pid}@customer.test>`,
          ...(reply ? { inReplyTo: `<m${i - 5}.${process.pid}@customer.test>`, references: [`<m${i - 5}.${process.pid}@customer.test>`] } : {}),
          text: `Request ${i}: the printer on floor ${i % 7} shows error E${i % 13}.`,
        })
        .then(
          () => void times.push(performance.now() - t0),
          () => void failed++,
        ),
    );
  }
  await Promise.all(pending);
  client.close();
  return { times, failed, seconds: (performance.now() - start) / 1000 };
}

type Counts = { opened: number; followups: number; other: number };

/** Core, the inbound worker and the delivery workers (role worker; with `listen`, also the listener: role all). */
async function helpdesk(mongoUri: string, redisUrl: string, prefix: string, tmp: string, listen: boolean) {
  const connection = await mongoose.createConnection(mongoUri).asPromise();
  const jobs = createJobsClient({ connection: redisUrl, prefix });
  const composed = await composeHelpdesk({ connection, desks: [testDesk({ channels: { email: { address: DESK } } })], agents: [], kb: new KeywordKb([]), delivery: () => jobs.delivery });
  const redis = redisClient(redisUrl);
  const counts: Counts = { opened: 0, followups: 0, other: 0 };
  const email = await createEmailAdapter({
    helpdesk: composed.helpdesk, store: composed.store, directory: composed.directory, delivery: composed.delivery, redis, prefix, log: silentLogger,
    signingSecret: SECRET, outboxDir: path.join(tmp, 'outbox'), smtp: { host: '127.0.0.1', port: 0, maxBytes: 25 * 1024 * 1024 },
    autoRepliesPerHour: 1000,
    onOutcome: (o: InboundOutcome) => void (o.kind === 'opened' ? counts.opened++ : o.kind === 'followup' ? counts.followups++ : counts.other++),
  });
  composed.platforms.set('email', email.platform);
  const port = listen ? await email.listen() : undefined;
  email.work(10);
  const workers = await startWorkers({ connection: redisUrl, prefix, deps: composed.deps, platforms: composed.platforms, idempotency: composed.idempotency, log: silentLogger });
  return {
    port,
    counts,
    tickets: () => connection.collection('tickets').countDocuments(),
    async stop() {
      await email.stop();
      await workers.close();
      await jobs.close();
      await redis.quit();
      await connection.close();
    },
  };
}

/** Role worker in its own process (SPLIT=1): reports its counts to the parent every 200 ms. */
async function workerProcess() {
  const hd = await helpdesk(process.env.BENCH_MONGO!, process.env.BENCH_REDIS!, process.env.BENCH_PREFIX!, process.env.BENCH_TMP!, false);
  const timer = setInterval(() => process.send!({ counts: hd.counts }), 200);
  process.send!({ ready: true });
  process.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    void hd.stop().then(() => process.send!({ counts: hd.counts }, () => process.exit(0)));
  });
}

/** The bare baseline server in its own process (SPLIT=1), so it runs under the same conditions as the listener. */
async function bareProcess() {
  const bare = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, onData: (st, _x, cb) => { st.on('data', () => {}); st.on('end', () => cb()); } });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  process.send!({ port: (bare.server.address() as AddressInfo).port });
  process.on('message', (m) => m === 'stop' && bare.close(() => process.exit(0)));
}

function child(role: string, env: Record<string, string>) {
  const c = fork(process.argv[1]!, [], { env: { ...process.env, BENCH_ROLE: role, ...env } });
  const first = new Promise<{ port?: number }>((resolve, reject) => {
    c.once('message', (m) => resolve(m as { port?: number }));
    c.once('exit', (code) => reject(new Error(`${role} process exited (${code})`)));
  });
  const stop = async () => {
    const exited = new Promise((r) => c.once('exit', r));
    const last = new Promise<unknown>((r) => c.once('message', r));
    c.send('stop');
    const m = await Promise.race([last, exited]);
    await exited;
    return m;
  };
  return { c, first, stop };
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'email-bench-'));
  const store = process.env.MONGODB_URI ? undefined : await startLocalStore({ dataDir: path.join(tmp, 'data'), log: () => {} });
  const redisSvc = process.env.REDIS_URL ? undefined : await startRedis({ dataDir: path.join(tmp, 'redis') });
  const mongoUri = process.env.MONGODB_URI ?? mongoUriFor(store!.url, `bench_email_${Date.now()}`);
  const redisUrl = process.env.REDIS_URL ?? redisSvc!.url;
  const prefix = `bench${Date.now()}`;

  // Baseline: a bare smtp-server accepting and discarding the same stream.
  let baseRun: Awaited<ReturnType<typeof offer>>;
  if (SPLIT) {
    const b = child('bare', {});
    baseRun = await offer((await b.first).port!);
    await b.stop();
  } else {
    const bare = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, onData: (st, _x, cb) => { st.on('data', () => {}); st.on('end', () => cb()); } });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
    baseRun = await offer((bare.server.address() as AddressInfo).port);
    await new Promise<void>((r) => bare.close(() => r()));
  }

  let counts: Counts;
  let tickets: () => Promise<number>;
  let stopAll: () => Promise<void>;
  let port: number;
  let listenerReport: { adds: { n: number; p50: number; p99: number; max: number }; profile?: string[] } | undefined;
  let stopListener = async () => {};
  if (SPLIT) {
    const w = child('worker', { BENCH_MONGO: mongoUri, BENCH_REDIS: redisUrl, BENCH_PREFIX: prefix, BENCH_TMP: tmp });
    await w.first;
    const live: Counts = { opened: 0, followups: 0, other: 0 };
    w.c.on('message', (m) => (m as { counts?: Counts }).counts && Object.assign(live, (m as { counts: Counts }).counts));
    counts = live;
    const l = child('listener', { BENCH_REDIS: redisUrl, BENCH_PREFIX: prefix });
    port = (await l.first).port!;
    stopListener = async () => void (listenerReport = (await l.stop()) as typeof listenerReport);
    const connection = await mongoose.createConnection(mongoUri).asPromise();
    tickets = () => connection.collection('tickets').countDocuments();
    stopAll = async () => {
      await w.stop();
      await connection.close();
    };
  } else {
    const hd = await helpdesk(mongoUri, redisUrl, prefix, tmp, true);
    port = hd.port!;
    counts = hd.counts;
    tickets = hd.tickets;
    stopAll = hd.stop;
  }

  const run = await offer(port);
  await stopListener();
  const accepted = run.times.length + 20; // plus the warm-up messages
  const t0 = Date.now();
  const done = () => counts.opened + counts.followups + counts.other;
  while (done() < accepted && Date.now() - t0 < DRAIN_S * 1000) await new Promise((r) => setTimeout(r, 200));
  const drainS = (Date.now() - t0) / 1000;
  const ticketCount = await tickets();
  const { opened, followups, other } = counts;

  console.log(`email intake: ${RATE} msg/s offered for ${DURATION_S} s (${N} messages, 10% follow-ups), loopback, nodemailer pool of 20; ${SPLIT ? 'client, listener (role web) and workers (role worker) in three processes' : 'listener and workers in one process with the client (role all)'}`);
  console.log(`| server | accepted | failed | p50 ms | p99 ms | max ms |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  console.log(`| bare smtp-server (discard) | ${baseRun.times.length} | ${baseRun.failed} | ${f(pct(baseRun.times, 50))} | ${f(pct(baseRun.times, 99))} | ${f(Math.max(...baseRun.times))} |`);
  console.log(`| helpdesk listener (queued in Redis before 250) | ${run.times.length} | ${run.failed} | ${f(pct(run.times, 50))} | ${f(pct(run.times, 99))} | ${f(Math.max(...run.times))} |`);
  console.log(`processed ${done()}/${accepted} (with the 20 warm-up messages) within ${drainS.toFixed(1)} s after the last send: ${opened} new tickets, ${followups} follow-ups, ${other} other; tickets in the store: ${ticketCount}`);
  if (listenerReport) {
    const a = listenerReport.adds;
    console.log(`in the listener process, the BullMQ add (the only awaited step before 250): ${a.n} adds, p50 ${f(a.p50)} ms, p99 ${f(a.p99)} ms, max ${f(a.max)} ms`);
    if (listenerReport.profile) console.log(`listener process CPU profile during the offered run, top self time:\n${listenerReport.profile.join('\n')}`);
  }
  const exact = opened === ticketCount && opened + followups === accepted && other === 0;
  const drained = done() >= accepted;
  if (!drained) console.log(`NOT DRAINED: the queue still held ${accepted - done()} messages after ${DRAIN_S} s (DRAIN_S); the count below covers what was processed (tickets in the store = new tickets processed, plus those in flight)`);
  console.log(`every accepted message is exactly one ticket or follow-up: ${exact ? 'yes' : drained ? 'NO' : 'not known (not drained)'}; p99 ≤ 250 ms: ${pct(run.times, 99) <= 250 ? 'yes' : 'NO'}`);

  await stopAll();
  await redisSvc?.stop();
  await store?.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(exact ? 0 : 1);
}

const ROLES: Record<string, () => Promise<void>> = { listener: listenerProcess, worker: workerProcess, bare: bareProcess };
(ROLES[process.env.BENCH_ROLE ?? ''] ?? main)().catch((e) => {
  console.error(e);
  process.exit(1);
});
