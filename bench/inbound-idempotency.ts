/**
 * What at-least-once handling costs per inbound event: N agent messages on one ticket through
 * `Helpdesk.handle` (lease claim → keyed timeline entry → relay → claim completed), against a
 * baseline in the same run: the same use case behind the former at-most-once guard (one insert of
 * the event id, then the use case with unkeyed writes). Both on the same FerretDB; deliveries are
 * no-ops. Prints p50/p95 per event and the ratio.
 *
 *   HELPDESK_FERRETDB_POSTGRESQL_URL=postgres://postgres@127.0.0.1:5432/hc_bench npx tsx bench/inbound-idempotency.ts
 *   N=500 npx tsx bench/inbound-idempotency.ts          # FerretDB on SQLite in a temp dir
 *   MONGODB_URI=mongodb://… npx tsx bench/inbound-idempotency.ts
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { composeHelpdesk } from '../app/compose.js';
import { startFerretdb, type RunningService } from '../app/services/ferretdb.js';
import type { Platform } from '../core/domain/identity.js';
import type { ChatPlatform } from '../core/ports/chat-platform.port.js';
import { processedEventModel } from '../core/store/processed-event.model.js';
import { postMessage } from '../core/use-cases/post-message.js';
import { KeywordKb, person, testAgent, testDesk } from '../tests/support/fixtures.js';

const N = Number(process.env.N ?? 300);
const noop: ChatPlatform = {
  platform: 'slack',
  capabilities: { ephemeral: true, reactions: true, threads: true, editMessages: true },
  post: async (t) => ({ channel: t.channel, message: randomUUID() }),
  update: async () => {},
  dm: async (p) => ({ channel: `D${p.user}`, message: randomUUID() }),
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const started: RunningService[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hd-bench-idem-'));
  let mongoUrl = process.env.MONGODB_URI;
  if (!mongoUrl) {
    const f = await startFerretdb(path.join(tmp, 'ferretdb'), undefined, { postgresqlUrl: process.env.HELPDESK_FERRETDB_POSTGRESQL_URL });
    started.push(f);
    mongoUrl = f.url;
  }
  const connection = await mongoose.createConnection(mongoUrl, { dbName: `bench_idem_${randomUUID().slice(0, 8)}` }).asPromise();
  try {
    const agent = person('slack', 'UAG', 'T1', 'Ana');
    const hd = await composeHelpdesk({ connection, desks: [testDesk()], agents: [testAgent('ana', [agent])], kb: new KeywordKb(), platforms: new Map<Platform, ChatPlatform>([['slack', noop]]) });
    const opened = await hd.helpdesk.handle({ type: 'help.request', eventId: 'bench-open', request: { idempotencyKey: 'bench-open', requester: person('slack', 'UREQ'), text: 'bench ticket', origin: { platform: 'slack', workspace: 'T1' }, requesterLink: { platform: 'slack', workspace: 'T1', channel: 'DREQ' } } });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const ticket = { id: opened.ticket.id };
    const processed = processedEventModel(connection);
    const baseline: number[] = [];
    const leased: number[] = [];
    // Interleaved so both see the same database state and machine load.
    for (let i = 0; i < N; i++) {
      let t0 = performance.now();
      await processed.create({ _id: `old:${i}`, at: new Date() }); // the former `firstTime` insert
      await postMessage(hd.deps, { ticket, author: agent, text: `baseline ${i}` });
      baseline.push(performance.now() - t0);
      t0 = performance.now();
      await hd.helpdesk.handle({ type: 'ticket.message', eventId: `new:${i}`, actor: agent, ticket, text: `leased ${i}` });
      leased.push(performance.now() - t0);
    }
    const b50 = pct(baseline, 50);
    const l50 = pct(leased, 50);
    console.log(`inbound event (agent message on one ticket), N=${N}, ${process.env.MONGODB_URI ? 'MongoDB' : process.env.HELPDESK_FERRETDB_POSTGRESQL_URL ? 'FerretDB/PostgreSQL' : 'FerretDB/SQLite'}`);
    console.log(`  at-most-once baseline: p50 ${b50.toFixed(2)} ms  p95 ${pct(baseline, 95).toFixed(2)} ms`);
    console.log(`  at-least-once (lease): p50 ${l50.toFixed(2)} ms  p95 ${pct(leased, 95).toFixed(2)} ms`);
    console.log(`  ratio p50 ${(l50 / b50).toFixed(2)}×`);
    await connection.dropDatabase();
  } finally {
    await connection.close();
    for (const s of started.reverse()) await s.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
