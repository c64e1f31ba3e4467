import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { openKnowledgeBase } from '../../kb/open-kb.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { SlackSocketModeFake } from '../fakes/slack-socket-mode.fake.js';
import { testAgent, testDesk } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';
import { ALICE, BOB, blockText, findElement, TEAM, TIER1 } from './slack-harness.js';

/**
 * Socket Mode end to end: the real Bolt app with its SocketModeReceiver (the SDK's own WebSocket
 * client) connects through `apps.connections.open` on the fake Web API to the fake Socket Mode
 * endpoint, receives envelopes there and acks them; core runs on FerretDB with the real KB.
 */
describe('slack socket mode: connect → /help → DM ticket → redelivery → claim by :eyes: → refresh → still working', () => {
  let api: SlackApiFake;
  let sock: SlackSocketModeFake;
  let db: Awaited<ReturnType<typeof freshDb>>;
  let kbh: Awaited<ReturnType<typeof openKnowledgeBase>>;
  let composed: Composed;
  let adapter: SlackAdapter;
  let seq = 0;
  const ts = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  const REQ = 'USOCK';
  const posts = (channel: string) => api.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);
  const ticketsOf = (user: string) => composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user } });

  /** The Events API callback Slack wraps in an `events_api` envelope. */
  const callback = (event: Record<string, unknown>, eventId: string) => ({
    token: 'legacy', team_id: TEAM, api_app_id: 'A1', event, type: 'event_callback', event_id: eventId,
    event_time: Math.floor(Date.now() / 1000), is_ext_shared_channel: false,
    authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  });
  /** A slash command as Socket Mode carries it: the HTTP form fields as a JSON object. */
  const slash = (text: string, user: string, triggerId: string) => ({
    token: 'legacy', team_id: TEAM, team_domain: 'fake', channel_id: 'CGENERAL', channel_name: 'general', user_id: user,
    user_name: user, command: '/help', text, api_app_id: 'A1', is_enterprise_install: 'false',
    response_url: api.responseUrl(`sock-${triggerId}`), trigger_id: triggerId,
  });

  beforeAll(async () => {
    sock = await new SlackSocketModeFake('A1').start();
    api = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: TEAM }).start();
    api.socketModeUrl = () => sock.issueUrl();
    db = await freshDb();
    kbh = await openKnowledgeBase({ dir: path.resolve(import.meta.dirname, '../../kb/articles') });
    composed = await composeHelpdesk({
      connection: db.connection,
      desks: [testDesk()],
      agents: [testAgent('alice', [ALICE]), testAgent('bob', [BOB])],
      kb: kbh.kb,
    });
    adapter = createSlackAdapter({
      helpdesk: composed.helpdesk,
      signingSecret: 'unused-in-socket-mode',
      botToken: 'xoxb-test',
      appToken: 'xapp-test',
      socketMode: true,
      // Reconnects wait this long after a `disconnect`; the SDK's 5 s would dominate the test.
      socketPingTimeoutMs: 1000,
      apiUrl: api.apiUrl,
      log: silentLogger,
      deskLocale: 'en',
    });
    composed.platforms.set('slack', adapter.platform);
    await adapter.start(); // resolves on the server's `hello`
    await api.waitFor(() => api.callsOf('auth.test')[0]);
  });

  afterAll(async () => {
    await adapter?.stop();
    await sock?.stop();
    await api?.stop();
    await kbh?.close();
    await db?.drop();
  });

  it('connects with the app-level token through apps.connections.open and gets hello', () => {
    const opens = api.callsOf('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.token).toBe('xapp-test');
    expect(sock.connections).toHaveLength(1);
    expect(sock.current?.n).toBe(1);
    expect(sock.refused).toBe(0);
  });

  it('/help <text> in a slash_commands envelope is acked and answered ephemerally with suggestions', async () => {
    const env = sock.send('slash_commands', slash('my vpn keeps disconnecting', REQ, 'trg.sock.1'));
    const ack = await sock.ackOf(env);
    expect(ack.connection).toBe(1);
    const resp = await api.waitFor(() => api.responses.find((r) => r.id === 'sock-trg.sock.1'));
    expect(resp.body.response_type).toBe('ephemeral');
    expect(findElement(resp.body.blocks, 'solved')).toBeDefined();
    expect(findElement(resp.body.blocks, 'need_help')).toBeDefined();
    const [t] = await ticketsOf(REQ);
    expect(t?.status).toBe('new');
  });

  let number = '';
  let cardTs = '';
  let dm: Record<string, unknown> = {};
  it('a DM in an events_api envelope opens a ticket: card in tier 1, answer in the DM', async () => {
    const at = ts();
    dm = { type: 'message', channel: 'DUDM', channel_type: 'im', user: 'UDM', text: 'the coffee machine on floor 3 makes a weird noise', ts: at, event_ts: at };
    const env = sock.send('events_api', callback(dm, 'EvSOCK1'));
    await sock.ackOf(env);
    const card = await api.waitFor(() => posts(TIER1)[0]);
    cardTs = (await api.waitFor(() => api.messages.get(TIER1)?.[0])).ts;
    await api.waitFor(() => posts('DUDM')[0]);
    const tickets = await ticketsOf('UDM');
    expect(tickets).toHaveLength(1);
    number = tickets[0]!.number;
    expect(blockText(card.args.blocks)).toContain(number);
  });

  it('a redelivered envelope (same event_id, retry_attempt 1) is acked and creates nothing twice', async () => {
    // The same event (Slack keeps event_id and the event; only the envelope is new).
    const redelivered = sock.send('events_api', callback(dm, 'EvSOCK1'), { retryAttempt: 1, retryReason: 'timeout' });
    await sock.ackOf(redelivered);
    // A later event that does visible work: once it is done, the (lighter) redelivery is too.
    const sentinel = sock.send('events_api', callback({ type: 'message', channel: TIER1, channel_type: 'channel', user: ALICE.user, text: 'looking into the coffee machine', ts: ts(), thread_ts: cardTs }, 'EvSOCK2'));
    await sock.ackOf(sentinel);
    await api.waitFor(() => posts('DUDM').find((c) => String(c.args.text).includes('looking into the coffee machine')));

    expect(await ticketsOf('UDM')).toHaveLength(1);
    expect(posts(TIER1).filter((c) => !c.args.thread_ts)).toHaveLength(1); // one card
    // Nothing of the request is recorded or relayed a second time (not as a reply on the ticket either).
    const t = (await composed.store.getByNumber(number))!;
    const timeline = await composed.store.timeline(t.id, { includeInternal: true });
    expect(timeline.filter((e) => e.kind === 'message' && e.text?.includes('makes a weird noise'))).toHaveLength(1);
    expect(posts(TIER1).filter((c) => c.args.thread_ts && String(c.args.text).includes('makes a weird noise'))).toHaveLength(0);
    // The requester's DM got only notices about this ticket and the agent's reply.
    for (const c of posts('DUDM')) expect(String(c.args.text)).toMatch(new RegExp(`${number}|looking into the coffee machine`));
  });

  it('an :eyes: reaction_added in an events_api envelope claims the ticket and edits the card', async () => {
    const env = sock.send('events_api', callback({ type: 'reaction_added', user: ALICE.user, reaction: 'eyes', item: { type: 'message', channel: TIER1, ts: cardTs }, item_user: 'UBOT', event_ts: ts() }, 'EvSOCK3'));
    await sock.ackOf(env);
    const upd = await api.waitFor(() => api.callsOf('chat.update').find((c) => c.args.ts === cardTs && blockText(c.args.blocks).includes('Alice')));
    expect(findElement(upd.args.blocks, 'claim')).toBeUndefined();
    expect((await composed.store.getByNumber(number))?.assignee?.user).toBe(ALICE.user);
  });

  it('malformed envelopes (a slash command without user, a DM event with a numeric channel) are acked empty, counted, and do nothing', async () => {
    const before = await adapter.rejections.count('slack');
    const tickets = (await composed.store.list({})).length;
    const bad = { ...slash('my screen is blank', REQ, 'trg.sock.bad'), user_id: undefined };
    const e1 = sock.send('slash_commands', bad);
    const e2 = sock.send('events_api', callback({ type: 'message', channel: 42, channel_type: 'im', user: 'UDM', text: 'hello?', ts: ts() }, 'EvSOCKBAD'));
    expect((await sock.ackOf(e1)).payload ?? {}).toEqual({}); // an empty ack: nothing shown to the person
    expect((await sock.ackOf(e2)).payload ?? {}).toEqual({});
    expect(await adapter.rejections.count('slack', 'command')).toBe(1);
    expect(await adapter.rejections.count('slack')).toBe(before + 2);
    expect(api.responses.find((r) => r.id === 'sock-trg.sock.bad')).toBeUndefined();
    expect((await composed.store.list({})).length).toBe(tickets);
  });

  it('a server disconnect (refresh_requested) makes the client open a new connection and keep working', async () => {
    sock.disconnect('refresh_requested');
    await sock.waitFor(() => sock.connections.length === 2 && sock.current?.n === 2, 8000);
    expect(api.callsOf('apps.connections.open')).toHaveLength(2);
    expect(sock.connections[0]!.open).toBe(false);
    expect(sock.refused).toBe(0);

    const env = sock.send('slash_commands', slash('status', REQ, 'trg.sock.2'));
    expect((await sock.ackOf(env)).connection).toBe(2);
    await api.waitFor(() => api.responses.find((r) => r.id === 'sock-trg.sock.2'));

    const second = sock.send('events_api', callback({ type: 'reaction_added', user: BOB.user, reaction: 'eyes', item: { type: 'message', channel: TIER1, ts: cardTs }, item_user: 'UBOT', event_ts: ts() }, 'EvSOCK4'));
    expect((await sock.ackOf(second)).connection).toBe(2);
    const eph = await api.waitFor(() => api.callsOf('chat.postEphemeral').find((c) => c.args.user === BOB.user));
    expect(String(eph.args.text)).toMatch(/already claimed by Alice/);
  });
});
