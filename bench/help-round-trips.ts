/**
 * Database round trips per `/help` (issue 12): counts the MongoDB commands core sends for one help
 * request (helpdesk.handle of a help.request that no article answers, so it is routed to triage),
 * by command and collection, averaged over N requests after a warm-up. The queued side effects
 * (delivery, SLA timers) go to an in-memory Delivery here, so only core's own writes are counted.
 * Then the same with BURST requests at once (a storm's workers): concurrent claims, guards, entries
 * and rollups share commands (insert batching, sharded counters, the number batcher).
 *
 *   npx tsx bench/help-round-trips.ts             # the local default: FerretDB on an embedded PostgreSQL
 *   BURST=16 N=64 npx tsx bench/help-round-trips.ts
 *   HELPDESK_FERRETDB_BACKEND=sqlite npx tsx bench/help-round-trips.ts
 *   MONGODB_URI=mongodb://… npx tsx bench/help-round-trips.ts
 * Then an agent's messages on one ticket, and the first message on each of N tickets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { composeHelpdesk } from '../app/compose.js';
import { startLocalStore } from '../app/services/local-store.js';
import { helpRequestEvent } from '../adapters/shared/help-request.js';
import { openKnowledgeBase } from '../kb/open-kb.js';
import { person, testAgent, testDesk } from '../tests/support/fixtures.js';

const N = Number(process.env.N ?? 20);
const BURST = Number(process.env.BURST ?? 16);

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rt-'));
  const ferret = process.env.MONGODB_URI
    ? undefined
    : await startLocalStore({ dataDir: path.join(tmp, 'db'), ephemeral: true, backend: process.env.HELPDESK_FERRETDB_BACKEND === 'sqlite' ? 'sqlite' : 'postgresql' });
  const u = new URL(process.env.MONGODB_URI ?? ferret!.url);
  u.pathname = `/bench_rt_${Date.now()}`;
  const connection = await mongoose.createConnection(u.toString(), { monitorCommands: true }).asPromise();
  const kb = await openKnowledgeBase({ dir: path.resolve(import.meta.dirname, '../kb/articles') });
  const composed = await composeHelpdesk({ connection, desks: [testDesk()], agents: [testAgent('alice', [person('slack', 'UALICE', 'T1', 'Alice')])], kb: kb.kb, delivery: () => ({ send: async () => {} }) });
  const counts = new Map<string, number>();
  let counting = false;
  connection.getClient().on('commandStarted', (e) => {
    if (!counting) return;
    const coll = (e.command as Record<string, unknown>)[e.commandName];
    const k = `${e.commandName} ${typeof coll === 'string' ? coll : ''}`.trim();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  const help = (i: number) =>
    composed.helpdesk.handle(
      helpRequestEvent(`rt-${i}`, person('slack', `U${i}`, 'T1', `User ${i}`), 'en', { text: `the zorbl frobnicator unit ${i} emits purple smoke`, origin: { platform: 'slack', workspace: 'T1', channel: 'CGENERAL' } }),
    );
  for (let i = 0; i < 5; i++) await help(i);
  counting = true;
  for (let i = 5; i < 5 + N; i++) await help(i);
  counting = false;
  const report = (label: string) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.table([...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => ({ command: k, per_help: (v / N).toFixed(2) })));
    console.log(`round trips per /help, ${label}: ${(total / N).toFixed(1)} (${N} requests)`);
    counts.clear();
  };
  report('one at a time');
  if (BURST > 1) {
    counting = true;
    const ids = Array.from({ length: N }, (_, k) => 1000 + k);
    const workers = Array.from({ length: BURST }, async () => {
      for (let i = ids.shift(); i !== undefined; i = ids.shift()) await help(i);
    });
    const t0 = performance.now();
    await Promise.all(workers);
    const s = (performance.now() - t0) / 1000;
    counting = false;
    report(`${BURST} at once`);
    console.log(`core throughput, ${BURST} at once: ${(N / s).toFixed(1)} /help per s (${N} in ${s.toFixed(1)} s; load average ${os.loadavg()[0]!.toFixed(1)})`);
  }
  // An agent's message on a ticket (after the first response): what the chat relay path writes.
  const opened = await help(9999);
  if (opened.kind !== 'opened') throw new Error(opened.kind);
  const say = (i: number) =>
    composed.helpdesk.handle({ type: 'ticket.message', eventId: `msg-${i}`, actor: person('slack', 'UALICE', 'T1', 'Alice'), ticket: { id: opened.ticket.id }, text: `try step ${i}`, messageId: `m${i}` });
  await say(0);
  counting = true;
  for (let i = 1; i <= N; i++) await say(i);
  counting = false;
  report('agent message (ticket.message), one at a time');
  // The first message on each of N tickets (the requester's follow-up): since 2026-11-30 it also
  // drops the ticket's public log (core/domain/public-log.ts), once per ticket.
  const fresh = [];
  for (let i = 0; i < N; i++) {
    const o = await help(20_000 + i);
    if (o.kind !== 'opened') throw new Error(o.kind);
    fresh.push(o.ticket);
  }
  counting = true;
  for (const [i, t] of fresh.entries()) {
    await composed.helpdesk.handle({ type: 'ticket.message', eventId: `first-${i}`, actor: t.requester, ticket: { id: t.id }, text: 'any news?', messageId: `f${i}` });
  }
  counting = false;
  report('first message on a ticket (requester follow-up), one at a time');
  await kb.close();
  await connection.dropDatabase().catch(() => {});
  await connection.close();
  await ferret?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
