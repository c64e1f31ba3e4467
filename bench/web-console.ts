/**
 * Console queue benchmark: the `/console` queue endpoint (HTML fragment, signed-in agent, session
 * in Redis, query through core's agentQueue and the store's keyset page) with 10,000 tickets stored.
 * Measures p50/p99 of sequential requests for the first page, a page 40 pages deep (keyset cursor)
 * and filtered views. Baselines in the same run:
 *   - the same web stack without a ticket query (`/`, the start page: session, CSRF token, render);
 *   - offset paging (`skip`) at the same depth as the deep keyset page, straight on the collection.
 *
 *   npx tsx bench/web-console.ts                                  # the local default: FerretDB on an embedded PostgreSQL
 *   HELPDESK_FERRETDB_BACKEND=sqlite npx tsx bench/web-console.ts   # FerretDB on SQLite
 *   HELPDESK_FERRETDB_POSTGRESQL_URL=postgres://postgres@127.0.0.1:5432/hdbench npx tsx bench/web-console.ts
 *   TICKETS=10000 REQUESTS=200 npx tsx bench/web-console.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import pino from 'pino';
import { MagicLinks } from '../adapters/web/auth/magic-link.js';
import { startHelpdesk } from '../app/runtime.js';
import { startLocalStore } from '../app/services/local-store.js';
import { startRedis } from '../app/services/redis.js';
import { ticketIdFor } from '../core/store/mongo-ticket-store.js';

const TICKETS = Number(process.env.TICKETS ?? 10_000);
const REQUESTS = Number(process.env.REQUESTS ?? 200);
/** Views the index does not serve scan the collection on FerretDB: fewer samples. */
const SLOW = Number(process.env.SLOW_REQUESTS ?? 10);
const SECRET = 'bench-web-secret-0123456789abcdef0123456789';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f = (n: number) => n.toFixed(1);

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'web-console-'));
  const pg = process.env.HELPDESK_FERRETDB_POSTGRESQL_URL;
  const backend = process.env.HELPDESK_FERRETDB_BACKEND === 'sqlite' ? 'sqlite' : 'postgresql';
  const ferret = process.env.MONGODB_URI ? undefined : await startLocalStore({ dataDir: path.join(tmp, 'db'), ephemeral: true, backend, postgresqlUrl: pg, log: (m) => console.error(m) });
  const redis = await startRedis();
  const u = new URL(process.env.MONGODB_URI ?? ferret!.url);
  u.pathname = `/bench_web_${Date.now()}`;
  const deskFile = path.join(tmp, 'desks.yaml');
  writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../helpdesk.example.yaml'), 'utf8'));
  const hd = await startHelpdesk(
    { PORT: '0', HOST: '127.0.0.1', HELPDESK_CONFIG: deskFile, HELPDESK_DATA_DIR: tmp, MONGODB_URI: u.toString(), REDIS_URL: redis.url, HELPDESK_WEB_SECRET: SECRET, HELPDESK_QUEUE_PREFIX: 'bench' },
    pino({ level: 'silent' }),
  );
  const base = `http://127.0.0.1:${hd.port}`;
  const conn = await mongoose.createConnection(u.toString()).asPromise();

  // Seed: tickets as the store writes them (bulk insert: creating 10,000 through core would take minutes here).
  const statuses = ['open', 'open', 'open', 'open', 'claimed', 'claimed', 'claimed', 'pending', 'resolved', 'resolved', 'resolved', 'closed'];
  const now = Date.now();
  const t0 = Date.now();
  for (let start = 0; start < TICKETS; start += 500) {
    const docs = [];
    for (let i = start; i < Math.min(TICKETS, start + 500); i++) {
      const status = statuses[i % statuses.length]!;
      const createdAt = new Date(now - (TICKETS - i) * 60_000);
      const assigned = status === 'claimed' || status === 'pending' || status === 'resolved';
      const agent = i % 3 === 0 ? 'ana' : 'ben';
      docs.push({
        _id: ticketIdFor(`bench-${i}`), deskId: 'it', number: `IT-${1001 + i}`, seq: 1001 + i, idempotencyKey: `bench-${i}`,
        requester: { platform: 'slack', workspace: 'T0000000', user: `U${i % 500}`, name: `Person ${i % 500}` },
        subject: `Request number ${i}: something is not working`, description: `Details of request ${i}`,
        priority: ['P1', 'P2', 'P3', 'P3', 'P4'][i % 5], status, tier: i % 7 === 0 ? 2 : 1,
        ...(assigned ? { assignee: { platform: 'web', workspace: 'console', user: agent, name: agent }, assigneeAgentId: agent, claimedAt: createdAt } : {}),
        links: [], sla: { firstResponseDueAt: new Date(createdAt.getTime() + 4 * 3_600_000), resolutionDueAt: new Date(createdAt.getTime() + 24 * 3_600_000) },
        createdAt, updatedAt: createdAt, version: 1,
      });
    }
    await conn.collection('tickets').insertMany(docs as never[]);
  }
  // Bulk-seeded tickets produced no domain events: drop the queue index's "built" marker so the
  // console rebuilds it from the store (as after a Redis loss), and wait for that.
  const r = new Redis(redis.url);
  await r.del('bench:web:q:built');
  const tb = Date.now();
  await fetch(`${base}/healthz`);
  console.log(`seeded ${TICKETS} tickets in ${((Date.now() - t0) / 1000).toFixed(1)} s (${process.env.MONGODB_URI ? 'MONGODB_URI' : pg ? 'FerretDB on PostgreSQL' : `FerretDB, ${ferret!.backend}`})`);

  // Sign in as Ana (tier 1) the way a browser does.
  const token = new MagicLinks(SECRET, undefined, '').issue('ana', 60_000);
  const first = await fetch(`${base}/auth/magic?t=${token}`, { headers: { accept: 'text/html' } });
  const csrfCookie = first.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const csrf = csrfCookie.split('=')[1]!;
  const signin = await fetch(`${base}/auth/magic`, { method: 'POST', redirect: 'manual', headers: { cookie: csrfCookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token, _csrf: csrf }) });
  const cookie = signin.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  if (signin.status !== 303) throw new Error(`sign-in failed: ${signin.status}`);

  await fetch(`${base}/console?fragment=1`, { headers: { cookie, accept: 'text/html' } });
  while (!(await r.exists('bench:web:q:built'))) await new Promise((res) => setTimeout(res, 200));
  console.log(`queue index rebuilt from the store in ${((Date.now() - tb) / 1000).toFixed(1)} s`);
  r.disconnect();

  const get = async (p: string) => {
    const s = performance.now();
    const r = await fetch(`${base}${p}`, { headers: { cookie, accept: 'text/html' } });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${body.slice(0, 200)}`);
    return { ms: performance.now() - s, body };
  };
  const measure = async (label: string, p: string | (() => Promise<number>), n = REQUESTS) => {
    const xs: number[] = [];
    for (let i = 0; i < Math.min(10, n); i++) await (typeof p === 'string' ? get(p) : p()); // warm-up
    for (let i = 0; i < n; i++) xs.push(typeof p === 'string' ? (await get(p)).ms : await p());
    console.log(`${label.padEnd(58)} n=${String(n).padEnd(4)} p50 ${f(pct(xs, 50)).padStart(6)} ms   p99 ${f(pct(xs, 99)).padStart(6)} ms`);
    return xs;
  };

  // A cursor 40 pages (1,000 active tickets) deep: the 1,000th active ticket, newest first.
  const edge = (await conn.collection('tickets').find({ status: { $in: ['open', 'claimed', 'pending'] } }).sort({ createdAt: -1, _id: -1 }).skip(999).limit(1).toArray())[0]!;
  const cursor = Buffer.from(`${(edge.createdAt as Date).getTime()}.${String(edge._id)}`).toString('base64url');
  const deep = `/console?fragment=1&after=${cursor}`;
  if (!(await get(deep)).body.includes('rel="next"')) throw new Error('deep page has no next link');
  const skipTo = 40 * 25;

  console.log(`\n${REQUESTS} sequential requests each, ${TICKETS} tickets stored, page size 25 (load average ${os.loadavg()[0]!.toFixed(1)})`);
  // The target's view and the no-query baseline taken in turns, so both see the same moments of a
  // shared machine; then what one queue request costs in Redis commands (INFO commandstats).
  {
    const base: number[] = [];
    const queue: number[] = [];
    for (let i = 0; i < 10; i++) await get('/console?fragment=1');
    for (let i = 0; i < REQUESTS; i++) {
      base.push((await get('/')).ms);
      queue.push((await get('/console?fragment=1')).ms);
    }
    const row = (label: string, xs: number[]) => console.log(`${label.padEnd(58)} n=${String(xs.length).padEnd(4)} p50 ${f(pct(xs, 50)).padStart(6)} ms   p99 ${f(pct(xs, 99)).padStart(6)} ms`);
    row('interleaved — baseline: / (same stack, no ticket query)', base);
    row('interleaved — queue, first page (index)', queue);
    const rc = new Redis(redis.url);
    const calls = async () => {
      const m = new Map<string, number>();
      for (const line of (await rc.info('commandstats')).split('\n')) {
        const hit = /^cmdstat_([a-z|]+):calls=(\d+)/.exec(line.trim());
        if (hit) m.set(hit[1]!, Number(hit[2]));
      }
      return m;
    };
    const n = 50;
    const before = await calls();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await get('/console?fragment=1');
    const took = performance.now() - t0;
    const after = await calls();
    // The same time idle: what the workers' own polling sends meanwhile is not the requests'.
    await new Promise((res) => setTimeout(res, took));
    const idle = await calls();
    const per = [...after]
      .map(([k, v]) => [k, (v - (before.get(k) ?? 0) - ((idle.get(k) ?? 0) - v)) / n] as const)
      .filter(([k, v]) => v > 0.05 && k !== 'info')
      .sort((a, b) => b[1] - a[1]);
    console.log(`Redis commands per queue request: ${per.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')} (total ${per.reduce((a, [, v]) => a + v, 0).toFixed(1)})`);
    rc.disconnect();
  }
  await measure('baseline: / (same stack, no ticket query)', '/');
  await measure('queue, first page (active, all my desks; index)', '/console?fragment=1');
  await measure('queue, 40 pages deep (keyset cursor; index)', deep);
  await measure('baseline: offset paging, skip 1,000 (collection, no HTTP)', async () => {
    const s = performance.now();
    await conn.collection('tickets').find({ deskId: { $in: ['it'] }, status: { $in: ['open', 'claimed', 'pending'] } }).sort({ createdAt: -1, _id: -1 }).skip(skipTo).limit(26).toArray();
    return performance.now() - s;
  }, SLOW);
  await measure('baseline: same first page from the store (no index)', async () => {
    const s = performance.now();
    await hd.composed.store.page({ deskIds: ['it'], status: ['open', 'claimed', 'pending'], limit: 26 });
    return performance.now() - s;
  }, SLOW);
  // What the index path cost before queue rows were kept in Redis: each ticket of the page read by id.
  const firstIds = (await hd.composed.store.page({ deskIds: ['it'], status: ['open', 'claimed', 'pending'], limit: 26 })).tickets.map((t) => t.id);
  await measure('baseline: the page\'s 26 tickets read by id (earlier index path)', async () => {
    const s = performance.now();
    await Promise.all(firstIds.map((id) => hd.composed.store.get(id)));
    return performance.now() - s;
  }, 50);
  await measure('queue, mine (index)', '/console?fragment=1&assigned=mine');
  await measure('queue, unassigned, P1 (store)', '/console?fragment=1&assigned=unassigned&priority=P1', SLOW);
  await measure('queue, SLA due within 1 hour (store)', '/console?fragment=1&sla=1', SLOW);
  await measure('queue, tier 2, status open (store)', '/console?fragment=1&tier=2&status=open', SLOW);

  // Page weight: bytes on the wire (gzip) of each page's first load and of the files it loads.
  const wire = (p: string) =>
    new Promise<{ raw: number; gz: number }>((resolve, reject) => {
      const get1 = (enc: string) =>
        new Promise<number>((res2, rej2) => {
          http.get(`${base}${p}`, { headers: { cookie, accept: 'text/html', 'accept-encoding': enc } }, (r) => {
            let n = 0;
            r.on('data', (c: Buffer) => (n += c.length));
            r.on('end', () => res2(n));
          }).on('error', rej2);
        });
      Promise.all([get1('identity'), get1('gzip')]).then(([raw, gz]) => resolve({ raw, gz }), reject);
    });
  console.log('\npage weight (first load; bytes on the wire, gzip / uncompressed)');
  const assets = ['/assets/web.css', '/assets/console.js', '/assets/favicon.svg'];
  const a = await Promise.all(assets.map(wire));
  const assetGz = a.reduce((n, x) => n + x.gz, 0);
  for (const [label, p] of [['start page', '/'], ['console queue (25 rows)', '/console'], ['ticket page', '/console/tickets/IT-1001']] as const) {
    const w = await wire(p);
    const own = p === '/' ? a[0]!.gz + a[2]!.gz : assetGz;
    console.log(`${label.padEnd(28)} html ${(w.gz / 1024).toFixed(1)} KB (${(w.raw / 1024).toFixed(1)} KB)   with css/js/icon ${((w.gz + own) / 1024).toFixed(1)} KB`);
  }
  assets.forEach((p, i) => console.log(`${p.padEnd(28)} ${(a[i]!.gz / 1024).toFixed(1)} KB (${(a[i]!.raw / 1024).toFixed(1)} KB)`));

  await conn.dropDatabase().catch(() => {});
  await conn.close();
  await hd.stop();
  await redis.stop();
  await ferret?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
