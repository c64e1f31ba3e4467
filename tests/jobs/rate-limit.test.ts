import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, maxPerChannelIn, RedisRateLimiter, type PlatformLimits } from '../../jobs/rate-limit.js';
import { TEAMS_THREAD_LIMITS } from '../fakes/bot-connector.fake.js';
import { randomId, testRedis } from '../support/services.js';

const redis = testRedis();
afterAll(() => redis.disconnect());

/** Takes tokens as fast as the limiter gives them for `ms`; the times (ms) at which one was given. */
async function greedy(l: RedisRateLimiter, channel: string, ms: number): Promise<number[]> {
  const given: number[] = [];
  const start = Date.now();
  while (Date.now() - start < ms) {
    const wait = await l.take('teams', channel);
    if (wait === 0) given.push(Date.now());
    else await new Promise((r) => setTimeout(r, Math.min(wait, 20)));
  }
  return given;
}

/** The most of `times` in any window of `ms`. */
const busiest = (times: number[], ms: number) => Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + ms).length));

describe('per-channel limits against the platforms\' documented ones', () => {
  it('Teams: the defaults stay within every documented window per conversation (7/1 s, 8/2 s, 60/30 s, 1,800/3,600 s)', () => {
    for (const w of TEAMS_THREAD_LIMITS) expect(maxPerChannelIn(DEFAULT_LIMITS.teams, w.seconds), `${w.max} in ${w.seconds} s`).toBeLessThanOrEqual(w.max);
    // The single bucket these defaults replace (2/s, burst 5) broke the 30 s and hourly rules.
    const old: PlatformLimits = { perChannel: { rate: 2, burst: 5 }, global: DEFAULT_LIMITS.teams.global };
    expect(maxPerChannelIn(old, 30)).toBeGreaterThan(60);
    expect(maxPerChannelIn(old, 3600)).toBeGreaterThan(1800);
  });

  it('Slack: its documented rate, one token of burst under the fake\'s (a spare against timing jitter)', () => {
    expect(DEFAULT_LIMITS.slack.perChannel).toEqual({ rate: 1, burst: 2 });
  });
});

describe('the sustained per-channel bucket (Redis)', () => {
  it('a message needs a token from both buckets: the slower one binds once its burst is spent, per channel', async () => {
    const prefix = `rls${randomId()}`;
    const fast: PlatformLimits = { perChannel: { rate: 50, burst: 50 }, global: { rate: 1000, burst: 1000 } };
    const both = new RedisRateLimiter(redis, prefix, { teams: { ...fast, perChannelSustained: { rate: 5, burst: 3 } } });
    const [a, b] = await Promise.all([greedy(both, 'C1', 1500), greedy(both, 'C2', 1500)]);
    // 3 saved up + 5/s × 1.5 s (+ one at the edge): far fewer than the first bucket's 50 + 75. The
    // floor only asks for a refill past the burst: on a loaded machine the loop itself can stall for
    // hundreds of ms (a full bucket does not fill further), which once failed a floor of 8 here.
    for (const got of [a, b]) {
      expect(got.length).toBeGreaterThanOrEqual(4);
      expect(got.length).toBeLessThanOrEqual(12);
    }
    // Without the second bucket the same run is bounded by the first only.
    const one = new RedisRateLimiter(redis, `rls${randomId()}`, { teams: { ...fast, perChannelSustained: undefined } });
    expect((await greedy(one, 'C1', 500)).length).toBeGreaterThan(40);
  });

  it('Teams defaults, taken greedily for 3 s: never more than 7 in 1 s or 8 in 2 s', async () => {
    const got = await greedy(new RedisRateLimiter(redis, `rlt${randomId()}`), 'C1', 3000);
    expect(busiest(got, 1000)).toBeLessThanOrEqual(7);
    expect(busiest(got, 2000)).toBeLessThanOrEqual(8);
    expect(got.length).toBeGreaterThanOrEqual(6); // 3 saved up + 1.6/s
  });
});

describe('the platform bucket keeps a reserve for channel posts', () => {
  it('direct messages stop a tenth of the burst short; a channel post still gets a token at once', async () => {
    // A slow refill (0.01/s) so the run's own duration adds no token.
    const l = new RedisRateLimiter(redis, `rlr${randomId()}`, { slack: { global: { rate: 0.01, burst: 20 } } });
    let dms = 0;
    for (let i = 0; i < 30; i++) if ((await l.take('slack', `dm-T1-U${i}`, { dm: true })) === 0) dms++;
    expect(dms).toBe(18); // 20 − a reserve of 2
    expect(await l.take('slack', 'CTRIAGE')).toBe(0); // the tier channel's card
    expect(await l.take('slack', 'CTRIAGE2')).toBe(0);
    expect(await l.take('slack', 'CTRIAGE3')).toBeGreaterThan(0); // the reserve is spent; the bucket is empty
    expect(await l.take('slack', 'dm-T1-U99', { dm: true })).toBeGreaterThan(0);
  });
});

describe('requester messages turned away by the platform bucket wait in line', () => {
  it('each gets the next turn (one refill interval after the previous); a channel post is not put behind them', async () => {
    // 10/s, burst 10, reserve 1: nine DMs go at once, the next ones are turned away.
    const l = new RedisRateLimiter(redis, `rlq${randomId()}`, { slack: { global: { rate: 10, burst: 10 } } });
    for (let i = 0; i < 9; i++) expect(await l.take('slack', `dm-T1-U${i}`, { dm: true })).toBe(0);
    const waits: number[] = [];
    for (let i = 9; i < 29; i++) waits.push(await l.take('slack', `dm-T1-U${i}`, { dm: true }));
    for (const w of waits) expect(w).toBeGreaterThan(0);
    // Turns 100 ms apart: the 20th turned-away DM comes back after ≈ 2 s, not with the first ones.
    expect(waits[19]! - waits[0]!).toBeGreaterThanOrEqual(1800);
    for (let i = 1; i < waits.length; i++) expect(waits[i]!).toBeGreaterThan(waits[i - 1]! + 50);
    // The reserve's token is the tier channel's, and once the bucket is empty a channel post waits
    // for the next token only (≤ 100 ms at 10/s), not for the line.
    expect(await l.take('slack', 'CTRIAGE')).toBe(0);
    const card = await l.take('slack', 'CTRIAGE2');
    expect(card).toBeGreaterThan(0);
    expect(card).toBeLessThanOrEqual(100);
  });

  it('a requester message queued while the bucket is spent takes its turn at once (queued for it, not turned away first)', async () => {
    const l = new RedisRateLimiter(redis, `rlt${randomId()}`, { slack: { global: { rate: 10, burst: 10 } } });
    expect(await l.turn('slack')).toBe(0); // tokens to spare and no line: queued at once
    for (let i = 0; i < 9; i++) expect(await l.take('slack', `dm-T1-U${i}`, { dm: true })).toBe(0);
    const turns = [await l.turn('slack'), await l.turn('slack'), await l.turn('slack')];
    expect(turns[0]).toBeGreaterThan(0);
    expect(turns[1]! - turns[0]!).toBeGreaterThanOrEqual(80);
    expect(turns[2]! - turns[1]!).toBeGreaterThanOrEqual(80);
    // One turned away now is behind the three queued for their turns.
    expect(await l.take('slack', 'dm-T1-U50', { dm: true })).toBeGreaterThanOrEqual(turns[2]! + 80);
    // Tier-channel posts are not in the line.
    expect(await l.take('slack', 'CTRIAGE')).toBe(0);
  });
});
