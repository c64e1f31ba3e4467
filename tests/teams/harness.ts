import { createServer, type Server } from 'node:http';
import { expect } from 'vitest';
import type { AddressInfo } from 'node:net';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams.adapter.js';
import type { TeamsIdentitySettings } from '../../adapters/teams/teams.auth.js';
import type { Agent, Desk } from '../../core/domain/desk.js';
import type { Platform } from '../../core/domain/identity.js';
import type { ChatPlatform } from '../../core/ports/chat-platform.port.js';
import type { KnowledgeBase } from '../../core/ports/kb.port.js';
import { silentLogger, type Logger } from '../../core/ports/logger.port.js';
import { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import path from 'node:path';
import { openKnowledgeBase } from '../../kb/open-kb.js';
import { KeywordKb } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';

export interface TeamsHarness {
  core: Composed;
  teams: TeamsAdapter;
  connector: FakeBotConnector;
  /** POSTs an activity to the bot's `/api/messages` like the Bot Connector does. */
  send(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  url: string;
  close(): Promise<void>;
}

/** Core on a fresh database + the real CloudAdapter (auth off unless `appId`) + the fake connector. */
export async function startTeams(o: { desks: Desk[]; agents: Agent[]; /** `real`: the kb/ articles; default: the keyword KB (deterministic flows). */ kb?: KnowledgeBase | 'real'; appId?: string; appPassword?: string; identity?: TeamsIdentitySettings; log?: Logger; platforms?: Map<Platform, ChatPlatform> }): Promise<TeamsHarness> {
  const db = await freshDb();
  const connector = await new FakeBotConnector().start();
  const platforms = o.platforms ?? new Map<Platform, ChatPlatform>();
  // Flow tests use the keyword KB so their path (suggestions or not) does not move when articles or
  // ranking change; `kb: 'real'` runs on the shipped articles.
  const kbh = o.kb === 'real' ? await openKnowledgeBase({ dir: path.resolve(import.meta.dirname, '../../kb/articles') }) : undefined;
  const kb: KnowledgeBase = kbh?.kb ?? (o.kb as KnowledgeBase | undefined) ?? new KeywordKb();
  const core = await composeHelpdesk({ connection: db.connection, desks: o.desks, agents: o.agents, kb, platforms });
  const teams = createTeamsAdapter({ helpdesk: core.helpdesk, directory: core.directory, store: core.store, appId: o.appId, appPassword: o.appPassword, identity: o.identity, serviceUrl: connector.url, log: o.log ?? silentLogger });
  platforms.set('teams', teams.platform);
  const server: Server = createServer((req, res) => {
    if (req.url === '/api/messages') void teams.handleRequest(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    core,
    teams,
    connector,
    url,
    async send(activity, headers = {}) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(activity) });
      const text = await res.text();
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* plain text */
      }
      return { status: res.status, body };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await connector.stop();
      await kbh?.close();
      await db.drop();
    },
  };
}

/** The Adaptive Card in an outbound activity, if any. */
export const cardOf = (activity: any): any => activity?.attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

/** All Action.Execute verbs in a card (top-level and inside ActionSets). */
export function verbsOf(card: any): string[] {
  const out: string[] = [];
  const walk = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (x.type === 'Action.Execute' && x.verb && x !== card.refresh?.action) out.push(x.verb);
    for (const v of Object.values(x)) if (typeof v === 'object') walk(v);
  };
  walk(card.body);
  walk(card.actions);
  return out;
}

/** Finds an Action.Execute by verb (its `data` is what Teams sends back). */
export function actionOf(card: any, verb: string): { verb: string; data: any } {
  let found: any;
  const walk = (x: any) => {
    if (!x || typeof x !== 'object' || found) return;
    if (x.type === 'Action.Execute' && x.verb === verb) found = x;
    for (const v of Object.values(x)) if (typeof v === 'object') walk(v);
  };
  walk(card.body);
  walk(card.actions);
  if (!found) throw new Error(`no ${verb} in card`);
  return { verb: found.verb, data: found.data };
}

/** All text of a card or message, for assertions. */
export const textOf = (activity: any): string => JSON.stringify(activity?.attachments ?? []) + (activity?.text ?? '');

/** A deflection card: one to three "This solved it" (one per article), then "I still need help". */
export function expectSuggestions(card: any): void {
  const verbs = verbsOf(card);
  expect(verbs.at(-1)).toBe('hd:need_help');
  expect(verbs.length).toBeGreaterThanOrEqual(2);
  expect(verbs.length).toBeLessThanOrEqual(4);
  expect(verbs.slice(0, -1).every((v) => v === 'hd:solved')).toBe(true);
}
