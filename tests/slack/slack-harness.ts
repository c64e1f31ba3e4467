import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Desk } from '../../core/domain/desk.js';
import { silentLogger, type Logger } from '../../core/ports/logger.port.js';
import { openKnowledgeBase } from '../../kb/open-kb.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId } from '../support/services.js';

export const SECRET = 'test-signing-secret';
export const TEAM = 'T1';
export const TIER1 = 'C_TIER1';
export const TIER2 = 'C_TIER2';
export const ALICE = person('slack', 'UALICE', TEAM, 'Alice');
export const BOB = person('slack', 'UBOB', TEAM, 'Bob');
export const CAROL = person('slack', 'UCAROL', TEAM, 'Carol');

type Block = { type: string; elements?: Array<Record<string, unknown>>; text?: { text?: string }; fields?: Array<{ text: string }> };

/** The real Bolt app over HTTP, core on a fresh database, the real KB, and the fake Web API. `desk` overrides the test desk. */
/**
 * `knownBot`: give Bolt the bot's ids so it skips `auth.test` at start (Bolt keeps that call's promise
 * for every later request: on a saturated machine a late answer would fail them all).
 */
export async function startSlackHarness(o: { desk?: Partial<Desk>; log?: Logger; knownBot?: boolean } = {}) {
  const fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: TEAM }).start();
  const db = await freshDb();
  const kbh = await openKnowledgeBase({ dir: path.resolve(import.meta.dirname, '../../kb/articles') });
  const composed: Composed = await composeHelpdesk({
    connection: db.connection,
    desks: [testDesk(o.desk)],
    agents: [testAgent('alice', [ALICE]), testAgent('bob', [BOB]), testAgent('carol', [CAROL], 2)],
    kb: kbh.kb,
  });
  const adapter: SlackAdapter = createSlackAdapter({
    helpdesk: composed.helpdesk,
    signingSecret: SECRET,
    botToken: 'xoxb-test',
    apiUrl: fake.apiUrl,
    processBeforeResponse: true,
    log: o.log ?? silentLogger,
    deskLocale: 'en',
    ...(o.knownBot ? { botUserId: 'UBOT', botId: 'BBOT' } : {}),
  });
  composed.platforms.set('slack', adapter.platform);
  // Bolt verifies the token with auth.test as it starts; let that land before tests count calls.
  if (!o.knownBot) await fake.waitFor(() => fake.callsOf('auth.test')[0]);
  const server: Server = createServer((req, res) => {
    if (adapter.handles(req)) return adapter.requestListener!(req, res);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;

  let seq = 0;
  const next = () => `${Date.now()}.${++seq}`;

  /** A signed POST to the receiver, as Slack sends it. */
  async function send(body: string, contentType: string, o: { retryNum?: number; secret?: string; timestamp?: number } = {}) {
    const headers: Record<string, string> = { 'content-type': contentType, ...signSlackRequest(o.secret ?? SECRET, body, o.timestamp) };
    if (o.retryNum) Object.assign(headers, { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' });
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  }

  /** A slash command: the form body exactly as Slack posts it. */
  function commandBody(text: string, o: { user?: { user: string; name?: string }; channel?: string; triggerId?: string } = {}) {
    const user = o.user ?? { user: 'UREQ', name: 'requester' };
    const id = o.triggerId ?? `trg.${next()}`;
    return new URLSearchParams({
      token: 'legacy', team_id: TEAM, team_domain: 'fake', channel_id: o.channel ?? 'CGENERAL', channel_name: 'general',
      user_id: user.user, user_name: user.name ?? user.user, command: '/help', text, api_app_id: 'A1', is_enterprise_install: 'false',
      response_url: fake.responseUrl(`cmd-${id}`), trigger_id: id,
    }).toString();
  }
  const command = (text: string, o: Parameters<typeof commandBody>[1] & { retryNum?: number } = {}) => send(commandBody(text, o), 'application/x-www-form-urlencoded', o);

  const interaction = (payload: Record<string, unknown>, o: { retryNum?: number } = {}) =>
    send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', o);

  /** A block_actions payload for the button/select `actionPrefix` found in `blocks`. */
  function blockAction(blocks: unknown, actionPrefix: string, o: { user: { user: string; name?: string }; channel: string; messageTs?: string; ephemeral?: boolean; option?: string; arg?: string; triggerId?: string }) {
    const el = findElement(blocks, actionPrefix, o.arg);
    if (!el) throw new Error(`no ${actionPrefix} element in blocks`);
    const trigger = o.triggerId ?? `trg.${next()}`;
    const action: Record<string, unknown> = { action_id: el.action_id, block_id: 'b1', type: el.type, action_ts: next() };
    if (el.type === 'button') Object.assign(action, { value: el.value, text: el.text });
    else {
      const opt = (el.options as Array<{ value: string; text: unknown }>).find((x) => x.value.endsWith(`:${o.option}`));
      Object.assign(action, { selected_option: opt });
    }
    return {
      type: 'block_actions',
      user: { id: o.user.user, username: o.user.name ?? o.user.user, name: o.user.name ?? o.user.user, team_id: TEAM },
      api_app_id: 'A1', token: 'legacy', trigger_id: trigger,
      team: { id: TEAM, domain: 'fake' }, enterprise: null, is_enterprise_install: false,
      container: { type: 'message', message_ts: o.messageTs ?? next(), channel_id: o.channel, is_ephemeral: o.ephemeral ?? false },
      channel: { id: o.channel, name: 'x' },
      ...(o.ephemeral ? {} : { message: { type: 'message', ts: o.messageTs, text: '', blocks } }),
      response_url: fake.responseUrl(`act-${trigger}`),
      actions: [action],
    };
  }

  function viewPayload(type: 'view_submission' | 'view_closed', view: Record<string, unknown>, values: Record<string, Record<string, unknown>>, user: { user: string; name?: string }) {
    return {
      type,
      team: { id: TEAM, domain: 'fake' },
      user: { id: user.user, username: user.name ?? user.user, name: user.name ?? user.user, team_id: TEAM },
      api_app_id: 'A1', token: 'legacy', trigger_id: `trg.${next()}`,
      view: { id: `V${++seq}`, team_id: TEAM, type: 'modal', hash: 'h', ...view, state: { values } },
      ...(type === 'view_submission' ? { response_urls: [] } : { is_cleared: false }),
      is_enterprise_install: false, enterprise: null,
    };
  }

  /** An Events API callback. */
  const event = (ev: Record<string, unknown>, o: { eventId?: string; retryNum?: number } = {}) =>
    send(
      JSON.stringify({
        token: 'legacy', team_id: TEAM, api_app_id: 'A1', event: ev, type: 'event_callback',
        event_id: o.eventId ?? `Ev${randomId()}`, event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      }),
      'application/json',
      o,
    );

  return {
    fake, composed, adapter, url, send, db, command, commandBody, interaction, blockAction, viewPayload, event, next,
    async stop() {
      await adapter.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await fake.stop();
      await kbh.close();
      await db.drop();
    },
  };
}

export type SlackHarness = Awaited<ReturnType<typeof startSlackHarness>>;

/** The first interactive element whose action_id starts with `hd:<name>:` (and whose value ends with `|arg`). */
export function findElement(blocks: unknown, name: string, arg?: string): Record<string, unknown> & { action_id: string; type: string; value?: string } | undefined {
  for (const b of (blocks ?? []) as Block[]) {
    for (const el of b.elements ?? []) {
      if (arg !== undefined && !String(el.value ?? '').endsWith(`:${arg}`)) continue;
      if (typeof el.action_id === 'string' && el.action_id.startsWith(`hd:${name}:`)) return el as never;
    }
  }
  return undefined;
}

/** All visible text of a Block Kit message (to assert on content). */
export function blockText(blocks: unknown): string {
  const out: string[] = [];
  for (const b of (blocks ?? []) as Block[]) {
    if (b.text?.text) out.push(b.text.text);
    for (const f of b.fields ?? []) out.push(f.text);
    for (const el of b.elements ?? []) if (typeof (el as { text?: unknown }).text === 'string') out.push((el as { text: string }).text);
  }
  return out.join('\n');
}
