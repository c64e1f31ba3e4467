import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { signSlackRequest } from '../../adapters/slack/slack.verify.js';
import type { Composed } from '../../app/compose.js';
import type { Agent } from '../../core/domain/desk.js';
import type { Identity } from '../../core/domain/identity.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import type { JobsClient, StormOptions } from '../../jobs/index.js';
import { SlackApiFake, type SlackCall } from '../fakes/slack-api.fake.js';
import { blockText, findElement } from '../slack/slack-harness.js';
import { testDesk } from '../support/fixtures.js';
import { randomId } from '../support/services.js';
import { stormBackend } from './storm-wave.js';

/**
 * Shared by the Slack storm tests (tests/jobs/storm-triage.test.ts, storm-escalation.test.ts): what a
 * tier channel shows, and a claim pressed on a storm card the way Slack sends it.
 */

/** A Slack storm test's world: the Slack fake at Slack's channel limit, a helpdesk, the real adapter, workers. */
export interface SlackStormRig {
  fake: SlackApiFake;
  client: JobsClient;
  hd: Composed;
  /** The adapter's events endpoint (slash commands, interactivity). */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts it: one desk whose tier 1 and tier 2 are Slack channels `C_TIER1`, `C_TIER2`; the fake holds
 * Slack's documented limit for posting in a channel (~1 per second, short bursts); the workers run the
 * production limits with fast retries. `storm`: thresholds for both the client and the workers.
 */
export async function slackStormRig(o: { tag: string; secret: string; agents: Agent[]; storm?: Omit<StormOptions, 'limits'> }): Promise<SlackStormRig> {
  const fake = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }).start();
  fake.channelLimit = { perSecond: 1, burst: 3 };
  const desk = testDesk({ tiers: [{ level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }, { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } }] });
  const { client, hd, ...backend } = await stormBackend({ tag: o.tag, desk, agents: o.agents, ...(o.storm ? { storm: o.storm } : {}) });
  const adapter: SlackAdapter = createSlackAdapter({ helpdesk: hd.helpdesk, signingSecret: o.secret, botToken: 'xoxb-test', apiUrl: fake.apiUrl, processBeforeResponse: true, botUserId: 'UBOT', botId: 'BBOT', deskLocale: 'en', log: silentLogger });
  hd.platforms.set('slack', adapter.platform);
  const server: Server = createServer((req, res) => (adapter.handles(req) ? adapter.requestListener!(req, res) : res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  await backend.startWorkers();
  return {
    fake,
    client,
    hd,
    url,
    async close() {
      await backend.close();
      await adapter.stop().catch(() => {});
      await new Promise<void>((r) => server.close(() => r()));
      await fake.stop();
    },
  };
}

/** Accepted posts and edits in `channel` (what people there can see), oldest first. */
export function channelCalls(calls: readonly SlackCall[], channel: string): SlackCall[] {
  return calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args.channel === channel && !c.limited);
}

/** A call's text: the fallback text and every block's. */
export const callText = (c: SlackCall): string => `${String(c.args.text ?? '')}\n${blockText(c.args.blocks)}`;

/** Ticket numbers a channel's messages show (post or edit), with when Slack first received each. */
export function shownNumbers(calls: readonly SlackCall[], channel: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const c of channelCalls(calls, channel)) for (const m of callText(c).matchAll(/IT-\d+/g)) if (!first.has(m[0])) first.set(m[0], c.at);
  return first;
}

/**
 * Presses the claim button of the newest storm card in `channel` (its text includes `marker`) as
 * `user`, signed as Slack signs it. The card is found as the channel shows it now (its list grows by
 * edits). Returns the card's ts, the claimed number and the HTTP status.
 */
export async function claimFromStormCard(fake: SlackApiFake, o: { url: string; secret: string; channel: string; marker: string; user: Identity }): Promise<{ ts: string; number: string; status: number }> {
  const live = [...(fake.messages.get(o.channel) ?? [])].reverse().find((m) => String(m.text ?? '').includes(o.marker) && findElement(m.blocks, 'claim'));
  if (!live) throw new Error(`no storm card with a claim button in ${o.channel}`);
  const button = findElement(live.blocks, 'claim')!;
  const number = String((button.text as { text: string }).text).replace('Claim ', '');
  const payload = {
    type: 'block_actions', user: { id: o.user.user, username: o.user.name, name: o.user.name, team_id: o.user.workspace }, api_app_id: 'A1', token: 'legacy', trigger_id: `trg.${randomId()}`,
    team: { id: o.user.workspace, domain: 'fake' }, enterprise: null, is_enterprise_install: false,
    container: { type: 'message', message_ts: live.ts, channel_id: o.channel, is_ephemeral: false }, channel: { id: o.channel, name: o.channel.toLowerCase() },
    message: { type: 'message', ts: live.ts, text: '', blocks: live.blocks }, response_url: fake.responseUrl(`act-${randomId()}`),
    actions: [{ action_id: button.action_id, block_id: 'b1', type: 'button', value: button.value, text: button.text, action_ts: `${Date.now() / 1000}` }],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(o.secret, body) }, body });
  return { ts: live.ts, number, status: res.status };
}
