/**
 * Incident resolution fan-out benchmark (issue 15): an incident with N linked requesters (default
 * 2,000) spread over Slack, Teams and Discord — each absorbed as a known issue through the real
 * intake path — is resolved; every requester must get exactly one resolution notice, through the
 * real adapters (Bolt, CloudAdapter, discord.js) against the protocol-level fakes, the BullMQ
 * delivery queue and its Redis token buckets (the platforms' documented limits, jobs/rate-limit.ts).
 *
 * Reported: time from the resolve command to the last notice, against the rate limits' theoretical
 * minimum (per platform: (n − burst) / rate of the global bucket, the platforms running in
 * parallel); notices per requester (must be exactly 1); and a check of every send's timestamps
 * against the token buckets (no window may carry more than burst + rate·t sends).
 *
 *   npx tsx bench/incident-fanout.ts                # FerretDB + redis-server started in a temp dir
 *   REQUESTERS=300 npx tsx bench/incident-fanout.ts # short mode
 *   MONGODB_URI=mongodb://… REDIS_URL=redis://… npx tsx bench/incident-fanout.ts
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { createDiscordAdapter } from '../adapters/discord/discord.adapter.js';
import { createSlackAdapter } from '../adapters/slack/slack.adapter.js';
import { createTeamsAdapter } from '../adapters/teams/teams.adapter.js';
import { composeHelpdesk } from '../app/compose.js';
import type { RunningService } from '../app/services/ferretdb.js';
import { startLocalStore } from '../app/services/local-store.js';
import { startRedis } from '../app/services/redis.js';
import type { Identity, Platform } from '../core/domain/identity.js';
import type { ChatPlatform } from '../core/ports/chat-platform.port.js';
import { silentLogger } from '../core/ports/logger.port.js';
import type { View } from '../core/views/view.js';
import { createJobsClient, startWorkers } from '../jobs/index.js';
import { DEFAULT_LIMITS } from '../jobs/rate-limit.js';
import { FakeBotConnector } from '../tests/fakes/bot-connector.fake.js';
import { DiscordFake } from '../tests/fakes/discord.fake.js';
import { SlackApiFake } from '../tests/fakes/slack-api.fake.js';
import { KeywordKb, testAgent, testDesk } from '../tests/support/fixtures.js';

const N = Number(process.env.REQUESTERS ?? 2000);
const GUILD = '920000000000000001';
const PLATFORMS = ['slack', 'teams', 'discord'] as const;
type P = (typeof PLATFORMS)[number];

interface Send {
  at: number;
  to: string;
  resolution: boolean;
}

/** Records every send that reached a platform (after the adapter's call returned). */
function recording(p: ChatPlatform, log: Send[]): ChatPlatform {
  const isResolution = (v: View) => (v.text ?? '').startsWith('Fixed:');
  return {
    platform: p.platform,
    capabilities: p.capabilities,
    post: async (t, v) => {
      const r = await p.post(t, v);
      log.push({ at: Date.now(), to: t.channel, resolution: isResolution(v) });
      return r;
    },
    update: (l, v) => p.update(l, v),
    dm: async (person, v) => {
      const r = await p.dm(person, v);
      log.push({ at: Date.now(), to: r.channel, resolution: isResolution(v) });
      return r;
    },
  };
}

/** The most sends any window carried above what a token bucket (burst, rate/s) allows; ≤ 0 is within. */
function worstExcess(times: number[], burst: number, rate: number): number {
  const t = [...times].sort((a, b) => a - b);
  let worst = -Infinity;
  // Sends in [t_i, t_j] must be ≤ burst + rate·(t_j − t_i); 50 ms slack for the Redis-vs-local clock.
  for (let i = 0; i < t.length; i++) for (let j = i; j < t.length; j++) worst = Math.max(worst, j - i + 1 - (burst + (rate * Math.max(0, t[j]! - t[i]! + 50)) / 1000));
  return worst;
}

async function main() {
  const started: RunningService[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hd-bench-incident-'));
  chmodSync(tmp, 0o711);
  let mongoUrl = process.env.MONGODB_URI;
  if (!mongoUrl) {
    const f = await startLocalStore({ dataDir: tmp, backend: 'postgresql', postgresqlUrl: process.env.HELPDESK_FERRETDB_POSTGRESQL_URL, ephemeral: true });
    started.push(f);
    mongoUrl = f.url;
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const r = await startRedis();
    started.push(r);
    redisUrl = r.url;
  }
  const u = new URL(mongoUrl);
  u.pathname = `/bench_incident_${Date.now()}`;
  const conn = await mongoose.createConnection(u.toString()).asPromise();

  const slack = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
  const connector = await new FakeBotConnector().start();
  const discord = await DiscordFake.start({ guilds: [{ id: GUILD, channels: [{ id: '920000000000000010', name: 'support' }, { id: '920000000000000011', name: 'status' }] }] });
  const client = createJobsClient({ connection: redisUrl, prefix: `bench${Date.now()}` });
  const platforms = new Map<Platform, ChatPlatform>();
  const desk = testDesk({
    tiers: [{ level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }],
    deflection: { enabled: false, maxSuggestions: 3, windowMinutes: 30 },
    announce: { channels: { slack: { workspace: 'T1', channel: 'C_STATUS' } }, web: true },
    absorb: { enabled: true, minSimilarity: 0.5, resolveLinked: true },
  });
  const agent = { platform: 'slack' as const, workspace: 'T1', user: 'UAGENT', name: 'Agent' };
  const hd = await composeHelpdesk({ connection: conn, desks: [desk], agents: [testAgent('agent', [agent], 1)], kb: new KeywordKb([]), platforms, delivery: () => client.delivery });
  const sa = createSlackAdapter({ helpdesk: hd.helpdesk, signingSecret: 's', botToken: 'xoxb-bench', apiUrl: slack.apiUrl, processBeforeResponse: true, log: silentLogger, deskLocale: 'en' });
  const ta = createTeamsAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, serviceUrl: connector.url, log: silentLogger });
  const da = createDiscordAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, token: 't', applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildIds: [GUILD], delivery: hd.delivery, restRetries: 3 });
  await da.start();
  const sends: Record<P, Send[]> = { slack: [], teams: [], discord: [] };
  platforms.set('slack', recording(sa.platform, sends.slack));
  platforms.set('teams', recording(ta.platform, sends.teams));
  platforms.set('discord', recording(da.platform, sends.discord));
  // Two worker sets, as two worker replicas: the buckets in Redis hold for both together.
  const workers = [];
  for (let i = 0; i < 2; i++) workers.push(await startWorkers({ connection: redisUrl, prefix: client.queues.prefix, deps: hd.deps, platforms, idempotency: hd.idempotency, delivery: { concurrency: 20 }, tuning: { drainDelay: 1 } }));

  const drained = async () => {
    const q = client.queues.delivery;
    const a = client.queues.automation;
    for (;;) {
      const left = (await q.getWaitingCount()) + (await q.getActiveCount()) + (await q.getDelayedCount()) + (await a.getWaitingCount()) + (await a.getActiveCount());
      if (left === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  // Baseline in the same run: N plain posts (one per DM-like channel, split like the requesters) to
  // no-op platforms through the same delivery queue, workers and token buckets — what the queue and
  // the limits allow on this machine now, with no database work and no SDK in the way.
  const baseline = await (async () => {
    const bc = createJobsClient({ connection: redisUrl, prefix: `base${Date.now()}` });
    const seen: Record<P, number[]> = { slack: [], teams: [], discord: [] };
    const noop = (p: P): ChatPlatform => ({
      platform: p,
      capabilities: { ephemeral: false, reactions: false, threads: true, editMessages: true },
      post: async (t) => (seen[p].push(Date.now()), { channel: t.channel, message: `m${seen[p].length}` }),
      update: async () => {},
      dm: async (x) => (seen[p].push(Date.now()), { channel: `D${x.user}`, message: `m${seen[p].length}` }),
    });
    const bw = [];
    for (let i = 0; i < 2; i++) bw.push(await startWorkers({ connection: redisUrl!, prefix: bc.queues.prefix, deps: hd.deps, platforms: new Map(PLATFORMS.map((p) => [p, noop(p)])), idempotency: hd.idempotency, delivery: { concurrency: 20 }, tuning: { drainDelay: 1 } }));
    const b0 = Date.now();
    for (let i = 0; i < N; i++) {
      const p = PLATFORMS[i % 3]!;
      await bc.delivery.send({ kind: 'post', key: `base-${i}`, platform: p, target: { workspace: 'w', channel: `D${i}` }, view: { kind: 'notice', fallback: 'x', text: 'x' } });
    }
    while (PLATFORMS.reduce((n, p) => n + seen[p].length, 0) < N) await new Promise((r) => setTimeout(r, 50));
    const took = (Date.now() - b0) / 1000;
    for (const w of bw) await w.close();
    await bc.close();
    return took;
  })();

  console.log(`Incident fan-out: ${N} requesters over Slack, Teams and Discord (fakes), 2 worker sets; machine load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  const inc = (await hd.incidents.declare({ deskId: 'it', title: 'Email delivery delayed', services: ['email'], severity: 'SEV2', idempotencyKey: 'bench-declare' }, agent)).incident;
  const requesters: Identity[] = Array.from({ length: N }, (_, i) => {
    const p = PLATFORMS[i % 3]!;
    return p === 'slack' ? { platform: p, workspace: 'T1', user: `UR${i}` } : p === 'teams' ? { platform: p, workspace: 'tenant1', user: `29:r${i}` } : { platform: p, workspace: GUILD, user: String(930000000000000000n + BigInt(i)) };
  });
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 25 }, async () => {
      while (next < N) {
        const i = next++;
        const r = requesters[i]!;
        const res = await hd.helpdesk.handle({ type: 'help.request', eventId: `b-${i}`, request: { idempotencyKey: `b-${i}`, requester: r, text: 'my email is not arriving', origin: { platform: r.platform, workspace: r.workspace } } });
        if (res.kind !== 'opened' || res.incident?.id !== inc.id) throw new Error(`request ${i} was not absorbed`);
      }
    }),
  );
  const linked = await hd.incidents.countLinked(inc.id);
  console.log(`  ${N} requests absorbed and linked (${linked}) in ${((Date.now() - t0) / 1000).toFixed(1)} s; draining the known-issue answers…`);
  await drained();
  const knownIssues = PLATFORMS.reduce((n, p) => n + sends[p].length, 0);
  console.log(`  ${knownIssues} known-issue answers sent in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const r0 = Date.now();
  await hd.incidents.resolve({ id: inc.id }, agent, 'bench-resolve', 'Mail queues flushed.');
  const resolutionTimes: Record<P, number[]> = { slack: [], teams: [], discord: [] };
  const count = () => PLATFORMS.reduce((n, p) => n + sends[p].filter((s) => s.resolution).length, 0);
  while (count() < N && Date.now() - r0 < 600_000) await new Promise((r) => setTimeout(r, 50));
  const r1 = Math.max(...PLATFORMS.flatMap((p) => sends[p].filter((s) => s.resolution).map((s) => s.at)));
  await drained();
  await new Promise((r) => setTimeout(r, 1000)); // anything late (a duplicate) would show now

  let twice = 0;
  let missing = 0;
  const rows: string[] = [];
  let theoretical = 0;
  for (const p of PLATFORMS) {
    const res = sends[p].filter((s) => s.resolution);
    resolutionTimes[p] = res.map((s) => s.at);
    const per = new Map<string, number>();
    for (const s of res) per.set(s.to, (per.get(s.to) ?? 0) + 1);
    twice += [...per.values()].filter((c) => c > 1).length;
    const n = requesters.filter((x) => x.platform === p).length;
    missing += n - per.size;
    const g = DEFAULT_LIMITS[p].global;
    const min = Math.max(0, (n - g.burst) / g.rate);
    theoretical = Math.max(theoretical, min);
    const took = (Math.max(...resolutionTimes[p]) - r0) / 1000;
    const excess = worstExcess(resolutionTimes[p], g.burst, g.rate);
    const allExcess = worstExcess(sends[p].map((s) => s.at), g.burst, g.rate);
    rows.push(`  ${p.padEnd(8)} ${String(n).padStart(5)} notices  ${took.toFixed(1).padStart(6)} s  (min ${min.toFixed(1)} s at ${g.rate}/s, burst ${g.burst})  bucket ${excess <= 0 && allExcess <= 0 ? 'respected' : `EXCEEDED by ${Math.max(excess, allExcess).toFixed(1)}`}`);
  }
  const took = (r1 - r0) / 1000;
  console.log(`  resolve → last notice: ${took.toFixed(1)} s; theoretical minimum under the rate limits ${theoretical.toFixed(1)} s (ratio ${theoretical > 0 ? (took / theoretical).toFixed(2) : 'n/a'}); baseline (same run, ${N} no-op posts through the same queue and limits) ${baseline.toFixed(1)} s (ratio ${(took / baseline).toFixed(2)})`);
  for (const r of rows) console.log(r);
  console.log(`  notified ${N - missing}/${N}, notified twice: ${twice}`);
  let resolved = 0;
  for (let after: string | undefined; ; ) {
    const ids = await hd.incidents.linkedTickets(inc.id, { ...(after ? { after } : {}), limit: 500 });
    for (const id of ids) if ((await hd.store.get(id))?.status === 'resolved') resolved++;
    if (ids.length < 500) break;
    after = ids[ids.length - 1];
  }
  console.log(`  linked tickets resolved with the incident: ${resolved}/${N} (${((Date.now() - r0) / 1000).toFixed(1)} s after the resolve, counted after the last notice)`);

  for (const w of workers) await w.close();
  await client.close();
  await da.stop();
  await sa.stop();
  await slack.stop();
  await connector.stop();
  await discord.close();
  await conn.dropDatabase().catch(() => {});
  await conn.close();
  for (const s of started.reverse()) await s.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (missing || twice) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
