import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import { DISCORD_LIMITS, embedLength } from '../../adapters/discord/discord.renderer.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { SLACK_LIMITS } from '../../adapters/slack/slack.renderer.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { TicketEvent } from '../../core/domain/events.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { t } from '../../core/i18n/index.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { STORED_TEXT_MAX } from '../../core/views/text-limits.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId } from '../support/services.js';
import { G, users } from './discord.harness.js';

const SECRET = 'long-text-discord-secret';
const ALICE = person('slack', 'UALICE', 'T1', 'Alice');
const EN = t('en', 'text.truncated');

function longText(chars: number, tag: string): string {
  const parts = [`${tag} see <@U12345|carol> `, 'and [the guide](https://example.com/guide) ', 'R&D < 5 ', '😀 café ', '**bold**\n'];
  let s = '';
  for (let i = 0; s.length < chars; i++) s += parts[i % parts.length];
  return s.slice(0, chars);
}

/**
 * Long text between a Discord customer and Slack agents, through discord.js and Bolt against fakes
 * that refuse what Discord and Slack refuse (content over 2,000, embeds over 4,096 / 6,000: 50035;
 * Slack sections over 3,000 and oversized blocks): what arrives fits, is marked when cut, and the
 * ticket's timeline keeps the full text (up to the stored maximum, beyond which the author is told).
 */
describe('long text: Discord customer, Slack agents', () => {
  let discord: DiscordFake;
  let slack: SlackApiFake;
  let hd: Composed;
  let da: DiscordAdapter;
  let sa: SlackAdapter;
  let server: Server;
  let drop: () => Promise<void>;
  let slackUrl = '';
  let ticket: Ticket;
  let thread = '';
  let cardTs = '';

  const nextEvent = (pred: (e: TicketEvent) => boolean, label: string) =>
    new Promise<TicketEvent>((resolve, reject) => {
      const timer = setTimeout(() => (off(), reject(new Error(`timed out: ${label}`))), 15_000);
      const off = hd.events.subscribe((e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  const slackMessage = async (text: string) => {
    const body = JSON.stringify({
      token: 'legacy', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${randomId()}`, event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
      event: { type: 'message', channel: 'C_TIER1', user: 'UALICE', text, ts: `${Date.now() / 1000}${randomId().slice(0, 3)}`, thread_ts: cardTs, channel_type: 'channel' },
    });
    const res = await fetch(slackUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) }, body });
    expect(res.status).toBe(200);
  };
  const entryStarting = async (tag: string) => (await hd.store.timeline(ticket.id, { includeInternal: true })).find((e) => e.text.startsWith(tag));

  beforeAll(async () => {
    const db = await freshDb();
    drop = db.drop;
    discord = await DiscordFake.start({ guilds: [{ id: G.guild, channels: [{ id: G.support, name: 'support' }] }] });
    slack = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
    const desk = testDesk({
      kind: 'external',
      intake: [{ platform: 'discord', workspace: G.guild, channel: G.support }],
      tiers: [{ level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }],
    });
    hd = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('alice', [ALICE])], kb: new KeywordKb() });
    sa = createSlackAdapter({ helpdesk: hd.helpdesk, signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slack.apiUrl, processBeforeResponse: true, log: silentLogger, deskLocale: 'en' });
    hd.platforms.set('slack', sa.platform);
    await slack.waitFor(() => slack.callsOf('auth.test')[0]);
    server = createServer((req, res) => (sa.handles(req) ? sa.requestListener!(req, res) : res.writeHead(404).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    slackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    da = createDiscordAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, token: 't', applicationId: discord.applicationId, apiUrl: discord.apiUrl, guildIds: [G.guild], delivery: hd.delivery, restRetries: 0, log: silentLogger });
    hd.platforms.set('discord', da.platform);
    await da.start();
  });
  afterAll(async () => {
    await da?.stop();
    await sa?.stop();
    await new Promise<void>((r) => server?.close(() => r()));
    await slack?.stop();
    await discord?.close();
    await drop?.();
  });

  it('a /help of 2× the content limit (4,000 chars) is kept whole; every Discord and Slack post fits', async () => {
    const text = longText(2 * DISCORD_LIMITS.content, 'REQ').replace(/\n/g, ' ').trim();
    const routed = nextEvent((e) => e.type === 'ticket.routed', 'routed');
    discord.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    ticket = (await routed).ticket;
    expect(ticket.description).toBe(text);
    expect((await entryStarting('REQ'))!.text).toBe(text);
    thread = ticket.links.find((l) => l.platform === 'discord' && l.role === 'requester')!.channel;
    cardTs = await slack.waitFor(() => slack.messages.get('C_TIER1')?.[0]?.ts);
    expect(discord.refused).toEqual([]);
    expect(slack.refused).toEqual([]);
  });

  for (const factor of [1, 2, 50]) {
    it(`a Slack answer of ${factor}× the embed description limit reaches the Discord thread within Discord's limits${factor > 1 ? ', marked' : ''}`, async () => {
      const tag = `ANS${factor}`;
      // 1×: the embed's other texts (author) count towards 6,000 too, so a little under 4,096.
      const text = longText(factor === 1 ? DISCORD_LIMITS.description - 100 : factor * DISCORD_LIMITS.description, tag);
      const said = nextEvent((e) => e.type === 'ticket.message' && (e.entry?.text.startsWith(tag) ?? false), tag);
      await slackMessage(text);
      await said;
      const msg = await discord.waitFor(() => discord.channelMessages(thread).find((m) => m.embeds?.[0]?.description?.startsWith(tag)), `relay ${tag}`);
      const embed = msg.embeds[0];
      expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(embedLength(embed)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
      if (factor === 1) expect(embed.description).toBe(text.trimEnd());
      else expect(embed.description.endsWith(EN)).toBe(true);
      expect(discord.refused).toEqual([]);
      const entry = (await entryStarting(tag))!;
      if (text.length <= STORED_TEXT_MAX) expect(entry.text).toBe(text);
      else {
        expect(entry.text.length).toBeLessThanOrEqual(STORED_TEXT_MAX);
        expect(entry.clippedFrom).toBe(text.length);
        // The agent is told in the Slack thread where they wrote.
        await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === cardTs && String(c.args.text).includes(`${text.length.toLocaleString('en')} characters`)));
      }
    });
  }

  for (const factor of [1, 2, 50]) {
    it(`a Discord message of ${factor}× Slack's body budget reaches the Slack thread within Slack's limits${factor > 1 ? ', marked' : ''}`, async () => {
      const tag = `CUS${factor}`;
      const text = factor === 1 ? `${tag} ${'plain words only '.repeat(SLACK_LIMITS.body / 17)}`.slice(0, SLACK_LIMITS.body - 100).trimEnd() : longText(factor * SLACK_LIMITS.body, tag);
      const said = nextEvent((e) => e.type === 'ticket.message' && (e.entry?.text.startsWith(tag) ?? false), tag);
      discord.userMessage({ user: users.customer, channelId: thread, content: text });
      const entry = (await said).entry!;
      const post = await slack.waitFor(() => slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === cardTs && JSON.stringify(c.args.blocks ?? '').includes(tag)));
      const blocks = (typeof post.args.blocks === 'string' ? JSON.parse(post.args.blocks) : post.args.blocks) as Array<{ type: string; text?: { text: string } }>;
      const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
      expect(sections.every((s) => s.length <= SLACK_LIMITS.section)).toBe(true);
      if (factor === 1) expect(sections.join('\n')).not.toContain(EN);
      else expect(sections.at(-1)!.endsWith(EN)).toBe(true);
      expect(slack.refused).toEqual([]);
      if (text.length <= STORED_TEXT_MAX) expect(entry.text).toBe(text);
      else {
        expect(entry.clippedFrom).toBe(text.length);
        expect(entry.text.endsWith(EN)).toBe(true);
        // The customer is told in their Discord thread, within the 2,000-character content limit.
        const told = await discord.waitFor(() => discord.channelMessages(thread).find((m) => m.content?.includes(`${text.length.toLocaleString('en')} characters`)), 'clipped notice');
        expect(told.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
      }
      expect(discord.refused).toEqual([]);
    });
  }
});
