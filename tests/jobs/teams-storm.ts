import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import type { Composed } from '../../app/compose.js';
import type { Agent } from '../../core/domain/desk.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import type { JobsClient, StormOptions } from '../../jobs/index.js';
import { FakeBotConnector, TEAMS_THREAD_LIMITS, type ConnectorCall } from '../fakes/bot-connector.fake.js';
import { cardAction, TENANT, type TeamsUser } from '../teams/activities.js';
import { actionOf, cardOf } from '../teams/harness.js';
import { testDesk } from '../support/fixtures.js';
import { stormBackend } from './storm-wave.js';

/**
 * Shared by the Teams storm tests (tests/jobs/storm-triage.teams.test.ts, storm-escalation.teams.test.ts):
 * a desk whose tier channels are on Teams, the real adapter (botbuilder `CloudAdapter`) against the Bot
 * Connector fake with Teams' per-conversation windows enforced, what a channel shows, and a claim
 * pressed on a storm card the way Teams sends it.
 */

export const TEAMS_TIER1 = '19:tier1@thread.tacv2';
export const TEAMS_TIER2 = '19:tier2@thread.tacv2';

export interface TeamsStormRig {
  connector: FakeBotConnector;
  client: JobsClient;
  hd: Composed;
  /** POSTs an activity to the adapter's endpoint; the HTTP status and parsed body. */
  send(activity: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * Starts it: tiers 1 and 2 in `TEAMS_TIER1` / `TEAMS_TIER2`; the fake answers 429 beyond any of Teams'
 * windows (`TEAMS_THREAD_LIMITS`); the workers run the production limits (jobs/rate-limit.ts
 * `DEFAULT_LIMITS.teams`) with fast retries. `storm`: thresholds for both the client and the workers.
 */
export async function teamsStormRig(o: { tag: string; agents: Agent[]; storm?: Omit<StormOptions, 'limits'> }): Promise<TeamsStormRig> {
  const connector = await new FakeBotConnector().start();
  connector.threadLimits = TEAMS_THREAD_LIMITS;
  const desk = testDesk({ tiers: [{ level: 1, name: 'Tier 1', channels: { teams: { workspace: TENANT, channel: TEAMS_TIER1 } } }, { level: 2, name: 'Tier 2', channels: { teams: { workspace: TENANT, channel: TEAMS_TIER2 } } }] });
  const { client, hd, ...backend } = await stormBackend({ tag: o.tag, desk, agents: o.agents, ...(o.storm ? { storm: o.storm } : {}) });
  const teams: TeamsAdapter = createTeamsAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, serviceUrl: connector.url, log: silentLogger });
  hd.platforms.set('teams', teams.platform);
  const server: Server = createServer((req, res) => (req.url === '/api/messages' ? void teams.handleRequest(req, res) : res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  await backend.startWorkers();
  return {
    connector,
    client,
    hd,
    async send(activity) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await backend.close();
      await new Promise<void>((r) => server.close(() => r()));
      await connector.stop();
    },
  };
}

/** The activity a call carries (a new thread's first message, a send, a reply or an edit), if any. */
export const activityOf = (c: ConnectorCall): any => (c.kind === 'create' ? c.body?.activity : c.kind === 'update' || c.kind === 'send' || c.kind === 'reply' ? c.body : undefined);
/** Whether a call went into `channel` (its top level or any of its threads). */
export const inChannel = (c: ConnectorCall, channel: string): boolean => (c.kind === 'create' ? c.body?.channelData?.channel?.id === channel : c.conversationId?.split(';')[0] === channel);
/** The adaptive card a call carries, as JSON text. */
export const cardText = (c: ConnectorCall): string => JSON.stringify(cardOf(activityOf(c)) ?? '');
/** The message a call posted or edited. */
export const messageOf = (c: ConnectorCall): string | undefined => (c.kind === 'create' ? c.answeredActivityId : c.activityId);

/** Accepted calls into `channel` (any of its threads), oldest first. */
export const teamsChannelCalls = (connector: FakeBotConnector, channel: string): ConnectorCall[] => connector.calls.filter((c) => inChannel(c, channel) && c.status < 300);

/** Ticket numbers a channel's cards show (post, reply or edit), with when the connector first accepted each. */
export function teamsShownNumbers(connector: FakeBotConnector, channel: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const c of teamsChannelCalls(connector, channel)) for (const m of cardText(c).matchAll(/IT-\d+/g)) if (!first.has(m[0])) first.set(m[0], c.at);
  return first;
}

/** The card as `channel` shows message `messageId` now (its last accepted post or edit). */
export function currentCard(connector: FakeBotConnector, channel: string, messageId: string): any {
  return cardOf(activityOf([...teamsChannelCalls(connector, channel)].reverse().find((c) => messageOf(c) === messageId)!));
}

/**
 * Presses the claim (`Action.Execute`) of storm card `messageId` in `channel` as `user`, the way Teams
 * sends it: an `adaptiveCard/action` invoke in the card's thread. Returns the claimed ticket's id and
 * the adapter's HTTP answer.
 */
export async function teamsClaimFromStormCard(rig: TeamsStormRig, o: { channel: string; messageId: string; user: TeamsUser; locale?: string }): Promise<{ ticketId: string; status: number; body: any }> {
  const claim = actionOf(currentCard(rig.connector, o.channel, o.messageId), 'hd:claim');
  const r = await rig.send(cardAction(rig.connector.url, o.user, claim, { conversation: `${o.channel};messageid=${o.messageId}`, replyToId: o.messageId }, o.locale ? { locale: o.locale } : {}));
  return { ticketId: claim.data.hd.ticketId as string, ...r };
}
