import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { createJobsClient, startWorkers, type JobsClient, type RunningWorkers } from '../../jobs/index.js';
import { textSignature } from '../../kb/signature.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { blockText } from '../slack/slack-harness.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';
import { fileConcurrently, waitFor } from './harness.js';
import { callText, channelCalls, claimFromStormCard, shownNumbers } from './slack-storm.js';

const TIER1 = 'C_TIER1';
const SECRET = 'storm-signing-secret';
const ALICE = person('slack', 'UALICE', 'T1', 'Alice');
/** What people write in a storm: a few outages, each in many near-identical words. */
const PROBLEMS = [
  'VPN keeps dropping every few minutes',
  'cannot log in to my email, password rejected',
  'the printer on floor 3 is offline',
];
const N = 1000;

describe('storm-aware triage channel (Slack, 1,000 tickets into one desk)', () => {
  let fake: SlackApiFake;
  let db: Awaited<ReturnType<typeof freshDb>>;
  let client: JobsClient;
  let hd: Composed;
  let adapter: SlackAdapter;
  let workers: RunningWorkers;
  let server: Server;
  let url = '';

  beforeAll(async () => {
    fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
    // Slack's documented limit for posting in a channel, held by the fake: ~1 per second, short bursts.
    fake.channelLimit = { perSecond: 1, burst: 3 };
    db = await freshDb();
    client = createJobsClient({ connection: testRedisUrl(), prefix: `st${randomId()}` });
    const desk = testDesk({ tiers: [{ level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: TIER1 } } }, { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } }] });
    hd = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('alice', [ALICE])], kb: new KeywordKb([]), delivery: () => client.delivery, storm: client.storm });
    adapter = createSlackAdapter({ helpdesk: hd.helpdesk, signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: fake.apiUrl, processBeforeResponse: true, botUserId: 'UBOT', botId: 'BBOT', deskLocale: 'en', log: silentLogger });
    hd.platforms.set('slack', adapter.platform);
    server = createServer((req, res) => (adapter.handles(req) ? adapter.requestListener!(req, res) : res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    // The production limits (Slack: 1/s per channel, burst 3); fast retries for the test.
    workers = await startWorkers({ connection: testRedisUrl(), prefix: client.queues.prefix, deps: hd.deps, platforms: hd.platforms, signature: textSignature(), delivery: { backoffBaseMs: 200, backoffMaxMs: 2000 }, tuning: { drainDelay: 1 } });
  }, 60_000);

  afterAll(async () => {
    await workers?.close(true).catch(() => {});
    await client?.close();
    await adapter?.stop().catch(() => {});
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await fake?.stop();
    await db?.drop();
  });

  it('every ticket is on a card within 60 s, the channel stays within its posting limit, and a claim from the storm card updates it', async () => {
    const started = Date.now();
    // 16 requests at a time, as the intake workers would process them.
    const filed = await fileConcurrently(N, 16, (i) => {
      const text = `${PROBLEMS[i % PROBLEMS.length]} (${i})`;
      return hd.helpdesk.handle({ type: 'help.request', eventId: `storm-${i}`, request: { idempotencyKey: `storm-${i}`, requester: person('slack', `U${i}`, 'T1', `Person ${i}`), text, origin: { platform: 'slack', workspace: 'T1', channel: 'CGENERAL' } } });
    });
    const filedIn = Date.now() - started;
    expect(filed).toHaveLength(N);
    expect(new Set(filed.map((t) => t.status))).toEqual(new Set(['open']));

    // Every ticket reachable from the tier-1 channel: on its own card or listed on a storm card.
    await waitFor(() => shownNumbers(fake.calls, TIER1).size >= N, 120_000, 'every ticket shown in the tier-1 channel');
    const shown = shownNumbers(fake.calls, TIER1);
    const lateness = filed.map((t) => shown.get(t.number)! - t.createdAt.getTime());
    const worst = Math.max(...lateness);
    const calls = channelCalls(fake.calls, TIER1);
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    const stormCards = posts.filter((c) => String(c.args.text ?? '').includes('new tickets'));
    console.log(`[storm] ${N} tickets filed in ${(filedIn / 1000).toFixed(1)} s; tier-1 channel: ${posts.length} posts (${stormCards.length} storm cards), ${calls.length - posts.length} edits/replies; worst time to visible ${(worst / 1000).toFixed(1)} s; 429s from the fake in the channel: ${fake.limited.filter((l) => l.channel === TIER1).length}`);
    {
      // Where the time goes: own cards vs storm cards, filing vs channel time (diagnostic output only).
      const onStorm = new Set<string>();
      for (const c of calls) if (String(c.args.text ?? '').includes('new tickets')) for (const m of callText(c).matchAll(/IT-\d+/g)) onStorm.add(m[0]);
      const rel = (ms: number) => ((ms - started) / 1000).toFixed(1);
      const worstOf = (ts: Ticket[]) => ts.reduce<Ticket | undefined>((w, t) => (!w || shown.get(t.number)! - t.createdAt.getTime() > shown.get(w.number)! - w.createdAt.getTime() ? t : w), undefined);
      for (const [label, ts] of [['own cards', filed.filter((t) => !onStorm.has(t.number))], ['storm cards', filed.filter((t) => onStorm.has(t.number))]] as const) {
        const w = worstOf([...ts]);
        if (w) console.log(`[storm] ${label}: ${ts.length} tickets, worst ${w.number} filed at ${rel(w.createdAt.getTime())} s, visible at ${rel(shown.get(w.number)!)} s`);
      }
      const times = calls.map((c) => `${rel(c.at)}${c.method === 'chat.update' ? 'e' : String(c.args.text ?? '').includes('new tickets') ? 's' : 'o'}`);
      console.log(`[storm] channel calls (o own card, s storm card post, e edit): ${times.join(' ')}`);
    }
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(stormCards.length).toBeGreaterThan(0);
    // Bounded: far fewer posts than tickets (one card per ~30 s of backlog, then ≤ 50 tickets a storm card).
    expect(posts.length).toBeLessThan(N / 5);
    // Within the per-channel limit: in any 10 s, at most 10 messages plus the burst.
    for (const c of calls) expect(calls.filter((d) => d.at >= c.at && d.at < c.at + 10_000).length).toBeLessThanOrEqual(13);
    expect(fake.refused.filter((r) => r.method.startsWith('chat.'))).toEqual([]);

    // Claim from the storm card, as Slack sends the button press; the card is edited to show it.
    const { ts, number: claimedNumber, status } = await claimFromStormCard(fake, { url, secret: SECRET, channel: TIER1, marker: 'new tickets', user: ALICE });
    expect(status).toBe(200);
    const t = await hd.store.getByNumber(claimedNumber);
    expect(t?.status).toBe('claimed');
    expect(t?.assignee?.user).toBe(ALICE.user);
    await waitFor(() => blockText(fake.messages.get(TIER1)!.find((m) => m.ts === ts)!.blocks).includes(`${claimedNumber} ✓ Alice`), 30_000, 'the storm card shows the claim');
    // The claimed ticket has no card of its own: the storm card is its place in the channel.
    expect(t?.links.filter((l) => l.role === 'triage')).toEqual([]);
  }, 300_000);
});
