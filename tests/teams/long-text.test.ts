import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { SLACK_LIMITS } from '../../adapters/slack/slack.renderer.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { TicketEvent } from '../../core/domain/events.js';
import { t } from '../../core/i18n/index.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { STORED_TEXT_MAX } from '../../core/views/text-limits.js';
import { FakeBotConnector, TEAMS_MAX_MESSAGE_BYTES } from '../fakes/bot-connector.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId } from '../support/services.js';
import { personalMessage, type TeamsUser } from './activities.js';

const SECRET = 'long-text-signing-secret';
const alice: TeamsUser = { id: '29:alice-long', name: 'Alice' };
const BOB = person('slack', 'UBOB', 'T1', 'Bob');
const DM = `a:dm-${alice.id}`;
const EN = t('en', 'text.truncated');
/** Characters of plain ASCII text that fill the Teams limit (it counts UTF-16: two bytes each). */
const TEAMS_CHARS = TEAMS_MAX_MESSAGE_BYTES / 2;

/**
 * Text as a Teams person can write it (the Teams adapter strips markup and folds whitespace, so no
 * `<…>` and single spaces): links, `&`, emoji, accents, Markdown.
 */
function teamsText(chars: number, tag: string): string {
  const parts = [`${tag} see @carol `, 'and [the guide](https://example.com/guide) ', 'R&D costs ', '😀 café ', '**bold** words '];
  let s = '';
  for (let i = 0; s.length < chars; i++) s += parts[i % parts.length];
  return s.slice(0, chars - 1).trimEnd() + '.';
}

/** Long text with everything a cut must respect: mentions, links, entities, emoji, line breaks. */
function longText(chars: number, tag: string): string {
  const parts = [`${tag} see <@U12345|carol> `, 'and [the guide](https://example.com/guide) ', 'R&D < 5 ', '😀 café ', '**bold**\n'];
  let s = '';
  for (let i = 0; s.length < chars; i++) s += parts[i % parts.length];
  return s.slice(0, chars);
}

/**
 * Long text across platforms, end to end through the real SDKs (CloudAdapter, Bolt) against fakes
 * that enforce the platforms' own limits (Teams 413 over ~28 KB; Slack `invalid_blocks` /
 * `msg_blocks_too_long`): what each platform receives fits and carries the marker when cut, and the
 * ticket's timeline keeps the full text (up to the stored maximum, beyond which the author is told).
 */
describe('long text: Teams requester, Slack agents', () => {
  let core: Composed;
  let teams: TeamsAdapter;
  let slack: SlackAdapter;
  let connector: FakeBotConnector;
  let slackApi: SlackApiFake;
  let server: Server;
  let base = '';
  let drop: () => Promise<void>;
  let ticketId = '';
  let cardTs = '';

  beforeAll(async () => {
    const db = await freshDb();
    drop = db.drop;
    connector = await new FakeBotConnector().start();
    slackApi = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
    const desk = testDesk({ tiers: [{ level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }] });
    core = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('bob', [BOB], 1)], kb: new KeywordKb() });
    teams = createTeamsAdapter({ helpdesk: core.helpdesk, directory: core.directory, store: core.store, serviceUrl: connector.url, log: silentLogger });
    slack = createSlackAdapter({ helpdesk: core.helpdesk, signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slackApi.apiUrl, processBeforeResponse: true, botUserId: 'UBOT', botId: 'BBOT', log: silentLogger, deskLocale: 'en' });
    core.platforms.set('teams', teams.platform);
    core.platforms.set('slack', slack.platform);
    server = createServer((req, res) => {
      if (req.url === '/api/messages') return void teams.handleRequest(req, res);
      if (slack.handles(req)) return slack.requestListener!(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await slack?.stop();
    await connector?.stop();
    await slackApi?.stop();
    await drop?.();
  });

  const nextEvent = (pred: (e: TicketEvent) => boolean, label: string) =>
    new Promise<TicketEvent>((resolve, reject) => {
      const timer = setTimeout(() => (off(), reject(new Error(`timed out: ${label}`))), 15_000);
      const off = core.events.subscribe((e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  const toTeams = async (activity: unknown) => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
    return res.status;
  };
  const slackEvent = async (event: Record<string, unknown>) => {
    const body = JSON.stringify({ token: 'x', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${randomId()}`, event_time: Math.floor(Date.now() / 1000), event, authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }] });
    const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body) }, body });
    return res.status;
  };
  /** Every Slack call that posted or edited a message was accepted (the fake enforces Slack's limits). */
  const slackRefusals = () => slackApi.refused;
  const teamsTooBig = () => connector.calls.filter((c) => c.status === 413);
  const timelineText = async (tag: string) => (await core.store.timeline(ticketId, { includeInternal: true })).find((e) => e.text.startsWith(tag));

  it(`a request of 2× the Teams limit (${2 * TEAMS_CHARS} chars) is accepted whole; the Slack card previews it with the marker`, async () => {
    const text = teamsText(2 * TEAMS_CHARS, 'REQ');
    const routed = nextEvent((e) => e.type === 'ticket.routed', 'routed');
    expect(await toTeams(personalMessage(connector.url, alice, text))).toBe(200);
    const tk = (await routed).ticket;
    ticketId = tk.id;
    expect(tk.description).toBe(text);
    expect((await timelineText('REQ'))!.text).toBe(text);
    const card = await slackApi.waitFor(() => slackApi.messages.get('C_TIER1')?.[0]);
    cardTs = card.ts;
    expect(JSON.stringify(card.blocks)).toContain(EN);
    expect(teamsTooBig()).toEqual([]);
  });

  for (const factor of [1, 2, 50]) {
    it(`a Slack answer of ${factor}× the Teams limit reaches the Teams chat within it${factor > 1 ? ', marked' : ''}; the timeline keeps it`, async () => {
      const tag = `ANS${factor}`;
      // 1×: the whole relayed activity (author, envelope) must fit, so the text is a little under.
      const text = longText(factor === 1 ? TEAMS_CHARS - 3000 : factor * TEAMS_CHARS, tag);
      const said = nextEvent((e) => e.type === 'ticket.message' && (e.entry?.text.startsWith(tag) ?? false), tag);
      const before = connector.calls.length;
      expect(await slackEvent({ type: 'message', channel: 'C_TIER1', channel_type: 'channel', user: 'UBOB', text, ts: `${Date.now() / 1000}${factor}`, thread_ts: cardTs })).toBe(200);
      await said;
      const sent = await slackApi.waitFor(() => connector.calls.slice(before).find((c) => c.conversationId === DM && JSON.stringify(c.body).includes(tag)), 5000);
      expect(sent.status).toBe(201);
      const raw = JSON.stringify(sent.body);
      expect(Math.max(Buffer.byteLength(raw), raw.length * 2)).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
      if (factor === 1) expect(sent.body.text).toContain(text.trimEnd());
      else expect(sent.body.text.endsWith(EN)).toBe(true);
      expect(teamsTooBig()).toEqual([]);
      const entry = (await timelineText(tag))!;
      if (factor * TEAMS_CHARS <= STORED_TEXT_MAX) {
        expect(entry.text).toBe(text);
        expect(entry.clippedFrom).toBeUndefined();
      } else {
        // 50× is over what a ticket keeps: the first 100,000 characters and the marker, the agent told.
        expect(entry.text.length).toBeLessThanOrEqual(STORED_TEXT_MAX);
        expect(text.startsWith(entry.text.slice(0, -EN.length - 1))).toBe(true);
        expect(entry.text.endsWith(EN)).toBe(true);
        expect(entry.clippedFrom).toBe(text.length);
        const told = await slackApi.waitFor(() => slackApi.callsOf('chat.postMessage').find((c) => c.args.thread_ts === cardTs && String(c.args.text).includes('characters long')));
        expect(String(told.args.text)).toContain(`${(text.length).toLocaleString('en')} characters`);
      }
    });
  }

  for (const factor of [1, 2, 50]) {
    it(`a Teams message of ${factor}× Slack's body budget reaches the Slack thread within Slack's limits${factor > 1 ? ', marked' : ''}`, async () => {
      const tag = `TMS${factor}`;
      // 1× is plain text (nothing for mrkdwn to escape); 50× (375,000 chars) goes in through core as an
      // email or web adapter would: the Teams endpoint refuses bodies over 256 KB, as Teams never sends them.
      const text =
        factor === 1 ? `${tag} ${'plain words only '.repeat(SLACK_LIMITS.body / 17)}`.slice(0, SLACK_LIMITS.body - 100).trimEnd() : factor === 2 ? teamsText(factor * SLACK_LIMITS.body, tag) : longText(factor * SLACK_LIMITS.body, tag);
      const said = nextEvent((e) => e.type === 'ticket.message' && (e.entry?.text.startsWith(tag) ?? false), tag);
      if (factor === 50) await core.helpdesk.handle({ type: 'ticket.message', eventId: `ev-${tag}`, actor: person('teams', alice.id, 'tenant1', 'Alice'), ticket: { id: ticketId }, text });
      else expect(await toTeams(personalMessage(connector.url, alice, text))).toBe(200);
      await said;
      const post = await slackApi.waitFor(() => slackApi.callsOf('chat.postMessage').find((c) => c.args.thread_ts === cardTs && JSON.stringify(c.args.blocks ?? '').includes(tag)));
      const blocks = (typeof post.args.blocks === 'string' ? JSON.parse(post.args.blocks) : post.args.blocks) as Array<{ type: string; text?: { text: string } }>;
      const sections = blocks.filter((b) => b.type === 'section').map((b) => b.text!.text);
      expect(sections.every((s) => s.length <= SLACK_LIMITS.section)).toBe(true);
      expect(String(post.args.text).length).toBeLessThanOrEqual(SLACK_LIMITS.fallback);
      if (factor === 1) expect(sections.join('\n')).not.toContain(EN);
      else expect(sections.at(-1)!.endsWith(EN)).toBe(true);
      expect(slackRefusals()).toEqual([]);
      const entry = (await timelineText(tag))!;
      expect(entry.text).toBe(factor * SLACK_LIMITS.body <= STORED_TEXT_MAX ? text : entry.text);
      if (factor === 50) {
        expect(entry.clippedFrom).toBe(text.length);
        // The requester is told in their Teams chat.
        await slackApi.waitFor(() => connector.posted().find((p) => p.call.conversationId === DM && String(p.activity.text ?? '').includes(`${text.length.toLocaleString('en')} characters`)), 5000);
      }
    });
  }

  it('a new request over the stored maximum (50× the Teams limit) is kept cut with the marker, and the requester is told', async () => {
    const text = longText(50 * TEAMS_CHARS, 'BIG');
    const r = await core.helpdesk.handle({ type: 'help.request', eventId: 'ev-big', request: { idempotencyKey: 'ev-big', requester: person('teams', alice.id, 'tenant1', 'Alice'), text, origin: { platform: 'teams', workspace: 'tenant1' } } });
    expect(r.kind).toBe('opened');
    const tk = (r as Extract<typeof r, { kind: 'opened' }>).ticket;
    expect(tk.description.length).toBeLessThanOrEqual(STORED_TEXT_MAX);
    expect(tk.description.endsWith(EN)).toBe(true);
    const [entry] = await core.store.timeline(tk.id);
    expect(entry!.clippedFrom).toBe(text.length);
    const told = await slackApi.waitFor(() => connector.posted().find((p) => String(p.activity.text ?? '').includes(tk.number) && String(p.activity.text ?? '').includes('characters long')), 5000);
    expect(told.call.status).toBe(201);
    expect(teamsTooBig()).toEqual([]);
  });
});
