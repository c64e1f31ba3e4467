import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError } from '../../core/ports/chat-platform.port.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { TEAMS_THREAD_LIMITS } from '../fakes/bot-connector.fake.js';
import { testDesk } from '../support/fixtures.js';
import { startTeams, type TeamsHarness } from './harness.js';

const TIER1 = '19:tier1@thread.tacv2';

// The Bot Connector fake holds the bot to Teams' per-conversation windows when asked (the storm test,
// tests/jobs/storm-triage.teams.test.ts, relies on it to catch a limiter that posts too fast).
describe('Teams throttling per conversation (Bot Connector fake)', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [] });
  });
  afterAll(async () => h?.close());

  const post = (i: number) => h.teams.platform.post({ workspace: 'tenant1', channel: TIER1 }, noticeView(`message ${i}`)).then(
    () => 'ok' as const,
    (e: unknown) => e,
  );

  it('beyond 7 in a second, posts are answered 429 and reach the delivery queue as retryable with Retry-After', async () => {
    h.connector.reset();
    h.connector.threadLimits = TEAMS_THREAD_LIMITS;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post(i)));
    // 7 in 1 s (8 in 2 s if a loaded machine spread the ten arrivals over more than a second).
    const ok = results.filter((r) => r === 'ok').length;
    expect(ok).toBeGreaterThanOrEqual(7);
    expect(ok).toBeLessThanOrEqual(8);
    const refused = results.filter((r) => r !== 'ok');
    for (const e of refused) {
      expect(e).toBeInstanceOf(PlatformError);
      expect(e).toMatchObject({ retryable: true, status: 429 });
      expect((e as PlatformError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    }
    expect(h.connector.limited).toHaveLength(refused.length);
  });

  it('a longer window: its Retry-After is the time until the oldest call leaves it; edits and threads count for the channel', async () => {
    h.connector.reset();
    h.connector.threadLimits = [{ seconds: 30, max: 3 }];
    expect(await post(1)).toBe('ok');
    const posted = h.connector.callsOf('create', TIER1)[0]!;
    const link = { platform: 'teams' as const, workspace: 'tenant1', channel: TIER1, message: posted.answeredActivityId!, role: 'triage' as const };
    await h.teams.platform.update(link, noticeView('edited'));
    await h.teams.platform.post({ workspace: 'tenant1', channel: TIER1, thread: posted.answeredActivityId! }, noticeView('a reply'));
    const fourth = await post(4);
    expect(fourth).toBeInstanceOf(PlatformError);
    expect((fourth as PlatformError).retryAfterMs).toBeGreaterThan(25_000);
    expect((fourth as PlatformError).retryAfterMs).toBeLessThanOrEqual(30_000);
    // Another conversation is not affected.
    expect(await h.teams.platform.post({ workspace: 'tenant1', channel: '19:tier2@thread.tacv2' }, noticeView('elsewhere'))).toBeDefined();
  });
});
