import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../core/ports/chat-platform.port.js';
import { performDelivery } from '../../core/use-cases/deliver.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { personalMessage, type TeamsUser } from './activities.js';
import { startTeams, type TeamsHarness } from './harness.js';

const alice: TeamsUser = { id: '29:alice', name: 'Alice' };
const TIER1 = '19:tier1@thread.tacv2';

describe('Teams adapter with credentials: Bot Framework authentication', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [], appId: '00000000-0000-0000-0000-00000000a11d', appPassword: 'not-a-real-secret' });
  });
  afterAll(async () => h?.close());

  it('answers 401 to unauthenticated requests and touches nothing', async () => {
    const msg = personalMessage(h.connector.url, alice, 'my VPN is down');
    const none = await h.send(msg);
    expect(none.status).toBe(401);
    const forged = await h.send(msg, { Authorization: 'Bearer not.a.jwt' });
    expect(forged.status).toBe(401);
    expect(await h.core.store.list({})).toHaveLength(0);
    expect(h.connector.calls).toHaveLength(0);
  });
});

describe('Teams connector failures become PlatformErrors the delivery queue can retry', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [testAgent('bob', [person('teams', '29:bob')])] });
  });
  afterAll(async () => h?.close());

  const post = () => h.teams.platform.post({ workspace: 'tenant1', channel: TIER1 }, noticeView('hello'));

  it.each([
    [429, 7, true],
    [412, undefined, true],
    [502, undefined, true],
    [504, 2, true],
    [403, undefined, false],
  ] as const)('HTTP %i (Retry-After %s) → retryable %s, exactly one connector call', async (status, retryAfter, retryable) => {
    h.connector.reset();
    h.connector.inject({ status, retryAfterSeconds: retryAfter, kind: 'create' });
    const err = await post().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err).toMatchObject({ status, retryable, retryAfterMs: retryAfter === undefined ? undefined : retryAfter * 1000 });
    // the SDK's own retry policy is off: the queue is the one place that retries
    expect(h.connector.calls).toHaveLength(1);
    // the retry (as the queue would make it) goes through
    await expect(post()).resolves.toMatchObject({ channel: TIER1 });
  });

  it('a throttled update or DM surfaces the same way through performDelivery', async () => {
    const posted = await post();
    h.connector.inject({ status: 429, retryAfterSeconds: 1, kind: 'update' });
    const link = { platform: 'teams' as const, workspace: 'tenant1', channel: TIER1, message: posted.message, role: 'triage' as const, data: posted.data };
    const deps = { platforms: h.core.platforms, store: h.core.store, clock: { now: () => new Date() } };
    await expect(performDelivery(deps, { kind: 'update', key: 'k1', platform: 'teams', link, view: noticeView('x') })).rejects.toMatchObject({ retryable: true, retryAfterMs: 1000, status: 429 });
    h.connector.inject({ status: 502, kind: 'create' });
    await expect(performDelivery(deps, { kind: 'dm', key: 'k2', platform: 'teams', person: person('teams', '29:alice'), view: noticeView('x') })).rejects.toMatchObject({ retryable: true, status: 502 });
  });

  it('a failure inside a turn still answers the person (never a silent no-op)', async () => {
    h.connector.reset();
    // the suggestions reply is throttled; the person gets the coded PLATFORM/INTERNAL notice on the next call
    h.connector.inject({ status: 429, kind: 'reply' });
    const r = await h.send(personalMessage(h.connector.url, alice, 'my vpn drops'));
    expect(r.status).toBe(200);
    const last = h.connector.calls.at(-1)!;
    expect(last.status).toBeLessThan(300);
    expect(last.body.text).toMatch(/Something went wrong on our side \(reference [0-9a-f]{8}\)/);
  });
});
