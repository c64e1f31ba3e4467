import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { blockText, findElement } from '../slack/slack-harness.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId } from '../support/services.js';
import { cardAction, personalMessage, type TeamsUser } from './activities.js';
import { actionOf, cardOf, verbsOf } from './harness.js';

const SECRET = 'xplat-signing-secret';
const alice: TeamsUser = { id: '29:alice', name: 'Alice (Teams)' };
const BOB = person('slack', 'UBOB', 'T1', 'Bob');
const CAROL = person('slack', 'UCAROL', 'T1', 'Carol');
const DM = `a:dm-${alice.id}`;

/**
 * One desk whose requesters are in Teams and whose agents work in Slack: the requester's Teams chat
 * and the Slack triage cards are links of one ticket. Both real SDKs (CloudAdapter, Bolt) on one
 * HTTP server, each against its protocol-level fake.
 */
describe('cross-platform desk: requester in Teams, agents in Slack', () => {
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
    const desk = testDesk({
      tiers: [
        { level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } },
        { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } },
      ],
    });
    core = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('bob', [BOB], 1), testAgent('carol', [CAROL], 2)], kb: new KeywordKb() });
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

  const toTeams = async (activity: unknown) => {
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const toSlack = async (body: string, contentType: string) => {
    const res = await fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...signSlackRequest(SECRET, body) }, body });
    return res.status;
  };
  const slackEvent = (event: Record<string, unknown>) =>
    toSlack(JSON.stringify({ token: 'x', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${randomId()}`, event_time: Math.floor(Date.now() / 1000), event, authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }] }), 'application/json');
  const slackButton = (blocks: unknown, name: string, user: typeof BOB, channel: string, ts: string) => {
    const el = findElement(blocks, name);
    if (!el) throw new Error(`no ${name} button`);
    const payload = {
      type: 'block_actions', user: { id: user.user, username: user.name, name: user.name, team_id: 'T1' }, api_app_id: 'A1', token: 'x', trigger_id: `trg.${randomId()}`,
      team: { id: 'T1', domain: 'fake' }, container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false }, channel: { id: channel, name: 'x' },
      message: { type: 'message', ts, text: '', blocks }, response_url: slackApi.responseUrl(`act-${randomId()}`),
      actions: [{ action_id: el.action_id, block_id: 'b1', type: el.type, value: el.value, text: el.text, action_ts: `${Date.now() / 1000}` }],
    };
    return toSlack(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
  };
  const slackPosts = (channel: string) => slackApi.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
  const teamsDm = () => connector.posted().filter((p) => p.call.conversationId === DM);

  it('a Teams request that needs a person lands as a card in the Slack tier-1 channel', async () => {
    await toTeams(personalMessage(connector.url, alice, 'my VPN drops every hour'));
    const suggestions = cardOf(teamsDm().at(-1)!.activity);
    await toTeams(cardAction(connector.url, alice, actionOf(suggestions, 'hd:need_help'), { conversation: DM }));
    const card = await slackApi.waitFor(() => slackPosts('C_TIER1')[0]);
    const [t] = await core.store.list({ requester: person('teams', alice.id) });
    ticketId = t!.id;
    expect(blockText(card.args.blocks)).toContain(t!.number);
    cardTs = slackApi.messages.get('C_TIER1')![0]!.ts;
    expect(t!.links.map((l) => `${l.platform}:${l.role}`).sort()).toEqual(['slack:triage', 'teams:requester']);
  });

  it('claimed on Slack: the Teams requester hears who is on it', async () => {
    const card = slackPosts('C_TIER1')[0]!;
    expect(await slackButton(card.args.blocks, 'claim', BOB, 'C_TIER1', cardTs)).toBe(200);
    expect((await core.store.get(ticketId))!.assignee).toMatchObject({ platform: 'slack', user: 'UBOB' });
    await slackApi.waitFor(() => slackApi.callsOf('chat.update').find((c) => c.args.ts === cardTs));
    expect(teamsDm().some((p) => /Bob is working on IT-/.test(p.activity.text ?? ''))).toBe(true);
  });

  it('relays both ways between the Slack thread and the Teams chat, notes stay in Slack', async () => {
    await slackEvent({ type: 'message', channel: 'C_TIER1', channel_type: 'channel', user: 'UBOB', text: 'Try reinstalling the client <!channel>', ts: `${Date.now() / 1000}1`, thread_ts: cardTs });
    const relayed = teamsDm().find((p) => (p.activity.text ?? '').includes('Try reinstalling the client'));
    expect(relayed!.activity.text).toMatch(/^\*\*Bob \(slack\)\*\*: Try reinstalling the client @\u200bchannel$/);
    const n = connector.calls.length;
    await slackEvent({ type: 'message', channel: 'C_TIER1', channel_type: 'channel', user: 'UBOB', text: 'note: she is on an old laptop', ts: `${Date.now() / 1000}2`, thread_ts: cardTs });
    expect(connector.calls.length).toBe(n);

    await toTeams(personalMessage(connector.url, alice, 'Reinstalled, still drops'));
    const back = await slackApi.waitFor(() => slackPosts('C_TIER1').find((c) => c.args.thread_ts === cardTs && JSON.stringify(c.args).includes('Reinstalled, still drops')));
    expect(JSON.stringify(back.args)).toContain('Alice (Teams)');
  });

  it('escalated and resolved on Slack; the Teams requester rates it with the CSAT card', async () => {
    const card = slackPosts('C_TIER1')[0]!;
    const updated = slackApi.messages.get('C_TIER1')!.find((m) => m.ts === cardTs)!;
    expect(await slackButton(updated.blocks ?? card.args.blocks, 'escalate', BOB, 'C_TIER1', cardTs)).toBe(200);
    const tier2 = await slackApi.waitFor(() => slackPosts('C_TIER2')[0]);
    expect(blockText(tier2.args.blocks)).toContain('Reinstalled, still drops'); // the transcript travels
    expect(teamsDm().some((p) => /was passed to Tier 2/.test(p.activity.text ?? ''))).toBe(true);

    const tier2Ts = slackApi.messages.get('C_TIER2')![0]!.ts;
    expect(await slackButton(tier2.args.blocks, 'claim', CAROL, 'C_TIER2', tier2Ts)).toBe(200);
    const afterClaim = slackApi.messages.get('C_TIER2')![0]!;
    await slackApi.waitFor(() => findElement(afterClaim.blocks, 'resolve'));
    expect(await slackButton(afterClaim.blocks, 'resolve', CAROL, 'C_TIER2', tier2Ts)).toBe(200);
    expect((await core.store.get(ticketId))!.status).toBe('resolved');

    const csat = teamsDm().map((p) => cardOf(p.activity)).find((c) => c && verbsOf(c).includes('hd:rate'));
    expect(csat).toBeDefined();
    const four = csat.actions[3];
    const r = await toTeams(cardAction(connector.url, alice, { verb: four.verb, data: { ...four.data, comment: 'Fixed after tier 2 help' } }, { conversation: DM }));
    expect(JSON.stringify(r.body.value)).toContain('4/5');
    expect((await core.store.get(ticketId))!.csat).toMatchObject({ score: 4, comment: 'Fixed after tier 2 help' });
  });
});
