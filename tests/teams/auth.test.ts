import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/ports/logger.port.js';
import { BotIdentityFake } from '../fakes/bot-identity.fake.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { cardAction, personalMessage, type TeamsUser } from './activities.js';
import { actionOf, cardOf, startTeams, type TeamsHarness } from './harness.js';

/**
 * Teams with authentication on, end to end, against a local identity fake (tests/fakes/bot-identity.fake.ts):
 * the channel's tokens are RS256 JWTs signed by a test key published in a JWKS with `msteams`
 * endorsements; the bot's own tokens come from an https token endpoint (MSAL, client credentials) —
 * configured through the same settings as TEAMS_OPENID_METADATA_URL, TEAMS_TOKEN_ISSUER,
 * TEAMS_LOGIN_URL and TEAMS_OAUTH_SCOPE.
 */
const APP_ID = '00000000-0000-0000-0000-00000000a11d';
const PASSWORD = 'test-client-secret';
const ISSUER = 'https://api.botframework.test';
const SCOPE = 'https://api.botframework.test';
const LOGIN = 'https://login.helpdesk.test/botframework.com';
const TIER1 = '19:tier1@thread.tacv2';
const alice: TeamsUser = { id: '29:alice', name: 'Alice' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob' };

interface Entry {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}
function recordingLogger(entries: Entry[]): Logger {
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj: obj as Record<string, unknown>, msg });
  const l: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
  return l;
}

describe('Teams with authentication on (identity fake)', () => {
  let identity: BotIdentityFake;
  let h: TeamsHarness;
  const logs: Entry[] = [];
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    identity = await new BotIdentityFake({ issuer: ISSUER, appId: APP_ID, appPassword: PASSWORD, oauthScope: SCOPE }).start();
    identity.routeLoginHosts();
    h = await startTeams({
      desks: [testDesk()],
      agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1)],
      appId: APP_ID,
      appPassword: PASSWORD,
      identity: { openIdMetadataUrl: identity.openIdMetadataUrl, tokenIssuer: ISSUER, loginUrl: LOGIN, oauthScope: SCOPE },
      log: recordingLogger(logs),
    });
  });
  afterAll(async () => {
    await h?.close();
    await identity?.stop();
  });

  it('a valid channel token is accepted; the reply carries the bot’s own token from the token endpoint', async () => {
    const msg = personalMessage(h.connector.url, alice, 'My VPN keeps dropping every hour');
    const r = await h.send(msg, bearer(identity.sign(h.connector.url)));
    expect(r.status).toBe(200);
    const [reply] = h.connector.posted();
    expect(cardOf(reply!.activity)).toBeDefined();
    // MSAL asked the login host of TEAMS_LOGIN_URL for a client-credentials token with TEAMS_OAUTH_SCOPE
    expect(identity.tokenRequests.at(-1)).toMatchObject({ host: 'login.helpdesk.test', path: '/botframework.com/oauth2/v2.0/token', form: { grant_type: 'client_credentials', client_id: APP_ID, scope: `${SCOPE}/.default` } });
    expect(identity.issued.length).toBeGreaterThanOrEqual(1);
    expect(reply!.call.authorization).toBe(`Bearer ${identity.issued.at(-1)}`);
    expect(await h.core.store.list({})).toHaveLength(1);

    // the whole flow: "I still need help" → the triage card, posted proactively, also authenticated
    const card = cardOf(reply!.activity);
    const r2 = await h.send(cardAction(h.connector.url, alice, actionOf(card, 'hd:need_help'), { conversation: `a:dm-${alice.id}`, replyToId: '1' }), bearer(identity.sign(h.connector.url)));
    expect(r2.status).toBe(200);
    const created = h.connector.callsOf('create', TIER1);
    expect(created).toHaveLength(1);
    expect(created[0]!.authorization).toMatch(/^Bearer fake-bot-token-/);
    expect((await h.core.store.list({}))[0]!.status).toBe('open');

    // an agent claims on the card (an invoke: its answer is the refreshed card) and the card is edited
    const triage = cardOf(created[0]!.body.activity);
    const cardId = created[0]!.answeredActivityId!;
    const claim = await h.send(cardAction(h.connector.url, bob, actionOf(triage, 'hd:claim'), { conversation: `${TIER1};messageid=${cardId}`, replyToId: cardId }), bearer(identity.sign(h.connector.url)));
    expect(claim.status).toBe(200);
    expect(JSON.stringify(claim.body.value)).toContain('In progress');
    expect((await h.core.store.list({}))[0]).toMatchObject({ status: 'claimed', assignee: { user: bob.id } });
    const edit = h.connector.calls.find((c) => c.kind === 'update' && c.activityId === cardId);
    expect(edit?.authorization).toMatch(/^Bearer fake-bot-token-/);
  });

  it.each([
    ['wrong audience', /Invalid AppId/, () => identity.sign(h.connector.url, { aud: '11111111-2222-3333-4444-555555555555' })],
    ['wrong issuer', /No valid identity/, () => identity.sign(h.connector.url, { iss: 'https://api.botframework.com' })],
    ['expired', /expired/, () => identity.sign(h.connector.url, {}, { expiresIn: -3600 })],
    ['key not endorsed for msteams', /endorsement/, () => identity.sign(h.connector.url, {}, { key: 'other' })],
    ['tampered signature', /invalid signature/, () => identity.sign(h.connector.url, {}, { tamper: true })],
    ['not yet valid (nbf in an hour)', /not active/, () => identity.sign(h.connector.url, { nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['serviceurl claim for another service', /ServiceUrl/, () => identity.sign('https://smba.evil.example/')],
  ])('%s → 401, nothing internal in the body, logged, nothing stored or sent', async (what, reason, token) => {
    const before = { tickets: (await h.core.store.list({})).length, calls: h.connector.calls.length, logs: logs.length };
    const r = await h.send(personalMessage(h.connector.url, { id: `29:m-${what.length}`, name: 'Mallory' }, 'my VPN is down'), bearer(token()));
    expect(r.status).toBe(401);
    expect(r.body).toBe('Unauthorized');
    expect((await h.core.store.list({})).length).toBe(before.tickets);
    expect(h.connector.calls.length).toBe(before.calls);
    expect(logs.slice(before.logs)).toEqual([expect.objectContaining({ level: 'warn', msg: 'teams: request refused: authentication failed', obj: expect.objectContaining({ reason: expect.stringMatching(reason) }) })]);
  });
});

describe('Teams: signing keys that cannot be fetched', () => {
  let h: TeamsHarness;
  let identity: BotIdentityFake;
  const logs: Entry[] = [];

  beforeAll(async () => {
    // A metadata URL on a port nothing listens on: the keys cannot be loaded, as when offline.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    identity = new BotIdentityFake({ issuer: ISSUER, appId: APP_ID, appPassword: PASSWORD, oauthScope: SCOPE });
    h = await startTeams({
      desks: [testDesk()],
      agents: [],
      appId: APP_ID,
      appPassword: PASSWORD,
      identity: { openIdMetadataUrl: `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`, tokenIssuer: ISSUER, loginUrl: LOGIN, oauthScope: SCOPE },
      log: recordingLogger(logs),
    });
  });
  afterAll(async () => h?.close());

  it('a well-formed but unverifiable JWT gets 401 (not 500 with the SDK’s error text), and is logged', async () => {
    const r = await h.send(personalMessage(h.connector.url, alice, 'my VPN is down'), { Authorization: `Bearer ${identity.sign(h.connector.url)}` });
    expect(r.status).toBe(401);
    expect(r.body).toBe('Unauthorized');
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ reason: expect.stringMatching(/ECONNREFUSED|fetch|openID/i) }) })]);
    expect(await h.core.store.list({})).toHaveLength(0);
  });
});

describe('Teams: request body limit', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [] });
  });
  afterAll(async () => h?.close());

  it('a 300 KB body is answered 413 (not a connection reset), and the connection still works', async () => {
    const big = personalMessage(h.connector.url, alice, 'x'.repeat(300 * 1024));
    const r = await fetch(h.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(big) });
    expect(r.status).toBe(413);
    expect(await r.text()).toBe('request body too large');
    expect(await h.core.store.list({})).toHaveLength(0);
    const ok = await h.send(personalMessage(h.connector.url, alice, 'my VPN is down'));
    expect(ok.status).toBe(200);
  });
});
