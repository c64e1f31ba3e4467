import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { TicketEvent } from '../../core/domain/events.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { openKnowledgeBase, type OpenKb } from '../../kb/open-kb.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { findElement } from '../slack/slack-harness.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';
import { G, customIds, users } from './discord.harness.js';

const SECRET = 'xplat-signing-secret';
const ALICE = person('slack', 'UALICE', 'T1', 'Alice');

/**
 * An external desk: customers on Discord (private ticket threads), agents in Slack (triage card in
 * a Slack channel). One ticket, two links on two platforms: relay, claim, resolve and CSAT across.
 */
describe('cross-platform desk: Discord customer, Slack agents', () => {
  let discord: DiscordFake;
  let slack: SlackApiFake;
  let hd: Composed;
  let da: DiscordAdapter;
  let sa: SlackAdapter;
  let server: Server;
  let kb: OpenKb;
  let drop: () => Promise<void>;
  let slackUrl = '';

  const nextEvent = (pred: (e: TicketEvent) => boolean, label: string) =>
    new Promise<TicketEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out: ${label}`));
      }, 10_000);
      const off = hd.events.subscribe((e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });

  const slackPost = async (body: string, contentType: string) => {
    const res = await fetch(slackUrl, { method: 'POST', headers: { 'content-type': contentType, ...signSlackRequest(SECRET, body) }, body });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    const db = await freshDb();
    drop = db.drop;
    discord = await DiscordFake.start({ guilds: [{ id: G.guild, channels: [{ id: G.support, name: 'support' }, { id: G.log, name: 'log' }] }] });
    slack = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
    kb = await openKnowledgeBase({ dir: path.resolve('kb/articles') });
    const desk = testDesk({
      id: 'it',
      kind: 'external',
      intake: [{ platform: 'discord', workspace: G.guild, channel: G.support }],
      tiers: [
        { level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } },
        { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } },
      ],
      logChannels: { discord: { workspace: G.guild, channel: G.log } },
    });
    hd = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('alice', [ALICE])], kb: kb.kb });
    sa = createSlackAdapter({ helpdesk: hd.helpdesk, signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl, processBeforeResponse: true, log: silentLogger, deskLocale: 'en' });
    hd.platforms.set('slack', sa.platform);
    await slack.waitFor(() => slack.callsOf('auth.test')[0]);
    server = createServer((req, res) => (sa.handles(req) ? sa.requestListener!(req, res) : res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    slackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    da = createDiscordAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, token: 't', applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildIds: [G.guild], delivery: hd.delivery, restRetries: 0 });
    hd.platforms.set('discord', da.platform);
    await da.start();
  });

  afterAll(async () => {
    await da?.stop();
    await sa?.stop();
    await new Promise<void>((r) => server?.close(() => r()));
    await slack?.stop();
    await discord?.close();
    await kb?.close();
    await drop?.();
  });

  it('relays, claims, resolves and rates one ticket across Discord and Slack', async () => {
    // The customer asks on Discord; no article fits, so it is routed to the Slack tier-1 channel.
    const routed = nextEvent((e) => e.type === 'ticket.routed', 'routed');
    discord.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: 'zork license server refuses my key' }] });
    const t = (await routed).ticket;
    const card = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.channel === 'C_TIER1'));
    const cardTs = await slack.waitFor(() => slack.messages.get('C_TIER1')?.[0]?.ts);
    const thread = t.links.find((l) => l.platform === 'discord' && l.role === 'requester')!.channel;

    // Customer (Discord thread) → Slack card thread.
    const said = nextEvent((e) => e.type === 'ticket.message' && e.entry?.source?.platform === 'discord', 'discord message');
    discord.userMessage({ user: users.customer, channelId: thread, content: 'It says the key expired @everyone' });
    await said;
    const relayed = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.channel === 'C_TIER1' && c.args.thread_ts === cardTs));
    expect(JSON.stringify(relayed.args)).toContain('It says the key expired');

    // Alice claims in Slack → the Discord thread hears about it.
    const claimed = nextEvent((e) => e.type === 'ticket.claimed', 'claimed');
    const claimEl = findElement(card.args.blocks, 'claim')!;
    await slackPost(
      new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions', user: { id: 'UALICE', username: 'alice', name: 'alice', team_id: 'T1' }, api_app_id: 'A1', token: 'legacy', trigger_id: 'trg.1',
          team: { id: 'T1', domain: 'fake' }, enterprise: null, is_enterprise_install: false,
          container: { type: 'message', message_ts: cardTs, channel_id: 'C_TIER1', is_ephemeral: false }, channel: { id: 'C_TIER1', name: 'tier1' },
          message: { type: 'message', ts: cardTs, text: '', blocks: card.args.blocks }, response_url: `${slack.url}/response/act-1`,
          actions: [{ action_id: claimEl.action_id, block_id: 'b1', type: 'button', value: claimEl.value, text: claimEl.text, action_ts: '1.1' }],
        }),
      }).toString(),
      'application/x-www-form-urlencoded',
    );
    await claimed;
    await discord.waitFor(() => discord.channelMessages(thread).find((m) => m.content?.toLowerCase().includes(`alice is working on ${t.number.toLowerCase()}`)), 'claim notice on Discord');

    // Alice answers in the Slack thread → the Discord thread.
    const answered = nextEvent((e) => e.type === 'ticket.message' && e.entry?.source?.platform === 'slack', 'slack answer');
    await slackPost(
      JSON.stringify({
        token: 'legacy', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: 'Ev1', event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }], is_ext_shared_channel: false,
        event: { type: 'message', channel: 'C_TIER1', user: 'UALICE', text: 'I reissued your key, please retry', ts: `${Date.now() / 1000}`, thread_ts: cardTs, channel_type: 'channel' },
      }),
      'application/json',
    );
    await answered;
    const answer = await discord.waitFor(() => discord.channelMessages(thread).find((m) => m.embeds?.[0]?.description === 'I reissued your key, please retry'), 'answer on Discord');
    expect(answer.embeds[0].author.name.toLowerCase()).toContain('alice');

    // Alice resolves from the card (core action, same path as the button) → CSAT on Discord → the customer rates there.
    const resolved = nextEvent((e) => e.type === 'ticket.resolved', 'resolved');
    await hd.helpdesk.handle({ type: 'ticket.resolve', eventId: 'xplat-resolve', actor: ALICE, ticket: { id: t.id } });
    await resolved;
    const csat = await discord.waitFor(() => discord.channelMessages(thread).find((m) => customIds(m).some((id) => id.startsWith('hd:rate:'))), 'CSAT on Discord');
    const rated = nextEvent((e) => e.type === 'ticket.rated', 'rated');
    discord.component({ user: users.customer, channelId: thread, messageId: csat.id, customId: customIds(csat).find((id) => id.endsWith(':4'))! });
    await rated;
    // The Slack card is edited in place to show the rating-time state.
    await slack.waitFor(() => slack.callsOf('chat.update').length >= 3);
    const after = await hd.store.get(t.id);
    expect(after?.csat?.score).toBe(4);
    expect(after?.links.map((l) => `${l.platform}:${l.role}`).sort()).toEqual(['discord:requester', 'slack:triage']);
  });
});
