import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Redis } from 'ioredis';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { MagicLinks } from '../../adapters/web/auth/magic-link.js';
import { SessionStore } from '../../adapters/web/auth/session.js';
import { createWebChat } from '../../adapters/web/chat/chat.module.js';
import { LiveBus } from '../../adapters/web/live/live-bus.js';
import { RateLimiter } from '../../adapters/web/security/rate-limit.js';
import { createWebApp } from '../../adapters/web/web.app.js';
import type { WebContext } from '../../adapters/web/web.context.js';
import { webStrings } from '../../adapters/web/web.i18n.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Desk } from '../../core/domain/desk.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { blockText, findElement } from '../slack/slack-harness.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';

export const SECRET = 'web-chat-slack-secret';
export const BOB = person('slack', 'UBOB', 'T1', 'Bob');
export const CAROL = person('slack', 'UCAROL', 'T1', 'Carol');
export const TOKEN_SECRET = 'test-visitor-token-secret-0123456789';

/**
 * Core on a fresh database, the web chat (Hono app on a real HTTP server, Redis streams on the test
 * Redis with a random prefix) and the real Bolt app against the Slack Web API fake: agents in Slack,
 * requesters in the browser. `allowedOrigins` feeds the desk's `channels.web.allowedOrigins`.
 */
export async function startChatHarness(o: { allowedOrigins?: string[]; desk?: Partial<Desk> } = {}) {
  const db = await freshDb();
  const prefix = `t${randomId()}:`;
  const redis = new Redis(testRedisUrl());
  const chat = createWebChat({ redis, keyPrefix: prefix, heartbeatMs: 5_000 });
  await chat.start();
  const kb = new KeywordKb([
    { id: 'vpn-reset', title: 'Reset your VPN profile', keyword: 'vpn' },
    { id: 'printer-jam', title: 'Clear a printer jam', keyword: 'printer' },
  ]);
  const desk = testDesk({
    id: 'it',
    kind: 'external',
    tiers: [
      { level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } },
      { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } },
    ],
    channels: { web: { allowedOrigins: o.allowedOrigins ?? [] } },
    ...o.desk,
  });
  const core: Composed = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('bob', [BOB], 1), testAgent('carol', [CAROL], 2)], kb });
  core.platforms.set('web', chat.platform);
  const live = new LiveBus({ redis, keyPrefix: prefix, log: silentLogger });
  await live.start();
  const slackApi = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
  const slack: SlackAdapter = createSlackAdapter({
    helpdesk: core.helpdesk, signingSecret: SECRET, botToken: 'xoxb-test', apiUrl: slackApi.apiUrl, processBeforeResponse: true, botUserId: 'UBOT', botId: 'BBOT', log: silentLogger, deskLocale: 'en',
  });
  core.platforms.set('slack', slack.platform);
  // The real web app of adapters/web (sessions, CSRF, CSP, limits) with the chat module, as app/web.ts builds it.
  const config: WebContext['config'] = { publicBaseUrl: 'http://127.0.0.1', allowedOrigins: [], secureCookies: false, maxBodyBytes: 64 * 1024, enabledPlatforms: ['slack', 'web'] };
  const ctx: WebContext = {
    helpdesk: core.helpdesk, deps: core.deps, desks: core.directory.desks(), kb, redis, keyPrefix: prefix, live,
    sessions: new SessionStore(redis, prefix), magicLinks: new MagicLinks(TOKEN_SECRET, redis, prefix), rateLimiter: new RateLimiter(redis, prefix),
    i18n: webStrings, log: silentLogger, config,
  };
  const listener = getRequestListener(createWebApp({ ctx, modules: [chat.routes(TOKEN_SECRET)] }).fetch, { overrideGlobalObjects: false });
  const server: Server = createServer((req, res) => {
    if (slack.handles(req)) return slack.requestListener!(req, res);
    return listener(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config.publicBaseUrl = base;

  return {
    core, chat, kb, slackApi, slack, base, redis, prefix, ctx,
    api: `${base}/chat/api/it`,
    async stop() {
      await chat.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await slack.stop();
      await slackApi.stop();
      await live.close();
      redis.disconnect();
      await db.drop();
    },
  };
}
export type ChatHarness = Awaited<ReturnType<typeof startChatHarness>>;

/** A visitor with a widget-style token (header), for HTTP-level tests. */
export async function newVisitor(h: ChatHarness, name = 'Vera', email = 'vera@example.com') {
  const res = await fetch(`${h.api}/visitor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, email, mode: 'widget' }) });
  const body = (await res.json()) as { token: string };
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${body.token}` };
  const call = async (method: string, path: string, payload?: unknown, extra: Record<string, string> = {}) => {
    const r = await fetch(`${h.api}${path}`, { method, headers: { ...headers, ...extra }, body: payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload) });
    const text = await r.text();
    let json: Record<string, any> = {};
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, json, text };
  };
  return { token: body.token, headers, call };
}

/** Slack side of the harness: signed events and button clicks as Slack sends them. */
export function slackAgent(h: ChatHarness) {
  const toSlack = async (body: string, contentType: string) => {
    const res = await fetch(`${h.base}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...signSlackRequest(SECRET, body) }, body });
    return res.status;
  };
  return {
    /** A thread reply in a Slack channel (an agent answering on the ticket's card). */
    reply: (user: typeof BOB, channel: string, threadTs: string, text: string) =>
      toSlack(
        JSON.stringify({
          token: 'x', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: `Ev${randomId()}`, event_time: Math.floor(Date.now() / 1000),
          event: { type: 'message', channel, channel_type: 'channel', user: user.user, text, ts: `${Date.now() / 1000}${Math.floor(Math.random() * 1000)}`, thread_ts: threadTs },
          authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
        }),
        'application/json',
      ),
    /** Clicks the card's button `name` (claim, resolve…). */
    button: (blocks: unknown, name: string, user: typeof BOB, channel: string, ts: string) => {
      const el = findElement(blocks, name);
      if (!el) throw new Error(`no ${name} button`);
      const payload = {
        type: 'block_actions', user: { id: user.user, username: user.name, name: user.name, team_id: 'T1' }, api_app_id: 'A1', token: 'x', trigger_id: `trg.${randomId()}`,
        team: { id: 'T1', domain: 'fake' }, container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false }, channel: { id: channel, name: 'x' },
        message: { type: 'message', ts, text: '', blocks }, response_url: h.slackApi.responseUrl(`act-${randomId()}`),
        actions: [{ action_id: el.action_id, block_id: 'b1', type: el.type, value: el.value, text: el.text, action_ts: `${Date.now() / 1000}` }],
      };
      return toSlack(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');
    },
    /** The card posted for `ticketNumber` in `channel`, with its ts and current blocks. */
    card: async (channel: string, ticketNumber: string) => {
      const m = await h.slackApi.waitFor(() => (h.slackApi.messages.get(channel) ?? []).find((x) => !x.thread_ts && blockText(x.blocks).includes(ticketNumber)));
      return m;
    },
  };
}
