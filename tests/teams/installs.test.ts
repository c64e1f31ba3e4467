import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import { MemoryTeamsInstallStore, type TeamsInstallStore } from '../../adapters/teams/teams.installs.js';
import { SharedTeamsInstallStore } from '../../adapters/teams/teams.installs.shared.js';
import pino from 'pino';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { RequestHandler } from '../../app/http-server.js';
import { startPlatforms } from '../../app/platforms.js';
import type { Platform } from '../../core/domain/identity.js';
import type { ChatPlatform } from '../../core/ports/chat-platform.port.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { MongoAdapterStateStore } from '../../core/store/adapter-state.store.js';
import { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';
import { BOT, botAddedToTeam, cardAction, personalMessage, TEAM, type TeamsUser } from './activities.js';
import { actionOf, cardOf } from './harness.js';

const TIER1 = '19:tier1@thread.tacv2';
const alice: TeamsUser = { id: '29:alice', name: 'Alice Requester' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const dave: TeamsUser = { id: '29:dave', name: 'Dave Requester' };

/** One web replica: its own mongoose connection, core, Teams adapter and HTTP endpoint. */
interface Replica {
  core: Composed;
  teams: TeamsAdapter;
  send(activity: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

async function startReplica(uri: string, o: { fallbackServiceUrl: string; installs: (c: Connection) => TeamsInstallStore }): Promise<Replica> {
  const connection = await mongoose.createConnection(uri).asPromise();
  const platforms = new Map<Platform, ChatPlatform>();
  const desk = testDesk();
  const core = await composeHelpdesk({ connection, desks: [desk], agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1)], kb: new KeywordKb(), platforms });
  const teams = createTeamsAdapter({ helpdesk: core.helpdesk, directory: core.directory, store: core.store, serviceUrl: o.fallbackServiceUrl, installs: o.installs(connection), log: silentLogger });
  platforms.set('teams', teams.platform);
  const server: Server = createServer((req, res) => void teams.handleRequest(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    core,
    teams,
    async send(activity) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await connection.close();
    },
  };
}

/** A requester asks in the 1:1 chat, then presses "I still need help": the triage card goes to tier 1. */
async function requestHelp(r: Replica, connector: FakeBotConnector, who: TeamsUser, text: string): Promise<void> {
  expect((await r.send(personalMessage(connector.url, who, text))).status).toBe(200);
  const suggestions = cardOf(connector.posted().filter((p) => p.call.conversationId === `a:dm-${who.id}`).at(-1)!.activity);
  const needHelp = await r.send(cardAction(connector.url, who, actionOf(suggestions, 'hd:need_help'), { conversation: `a:dm-${who.id}`, replyToId: '1' }));
  expect(needHelp.status).toBe(200);
}

describe('Teams installs are shared state: a second replica posts proactively from the stored install', () => {
  let db: Awaited<ReturnType<typeof freshDb>>;
  /** The tenant's real connector (the serviceUrl Teams sends with its activities). */
  let connector: FakeBotConnector;
  /** The configured fallback: reached only when the tenant's service URL is unknown. */
  let fallback: FakeBotConnector;
  const replicas: Replica[] = [];
  const shared = (c: Connection) => new SharedTeamsInstallStore(new MongoAdapterStateStore(c));

  beforeAll(async () => {
    db = await freshDb();
    connector = await new FakeBotConnector().start();
    fallback = await new FakeBotConnector().start();
  });
  afterAll(async () => {
    for (const r of replicas) await r.close();
    await connector?.stop();
    await fallback?.stop();
    await db?.drop();
  });

  it('bot added to a team on replica A → replica B (new instance, same database) posts the triage card to that service URL', async () => {
    const a = await startReplica(db.uri, { fallbackServiceUrl: fallback.url, installs: shared });
    replicas.push(a);
    expect((await a.send(botAddedToTeam(connector.url, bob))).status).toBe(200);
    expect(connector.posted().some((p) => p.call.conversationId === TEAM && /I am the IT helpdesk/.test(p.activity.text ?? ''))).toBe(true);

    const b = await startReplica(db.uri, { fallbackServiceUrl: fallback.url, installs: shared });
    replicas.push(b);
    expect(await b.teams.installs.list()).toEqual([{ tenantId: 'tenant1', teamId: TEAM, teamName: 'IT Support', serviceUrl: connector.url, at: expect.any(Date) }]);
    expect(await b.teams.installs.serviceUrlFor('tenant1')).toBe(connector.url);

    await requestHelp(b, connector, alice, 'My VPN keeps dropping every hour');
    const created = connector.callsOf('create', TIER1);
    expect(created).toHaveLength(1);
    expect(cardOf(created[0]!.body.activity).body).toBeDefined();
    expect(created[0]!.body).toMatchObject({ isGroup: true, channelData: { channel: { id: TIER1 } } });
    expect(fallback.calls).toHaveLength(0);
    const [ticket] = await b.core.store.list({ requester: person('teams', alice.id) });
    expect(ticket!.links.find((l) => l.role === 'triage')).toMatchObject({ platform: 'teams', channel: TIER1, message: created[0]!.answeredActivityId });
  });

  it('control: a replica that only remembers in memory does not know the tenant and falls back', async () => {
    const c = await startReplica(db.uri, { fallbackServiceUrl: fallback.url, installs: () => new MemoryTeamsInstallStore() });
    replicas.push(c);
    await requestHelp(c, connector, dave, 'VPN disconnects after lunch');
    expect(fallback.callsOf('create', TIER1)).toHaveLength(1);
  });

  it('the bot itself is the recipient; an unrelated member joining records nothing', async () => {
    const before = await shared(db.connection).list();
    const someoneElse = { ...botAddedToTeam(connector.url, bob), membersAdded: [{ id: '29:new-colleague' }] };
    expect(someoneElse.recipient).toEqual(BOT);
    expect((await replicas[0]!.send(someoneElse)).status).toBe(200);
    expect(await shared(db.connection).list()).toEqual(before);
  });
});

describe('app wiring: startPlatforms gives the Teams adapter the MongoDB install store', () => {
  it('an install received through the app route lands in adapter_state, keyed by _id', async () => {
    const db = await freshDb();
    const connector = await new FakeBotConnector().start();
    const core = await composeHelpdesk({ connection: db.connection, desks: [testDesk()], agents: [], kb: new KeywordKb() });
    const routes = new Map<string, RequestHandler>();
    const started = await startPlatforms({ settings: { teams: {} }, composed: core, routes, log: pino({ level: 'silent' }), startGateway: false, receiveHttp: true });
    const server: Server = createServer((req, res) => void routes.get(req.url ?? '')?.(req, res));
    try {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(botAddedToTeam(connector.url, bob)) });
      expect(res.status).toBe(200);
      const docs = await db.connection.collection('adapter_state').find({}).toArray();
      expect(docs.map((d) => d._id).sort()).toEqual([`teams:install:tenant1:${TEAM}`, 'teams:tenant:tenant1']);
      expect(await core.adapterState.get('teams', 'tenant', 'tenant1')).toMatchObject({ serviceUrl: connector.url });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await started.stop();
      await connector.stop();
      await db.drop();
    }
  });
});
