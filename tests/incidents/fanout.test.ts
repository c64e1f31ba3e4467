import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Desk } from '../../core/domain/desk.js';
import type { IncidentEvent } from '../../core/domain/events.js';
import type { Identity, Platform } from '../../core/domain/identity.js';
import type { Incident } from '../../core/domain/incident.js';
import type { ChatPlatform } from '../../core/ports/chat-platform.port.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { createJobsClient, RedisSpikeWindow, startWorkers, type JobsClient, type RunningWorkers } from '../../jobs/index.js';
import { openKnowledgeBase, type OpenKb } from '../../kb/open-kb.js';
import { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { waitFor } from '../jobs/harness.js';
import { blockText, findElement } from '../slack/slack-harness.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';

const SECRET = 'fanout-signing-secret';
const GUILD = '910000000000000001';
const D = { support: '910000000000000010', tier1: '910000000000000011', tier2: '910000000000000012', status: '910000000000000014' } as const;
const TEAMS_ANN = '19:status@thread.tacv2';
const ALICE = person('slack', 'UALICE', 'T1', 'Alice');
/** Delivery limits the test never reaches, for the workers and for the channel ledger that holds queued messages until their slot. */
const LIMITS = { slack: { perChannel: { rate: 200, burst: 200 }, global: { rate: 2000, burst: 2000 } }, teams: { perChannel: { rate: 200, burst: 200 }, global: { rate: 2000, burst: 2000 } } };

/**
 * Incident fan-out end to end with the real SDKs (Bolt, CloudAdapter, discord.js) against the
 * protocol-level fakes, the BullMQ delivery queue and workers on Redis, FerretDB and the real KB:
 * broadcasts (one post per channel, edited in place, exactly once under retries and replays),
 * absorbed requests (linked, out of triage, told once on resolution) and spike suggestions.
 */
describe('incident fan-out: broadcasts, absorbed requests, spikes', () => {
  let slack: SlackApiFake;
  let connector: FakeBotConnector;
  let discord: DiscordFake;
  let hd: Composed;
  let sa: SlackAdapter;
  let ta: TeamsAdapter;
  let da: DiscordAdapter;
  let kb: OpenKb;
  let client: JobsClient;
  let workers: RunningWorkers;
  let server: Server;
  let slackUrl = '';
  let drop: () => Promise<void>;
  const incidentEvents: IncidentEvent[] = [];

  const desk: Desk = testDesk({
    tiers: [
      { level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } },
      { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' }, discord: { workspace: GUILD, channel: D.tier2 } } },
    ],
    announce: { channels: { slack: { workspace: 'T1', channel: 'C_STATUS' }, teams: { workspace: 'tenant1', channel: TEAMS_ANN }, discord: { workspace: GUILD, channel: D.status } }, web: true },
    absorb: { enabled: true, minSimilarity: 0.5, resolveLinked: true },
    spike: { enabled: true, threshold: 5, windowMinutes: 10, minSimilarity: 0.5 },
  });

  beforeAll(async () => {
    const db = await freshDb();
    drop = db.drop;
    slack = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
    connector = await new FakeBotConnector().start();
    discord = await DiscordFake.start({ guilds: [{ id: GUILD, channels: [{ id: D.support, name: 'support' }, { id: D.tier1, name: 'tier1' }, { id: D.tier2, name: 'tier2' }, { id: D.status, name: 'status' }] }] });
    kb = await openKnowledgeBase({ dir: path.resolve('kb/articles') });
    const prefix = `t${randomId()}`;
    client = createJobsClient({ connection: testRedisUrl(), prefix, storm: { limits: LIMITS } });
    const platforms = new Map<Platform, ChatPlatform>();
    hd = await composeHelpdesk({
      connection: db.connection,
      desks: [desk],
      agents: [testAgent('alice', [ALICE], 2)],
      kb: kb.kb,
      platforms,
      delivery: () => client.delivery,
      // Card renders while tickets join a spike: coalesced per 1 s here (2 s / 5 s by default).
      spikeWindow: new RedisSpikeWindow(client.queues.redis, client.queues.prefix, { debounceMs: 200, everyMs: 1_000 }),
      // The renders as delayed jobs, as the runtime queues them (the workers below run them).
      spikeRenders: client.spikeRenders,
    });
    hd.events.onIncident((e) => void incidentEvents.push(e));
    sa = createSlackAdapter({ helpdesk: hd.helpdesk, signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl, processBeforeResponse: true, log: silentLogger, deskLocale: 'en' });
    ta = createTeamsAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, serviceUrl: connector.url, log: silentLogger });
    da = createDiscordAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, token: 't', applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildIds: [GUILD], delivery: hd.delivery, restRetries: 0 });
    platforms.set('slack', sa.platform);
    platforms.set('teams', ta.platform);
    platforms.set('discord', da.platform);
    await da.start();
    server = createServer((req, res) => (sa.handles(req) ? sa.requestListener!(req, res) : res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    slackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    workers = await startWorkers({
      connection: testRedisUrl(),
      prefix: client.queues.prefix,
      deps: hd.deps,
      platforms,
      idempotency: hd.idempotency,
      spikes: hd.spikes,
      delivery: { backoffBaseMs: 20, backoffMaxMs: 200, limits: LIMITS },
      tuning: { drainDelay: 1 },
    });
  });

  afterAll(async () => {
    await workers?.close(true).catch(() => {});
    await client?.close();
    await da?.stop();
    await sa?.stop();
    await new Promise<void>((r) => server?.close(() => r()));
    await slack?.stop();
    await connector?.stop();
    await discord?.close();
    await kb?.close();
    await drop?.();
  });

  const slackStatus = () => slack.messages.get('C_STATUS') ?? [];
  const teamsCreates = () => connector.callsOf('create').filter((c) => c.body?.channelData?.channel?.id === TEAMS_ANN);
  const teamsUpdates = (conv: string) => connector.callsOf('update', conv);
  const discordStatus = () => discord.channelMessages(D.status);
  const discordText = (m: any) => JSON.stringify([m.content, m.embeds]);
  const allDone = async () => {
    const q = client.queues.delivery;
    return waitFor(async () => (await q.getWaitingCount()) + (await q.getActiveCount()) + (await q.getDelayedCount()) === 0 || null, 20_000, 'delivery queue drained');
  };

  /** Declares from a Slack spike card, as an agent would. */
  const clickDeclare = async (card: { ts: string; blocks?: any }) => {
    const el = findElement(card.blocks, 'declare');
    expect(el).toBeDefined();
    const payload = {
      type: 'block_actions', user: { id: ALICE.user, username: 'alice', name: 'alice', team_id: 'T1' }, api_app_id: 'A1', token: 'x', trigger_id: `trg.${randomId()}`,
      team: { id: 'T1', domain: 'fake' }, container: { type: 'message', message_ts: card.ts, channel_id: 'C_TIER2', is_ephemeral: false }, channel: { id: 'C_TIER2', name: 'tier2' },
      message: { type: 'message', ts: card.ts, text: '', blocks: card.blocks }, response_url: slack.responseUrl(`act-${randomId()}`),
      actions: [{ action_id: el!.action_id, block_id: 'b1', type: el!.type, value: el!.value, action_ts: `${Date.now() / 1000}` }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await fetch(slackUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SECRET, body) }, body });
    expect(res.status).toBe(200);
  };

  let inc: Incident;

  it('declaring an incident posts it once in each announcement channel (Slack, Teams, Discord)', async () => {
    inc = (await hd.incidents.declare({ deskId: 'it', title: 'VPN gateway down', services: ['vpn'], severity: 'SEV2', idempotencyKey: 'declare-1', description: 'Remote users cannot connect to the VPN.' }, ALICE)).incident;
    await waitFor(() => slackStatus().length === 1 && teamsCreates().length === 1 && discordStatus().length === 1, 15_000, 'one post per platform');
    expect(blockText(slackStatus()[0]!.blocks)).toContain('VPN gateway down');
    expect(blockText(slackStatus()[0]!.blocks)).toContain('Remote users cannot connect');
    expect(JSON.stringify(teamsCreates()[0]!.body)).toContain('Investigating');
    expect(discordText(discordStatus()[0])).toContain('Investigating');
  });

  it('updates edit the same posts in place; replays and retried failures post nothing twice', async () => {
    const teamsConv = teamsCreates()[0]!.answeredId!;
    // The next Slack edit fails once (500): the delivery is retried, still one message.
    slack.failNext('chat.update', { status: 500 });
    connector.inject({ status: 503, times: 1, kind: 'update' });
    await hd.incidents.update({ id: inc.id }, { status: 'identified', note: 'A certificate expired on the gateway.' }, ALICE, 'update-1');
    await waitFor(() => blockText(slackStatus()[0]!.blocks).includes('Identified') && teamsUpdates(teamsConv).some((c) => c.status === 200 && JSON.stringify(c.body).includes('Identified')) && discordText(discordStatus()[0]).includes('Identified'), 15_000, 'edits');
    // Replay every incident event so far (a second replica, a retried subscriber): nothing new is posted.
    for (const e of [...incidentEvents]) await hd.events.emitIncident(e);
    await hd.incidents.update({ id: inc.id }, { note: 'New certificate being deployed.' }, ALICE, 'update-2');
    await waitFor(() => blockText(slackStatus()[0]!.blocks).includes('New certificate being deployed'), 15_000, 'second edit');
    await waitFor(() => discordText(discordStatus()[0]).includes('New certificate being deployed'), 15_000, 'discord second edit');
    await allDone();
    expect(slackStatus()).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C_STATUS')).toHaveLength(1);
    expect(teamsCreates()).toHaveLength(1);
    expect(discordStatus()).toHaveLength(1);
    expect(discord.calls('POST', new RegExp(`/channels/${D.status}/messages$`))).toHaveLength(1);
    expect(slack.callsOf('chat.update').filter((c) => c.args.channel === 'C_STATUS' && c.args.ts === slackStatus()[0]!.ts).length).toBeGreaterThanOrEqual(2);
  });

  const requesters: Identity[] = Array.from({ length: 20 }, (_, i) => person('slack', `UREQ${i}`, 'T1', `Req ${i}`));
  const phrasings = ['the VPN will not connect', 'vpn keeps disconnecting since this morning', 'cannot reach the VPN from home', 'my vpn says gateway timeout'];

  it('20 requests about the affected service are linked to it, answered "known issue" and kept out of triage', async () => {
    const results = await Promise.all(
      requesters.map((r, i) => hd.helpdesk.handle({ type: 'help.request', eventId: `req-${i}`, request: { idempotencyKey: `req-${i}`, requester: r, text: phrasings[i % phrasings.length]!, origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' } } })),
    );
    for (const r of results) {
      expect(r.kind).toBe('opened');
      if (r.kind !== 'opened') continue;
      expect(r.incident?.id).toBe(inc.id);
      expect(r.ticket.status).toBe('new');
      expect(r.ticket.incidentId).toBe(inc.id);
    }
    expect(await hd.incidents.countLinked(inc.id)).toBe(20);
    await waitFor(() => requesters.every((r) => (slack.messages.get(`D${r.user}`) ?? []).some((m) => (m.text ?? '').includes('known issue'))), 15_000, 'known-issue answers');
    await allDone();
    expect(slack.messages.get('C_TIER1') ?? []).toHaveLength(0);
    expect(await hd.store.list({ deskId: 'it', status: ['open', 'claimed', 'pending'] })).toHaveLength(0);
    // A replayed request is the same ticket, linked once, answered once.
    await hd.helpdesk.handle({ type: 'help.request', eventId: 'req-0', request: { idempotencyKey: 'req-0', requester: requesters[0]!, text: phrasings[0]!, origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' } } });
    expect(await hd.incidents.countLinked(inc.id)).toBe(20);
    await allDone();
    for (const r of requesters) expect((slack.messages.get(`D${r.user}`) ?? []).filter((m) => (m.text ?? '').includes('known issue'))).toHaveLength(1);
  });

  it('the person can still insist: "I still need help" routes their ticket to triage', async () => {
    const r = await hd.helpdesk.handle({ type: 'help.request', eventId: 'insist-1', request: { idempotencyKey: 'insist-1', requester: person('slack', 'UINSIST', 'T1', 'Ines'), text: 'vpn is broken for me too', origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' } } });
    if (r.kind !== 'opened') throw new Error('not opened');
    expect(r.incident?.id).toBe(inc.id);
    const routed = await hd.helpdesk.handle({ type: 'deflection.need_help', eventId: 'insist-1-help', actor: person('slack', 'UINSIST', 'T1', 'Ines'), ticket: { id: r.ticket.id } });
    expect(routed.kind === 'ticket' && routed.ticket.status).toBe('open');
    await waitFor(() => (slack.messages.get('C_TIER1') ?? []).length === 1, 15_000, 'triage card');
  });

  it('on resolution every linked requester is told once and the absorbed tickets resolve', async () => {
    await hd.incidents.resolve({ id: inc.id }, ALICE, 'resolve-1', 'The gateway certificate was renewed.');
    const fixed = (u: string) => (slack.messages.get(`D${u}`) ?? []).filter((m) => (m.text ?? '').includes('Fixed:'));
    await waitFor(() => requesters.every((r) => fixed(r.user).length >= 1) && fixed('UINSIST').length >= 1, 20_000, 'resolution notices');
    // Replays of the resolution (event and page job) tell nobody twice.
    for (const e of incidentEvents.filter((x) => x.type === 'incident.resolved')) await hd.events.emitIncident(e);
    await client.queues.automation.add('incident_settle', { kind: 'incident_settle', incidentId: inc.id }, { jobId: `incset-replay-${randomId()}` });
    await waitFor(async () => (await client.queues.automation.getCompletedCount()) > 0 && (await client.queues.automation.getActiveCount()) + (await client.queues.automation.getWaitingCount()) === 0, 15_000, 'settle replay');
    await allDone();
    for (const r of requesters) {
      expect(fixed(r.user)).toHaveLength(1);
      // The incident's notice replaces the usual "resolved" message and survey.
      const said = (slack.messages.get(`D${r.user}`) ?? []).map((m) => `${m.text ?? ''} ${blockText(m.blocks)}`);
      expect(said.filter((x) => x.includes('was marked resolved by') || x.includes('How satisfied are you'))).toHaveLength(0);
    }
    expect(fixed('UINSIST')).toHaveLength(1);
    const tickets = await hd.store.list({ deskId: 'it', limit: 200 });
    const absorbed = tickets.filter((t) => t.incidentId === inc.id && t.requester.user.startsWith('UREQ'));
    expect(absorbed).toHaveLength(20);
    expect(absorbed.every((t) => t.status === 'resolved')).toBe(true);
    expect(blockText(slackStatus()[0]!.blocks)).toContain('Resolved');
    expect(slackStatus()).toHaveLength(1);
  });

  it('a spike of similar tickets makes exactly one "possible incident" card; Declare links them all', async () => {
    const texts = ['the printer on floor 3 prints blank pages', 'printer floor 3 prints only blank pages', 'floor 3 printer prints blank pages again', 'blank pages from the floor 3 printer', 'the floor 3 printer prints blank pages', 'printer on floor 3 prints blank pages today', 'blank pages printed by the printer on floor 3'];
    for (const [i, text] of texts.entries()) {
      await hd.helpdesk.handle({ type: 'help.request', eventId: `spike-${i}`, request: { idempotencyKey: `spike-${i}`, requester: person('slack', `USPK${i}`, 'T1'), text, origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' } } });
    }
    await waitFor(() => (slack.messages.get('C_TIER2') ?? []).length >= 1 && discord.channelMessages(D.tier2).length >= 1, 15_000, 'spike card');
    await allDone();
    const cards = slack.messages.get('C_TIER2') ?? [];
    expect(cards).toHaveLength(1);
    expect(discord.channelMessages(D.tier2)).toHaveLength(1);
    // Five made the spike; the sixth and seventh joined it: the same card, edited to the count.
    await waitFor(() => blockText(cards[0]!.blocks).includes('Possible incident: 7 similar tickets in 10 min'), 15_000, 'card shows 7');
    await clickDeclare(cards[0]!);
    const declared = await waitFor(async () => (await hd.incidents.active({ deskId: 'it' }))[0], 15_000, 'declared incident');
    expect(await hd.incidents.countLinked(declared.id)).toBe(7);
    await waitFor(() => blockText((slack.messages.get('C_TIER2') ?? [])[0]!.blocks).includes(`Declared ${declared.number}`), 15_000, 'card edited');
    expect(slack.messages.get('C_TIER2') ?? []).toHaveLength(1);
    // The new incident is announced too, in its own post.
    await waitFor(() => slackStatus().length === 2, 15_000, 'second announcement');
  });
  it('issue 12: a storm of 60 similar tickets makes one spike card (edited a bounded number of times) listing all 60; Declare links all 60; another problem still gets its own card', async () => {
    const tier2 = () => slack.messages.get('C_TIER2') ?? [];
    const before = tier2().length;
    const discordBefore = discord.channelMessages(D.tier2).length;
    const updatesBefore = slack.callsOf('chat.update').length;
    const storm = ['outlook asks for my password again and again', 'outlook keeps asking for my password', 'outlook asks for the password again', 'outlook keeps asking me for my password again'];
    const wifi = ['the wifi in building B keeps dropping', 'wifi in building B drops all the time', 'building B wifi keeps dropping', 'wifi keeps dropping in building B', 'the building B wifi drops again'];
    const ids = new Map<string, string>();
    const off = hd.events.subscribe((e) => {
      if (e.type === 'ticket.created') ids.set(e.ticket.requester.user, e.ticket.id);
    });
    const started = Date.now();
    for (let i = 0; i < 60; i++) {
      await hd.helpdesk.handle({ type: 'help.request', eventId: `storm-${i}`, request: { idempotencyKey: `storm-${i}`, requester: person('slack', `USTM${i}`, 'T1'), text: storm[i % storm.length]!, origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' } } });
      // The other problem arrives in the middle of the storm.
      if (i >= 20 && i < 25) await hd.helpdesk.handle({ type: 'help.request', eventId: `wifi-${i}`, request: { idempotencyKey: `wifi-${i}`, requester: person('slack', `UWIFI${i}`, 'T1'), text: wifi[i - 20]!, origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' } } });
    }
    const took = Date.now() - started;
    off();
    const stormCard = await waitFor(() => tier2().slice(before).find((m) => blockText(m.blocks).includes('Possible incident: 60 similar tickets')), 20_000, 'storm card shows 60');
    await allDone();
    await new Promise((r) => setTimeout(r, 1_500)); // any render still due
    await allDone();
    // Exactly two new cards: one for the storm (on main: one per 5 tickets, 12), one for the wifi.
    const fresh = tier2().slice(before);
    expect(fresh).toHaveLength(2);
    expect(discord.channelMessages(D.tier2).length - discordBefore).toBe(2);
    expect(fresh.filter((m) => blockText(m.blocks).includes('Possible incident: 5 similar tickets'))).toHaveLength(1);
    // Edits of the storm card: at most one per second of storm (everyMs) plus the trailing one.
    const edits = slack.callsOf('chat.update').slice(updatesBefore).filter((c) => c.args.channel === 'C_TIER2' && c.args.ts === stormCard.ts).length;
    expect(edits).toBeGreaterThanOrEqual(1);
    expect(edits).toBeLessThanOrEqual(Math.ceil(took / 1_000) + 2);
    const stormIds = Array.from({ length: 60 }, (_, i) => ids.get(`USTM${i}`)!);
    const spike = await hd.spikes.get(`sp-${stormIds[0]}`);
    expect([...spike!.ticketIds].sort()).toEqual([...stormIds].sort());
    await clickDeclare(stormCard);
    const declared = await waitFor(async () => (await hd.incidents.active({ deskId: 'it' })).find((x) => x.title.toLowerCase().includes('outlook')), 15_000, 'storm incident');
    expect(await hd.incidents.countLinked(declared.id)).toBe(60);
    for (const id of stormIds) expect((await hd.store.get(id))!.incidentId).toBe(declared.id);
    await waitFor(() => blockText(tier2()[before + fresh.indexOf(stormCard)]!.blocks).includes(`Declared ${declared.number}`), 15_000, 'storm card declared');
  });
});
