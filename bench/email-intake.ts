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
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createEmailAdapter } from '../adapters/email/email.adapter.js';
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
const N = Math.round(RATE * DURATION_S);

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

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'email-bench-'));
  const store = process.env.MONGODB_URI ? undefined : await startLocalStore({ dataDir: path.join(tmp, 'data'), log: () => {} });
  const redisSvc = process.env.REDIS_URL ? undefined : await startRedis({ dataDir: path.join(tmp, 'redis') });
  const mongoUri = process.env.MONGODB_URI ?? mongoUriFor(store!.url, `bench_email_${Date.now()}`);
  const redisUrl = process.env.REDIS_URL ?? redisSvc!.url;

  // Baseline: a bare smtp-server accepting and discarding the same stream.
  const bare = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, onData: (s, _x, cb) => { s.on('data', () => {}); s.on('end', () => cb()); } });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const baseRun = await offer((bare.server.address() as AddressInfo).port);
  await new Promise<void>((r) => bare.close(() => r()));

  const connection = await mongoose.createConnection(mongoUri).asPromise();
  const prefix = `bench${Date.now()}`;
  const jobs = createJobsClient({ connection: redisUrl, prefix });
  const composed = await composeHelpdesk({ connection, desks: [testDesk({ channels: { email: { address: DESK } } })], agents: [], kb: new KeywordKb([]), delivery: () => jobs.delivery });
  const redis = redisClient(redisUrl);
  const outcomes: InboundOutcome[] = [];
  const email = await createEmailAdapter({
    helpdesk: composed.helpdesk, store: composed.store, directory: composed.directory, delivery: composed.delivery, redis, prefix, log: silentLogger,
    signingSecret: 'bench-signing-secret-0123456789abcdef', outboxDir: path.join(tmp, 'outbox'), smtp: { host: '127.0.0.1', port: 0, maxBytes: 25 * 1024 * 1024 },
    autoRepliesPerHour: 1000, onOutcome: (o) => outcomes.push(o),
  });
  composed.platforms.set('email', email.platform);
  const port = await email.listen();
  email.work(10);
  const workers = await startWorkers({ connection: redisUrl, prefix, deps: composed.deps, platforms: composed.platforms, idempotency: composed.idempotency, log: silentLogger });

  const run = await offer(port);
  const accepted = run.times.length + 20; // plus the warm-up messages
  const t0 = Date.now();
  while (outcomes.length < accepted && Date.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 200));
  const drainS = (Date.now() - t0) / 1000;
  const tickets = await connection.collection('tickets').countDocuments();
  const opened = outcomes.filter((o) => o.kind === 'opened').length;
  const followups = outcomes.filter((o) => o.kind === 'followup').length;
  const other = outcomes.length - opened - followups;

  console.log(`email intake: ${RATE} msg/s offered for ${DURATION_S} s (${N} messages, 10% follow-ups), loopback, nodemailer pool of 20`);
  console.log(`| server | accepted | failed | p50 ms | p99 ms | max ms |`);
  console.log(`| --- | --- | --- | --- | --- | --- |`);
  console.log(`| bare smtp-server (discard) | ${baseRun.times.length} | ${baseRun.failed} | ${f(pct(baseRun.times, 50))} | ${f(pct(baseRun.times, 99))} | ${f(Math.max(...baseRun.times))} |`);
  console.log(`| helpdesk listener (queued in Redis before 250) | ${run.times.length} | ${run.failed} | ${f(pct(run.times, 50))} | ${f(pct(run.times, 99))} | ${f(Math.max(...run.times))} |`);
  console.log(`processed ${outcomes.length}/${accepted} (with the 20 warm-up messages) within ${drainS.toFixed(1)} s after the last send: ${opened} new tickets, ${followups} follow-ups, ${other} other; tickets in the store: ${tickets}`);
  const exact = opened === tickets && opened + followups === accepted && other === 0;
  console.log(`every accepted message is exactly one ticket or follow-up: ${exact ? 'yes' : 'NO'}; p99 ≤ 250 ms: ${pct(run.times, 99) <= 250 ? 'yes' : 'NO'}`);

  await email.stop();
  await workers.close();
  await jobs.close();
  await redis.quit();
  await connection.close();
  await redisSvc?.stop();
  await store?.stop();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(exact ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
