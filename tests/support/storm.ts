import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { RuntimeChild } from './runtime-child.js';
import { randomId, testMongoUri, testRedisUrl } from './services.js';
import { SESSION_COOKIE, SessionStore } from '../../adapters/web/auth/session.js';
import { BotIdentityFake } from '../fakes/bot-identity.fake.js';
import type { FakeBotConnector } from '../fakes/bot-connector.fake.js';
import { personalMessage } from '../teams/activities.js';

/**
 * Shared set-up of the ticket-storm tests (tests/app/storm-*.test.ts): the example desk file in a
 * temp dir, Teams with authentication on against the identity fake, signed-in web chatters, and
 * bursts of requests with bounded concurrency.
 */

/** A temp dir holding a copy of helpdesk.example.yaml; returns both paths. */
export function stormDir(tag: string): { dir: string; deskFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `hd-${tag}-`));
  const deskFile = path.join(dir, 'desks.yaml');
  writeFileSync(deskFile, readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8'));
  return { dir, deskFile };
}

/** How long a runtime child may take to start: minutes, not seconds, on a machine shared by many test runs. */
export const STARTUP_MS = 180_000;

/**
 * The environment of a runtime child (tests/support/runtime-child.ts) for a storm test: a copy of the
 * example desk file, a fresh database, its own queue prefix, 5-second job locks (a killed process's
 * jobs are taken up again after 5 s instead of 30), email off; plus `extra` (the platforms). `db` is
 * the test's connection to that database; `close(child)` kills the child and drops the database.
 */
export async function stormRuntime(tag: string, extra: Record<string, string>): Promise<{ env: Record<string, string>; db: Connection; close(child?: RuntimeChild): Promise<void> }> {
  const { deskFile } = stormDir(tag);
  const mongoUri = testMongoUri();
  const env = {
    PORT: '0',
    HOST: '127.0.0.1',
    HELPDESK_CONFIG: deskFile,
    HELPDESK_QUEUE_PREFIX: `${tag.replace(/-/g, '')}${randomId()}`,
    MONGODB_URI: mongoUri,
    REDIS_URL: testRedisUrl(),
    HELPDESK_JOB_LOCK_MS: '5000',
    // Not under test here (and another run may hold the default SMTP port).
    EMAIL: 'off',
    ...extra,
  };
  const db = await mongoose.createConnection(mongoUri).asPromise();
  return {
    env,
    db,
    async close(child) {
      child?.kill('SIGKILL');
      await child?.exited;
      await db.dropDatabase().catch(() => {});
      await db.close();
    },
  };
}

/** Runs `fn(i)` for i in 0…n-1 with at most `concurrency` at once; results in completion order. */
export async function flood<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) out.push(await fn(next++));
    }),
  );
  return out;
}

/** Polls `check` every 250 ms until it returns a value other than undefined; throws `describe()` after `ms`. */
export async function until<T>(check: () => Promise<T | undefined>, ms: number, describe: () => Promise<string> | string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${await describe()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const APP_ID = '00000000-0000-0000-0000-0000000057a1';
const ISSUER = 'https://api.botframework.test';
const SCOPE = 'https://api.botframework.test';

/** Teams with authentication on, as the runtime requires it (TEAMS_APP_ID…): the identity fake and the env that points at it. */
export async function teamsIdentity(): Promise<{ identity: BotIdentityFake; env: Record<string, string>; childEnv: Record<string, string> }> {
  const identity = await new BotIdentityFake({ issuer: ISSUER, appId: APP_ID, appPassword: 'storm-secret', oauthScope: SCOPE }).start();
  const env = {
    TEAMS_APP_ID: APP_ID,
    TEAMS_APP_PASSWORD: 'storm-secret',
    TEAMS_OPENID_METADATA_URL: identity.openIdMetadataUrl,
    TEAMS_TOKEN_ISSUER: ISSUER,
    TEAMS_LOGIN_URL: 'https://login.helpdesk.test/botframework.com',
    TEAMS_OAUTH_SCOPE: SCOPE,
  };
  // A runtime child routes the login hosts to the fake with a preload (the test process uses routeLoginHosts()).
  const preload = path.resolve(import.meta.dirname, 'login-hosts.preload.ts');
  const childEnv = { ...env, NODE_OPTIONS: `--import tsx --import ${preload}`, HD_TEST_LOGIN_PORT: String(identity.httpsPort), HD_TEST_LOGIN_CA: identity.caPem };
  return { identity, env, childEnv };
}

/** A Teams user of the storm tests. */
export const stormUser = (tag: string, i: number) => ({ id: `29:${tag}${i}`, name: `${tag} ${i}` });

/** POSTs a signed `help …` in the 1:1 chat of user i to the runtime's /api/messages; returns the status. */
export async function teamsHelp(base: string, identity: BotIdentityFake, connector: FakeBotConnector, tag: string, i: number, o: { id?: string } = {}): Promise<{ status: number; ms: number }> {
  const activity = personalMessage(connector.url, stormUser(tag, i), `help the zorbl frobnicator unit ${i} emits purple smoke`, { id: o.id ?? `${tag}-act-${i}` });
  const t0 = Date.now();
  const r = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${identity.sign(connector.url)}` }, body: JSON.stringify(activity) });
  await r.arrayBuffer();
  return { status: r.status, ms: Date.now() - t0 };
}

/** Visible answers in user i's 1:1 chat (the Teams fake's conversation `a:dm-<user>`). */
export const teamsAnswers = (connector: FakeBotConnector, tag: string, i: number) => connector.posted().filter((p) => p.call.conversationId === `a:dm-${stormUser(tag, i).id}`);

/** A signed-in web chatter (a session straight in Redis, as the sign-in would leave it) and the headers its browser sends. */
export async function webChatter(redis: Redis, keyPrefix: string, base: string, tag: string, i: number): Promise<Record<string, string>> {
  const user = `${tag}${i}@example.com`;
  const s = await new SessionStore(redis, keyPrefix).create({ kind: 'visitor', name: `${tag} ${i}`, email: user, identity: { platform: 'web', workspace: 'email', user, name: `${tag} ${i}` } }, 'test');
  return { cookie: `${SESSION_COOKIE}=${s.id}`, 'x-csrf-token': s.csrf, origin: base, 'content-type': 'application/json' };
}

/** Opens a web conversation on the internal desk `it`; returns the HTTP status, the conversation id and the time to the answer. */
export async function webOpen(base: string, headers: Record<string, string>, tag: string, i: number): Promise<{ status: number; conv: string; ms: number }> {
  const t0 = Date.now();
  const r = await fetch(`${base}/chat/api/it/conversations`, { method: 'POST', headers, body: JSON.stringify({ clientId: `${tag}-req-${String(i).padStart(4, '0')}`, text: `the zorbl frobnicator unit ${i} on the web emits purple smoke` }) });
  const body = (await r.json().catch(() => ({}))) as { conversation?: { id?: string } };
  return { status: r.status, conv: body.conversation?.id ?? '', ms: Date.now() - t0 };
}

/** The stream entries of a web conversation (what its browser receives over SSE), parsed. */
export async function webStream(redis: Redis, keyPrefix: string, conv: string): Promise<Array<{ type: string; msg?: { kind: string; text: string }; conversation?: { number?: string; status?: string }; clientId?: string }>> {
  const rows = (await redis.xrange(`${keyPrefix}chat:c:${conv}`, '-', '+')) as Array<[string, string[]]>;
  return rows.map(([, f]) => JSON.parse(f[1] ?? 'null') as never);
}
