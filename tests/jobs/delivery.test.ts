import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryOp } from '../../core/ports/delivery.port.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { listFailed, retryFailed } from '../../jobs/index.js';
import { RedisRateLimiter } from '../../jobs/rate-limit.js';
import { testDesk } from '../support/fixtures.js';
import { randomId, testRedis } from '../support/services.js';
import { harness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness(testDesk());
  await h.start({ only: ['delivery'], schedulers: false, attachScheduler: false });
});
afterAll(async () => h.close());

const post = (key: string, channel = 'C_X', text = key): DeliveryOp => ({ kind: 'post', key, platform: 'slack', target: { workspace: 'T1', channel }, view: noticeView(text) });
const arrived = (text: string) => h.slack.sent.filter((s) => s.view.text === text).length;
/** Relays into one thread (a requester's conversation). */
const relayTo = (channel: string, thread: string) => (key: string, text: string): DeliveryOp => ({ kind: 'post', key, platform: 'slack', target: { workspace: 'T1', channel, thread }, view: noticeView(text) });
/** Queues `op`, whose first attempt the platform refuses with `status`; returns after that attempt. */
async function refusedOnce(status: 403 | 500, op: DeliveryOp): Promise<void> {
  h.slack.script = [{ status }];
  const start = h.slack.attempts.length;
  await h.client.delivery.send(op);
  await waitFor(() => h.slack.attempts.length > start, 10_000, 'first attempt');
}

describe('delivery queue', () => {
  it('429 with Retry-After, then 500s, then success: the message arrives exactly once', async () => {
    h.slack.script = [{ status: 429, retryAfterMs: 150 }, { status: 500 }, { status: 500 }, 'ok'];
    const start = h.slack.attempts.length;
    await h.client.delivery.send(post('flaky-1'));
    await waitFor(() => arrived('flaky-1') === 1, 10_000, 'delivery');
    const attempts = h.slack.attempts.slice(start);
    expect(attempts.map((a) => a.outcome)).toEqual(['429', '500', '500', 'ok']);
    // Retry-After is a floor for the next attempt.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(150);
    await new Promise((r) => setTimeout(r, 100));
    expect(arrived('flaky-1')).toBe(1);
  });

  it('the same key sent twice (a replayed event) is delivered once', async () => {
    await Promise.all([h.client.delivery.send(post('dup-1')), h.client.delivery.send(post('dup-1'))]);
    await waitFor(() => arrived('dup-1') === 1);
    await h.client.delivery.send(post('dup-1'));
    await new Promise((r) => setTimeout(r, 150));
    expect(arrived('dup-1')).toBe(1);
  });

  it('relays to one destination go out in the order they were queued, though the first is retried after a 5xx meanwhile', async () => {
    // A requester's thread: two agent messages relayed a moment apart, the first refused once (500).
    const relay = relayTo('C_REL', '1700.000100');
    await refusedOnce(500, relay('rel-1', 'rel first'));
    // The first waits for its retry (≈ 0.5–1 s of backoff); the second is queued now.
    await h.client.delivery.send(relay('rel-2', 'rel second'));
    await waitFor(() => arrived('rel first') === 1 && arrived('rel second') === 1, 15_000, 'both relayed');
    expect(h.slack.sent.filter((s) => s.channel === 'C_REL').map((s) => s.view.text)).toEqual(['rel first', 'rel second']);
  });

  it('a relay refused for good does not hold the next one of its destination', async () => {
    const relay = relayTo('C_REL2', '1700.000200');
    await refusedOnce(403, relay('rel-403', 'rel refused'));
    const t0 = Date.now();
    await h.client.delivery.send(relay('rel-after', 'rel after'));
    await waitFor(() => arrived('rel after') === 1, 10_000, 'the next relay');
    expect(Date.now() - t0).toBeLessThan(5_000); // not the 30 s bound
    expect(arrived('rel refused')).toBe(0);
  });

  it('a permanent failure is not retried, is kept, and can be retried from the CLI functions', async () => {
    h.slack.script = [{ status: 403 }];
    await h.client.delivery.send(post('forbidden-1'));
    const failed = await waitFor(async () => (await listFailed(h.client.queues, 'delivery')).find((f) => f.about.includes('forbidden-1')));
    expect(failed.attemptsMade).toBe(1);
    expect(failed.failedReason).toMatch(/403/);
    expect(arrived('forbidden-1')).toBe(0);
    expect(await retryFailed(h.client.queues, 'delivery', { id: failed.id })).toBe(1);
    await waitFor(() => arrived('forbidden-1') === 1);
    expect((await listFailed(h.client.queues, 'delivery')).some((f) => f.about.includes('forbidden-1'))).toBe(false);
  });
});

describe('per-channel rate limit', () => {
  // Its own workers: the shared harness above runs with limits the tests never reach.
  const RATE = 5; // messages per second per channel, burst 1: one every 200 ms
  let tight: Harness;
  beforeAll(async () => {
    tight = await harness(testDesk());
    await tight.start({
      only: ['delivery'],
      schedulers: false,
      attachScheduler: false,
      delivery: { backoffBaseMs: 20, backoffMaxMs: 200, limits: { slack: { perChannel: { rate: RATE, burst: 1 }, global: { rate: 1000, burst: 1000 } } } },
    });
  });
  afterAll(async () => tight.close());

  it('spaces a burst to one channel at the limit, delivers each message once, and leaves other channels alone', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `burst-${i}`);
    await Promise.all(keys.map((k) => tight.client.delivery.send(post(k, 'C_BURST'))));
    await tight.client.delivery.send(post('other-1', 'C_OTHER'));
    await waitFor(() => keys.every((k) => tight.slack.sent.some((s) => s.view.text === k)), 15_000, 'burst');
    await new Promise((r) => setTimeout(r, 300));
    const burst = tight.slack.sent.filter((s) => s.channel === 'C_BURST');
    expect(burst.map((s) => s.view.text).sort()).toEqual(keys);
    // The bucket holds one token and refills one every 1000/RATE ms, so the k-th post cannot go out
    // before k intervals after the first (less the first post's own latency, allowed 100 ms).
    const at = burst.map((s) => s.at).sort((a, b) => a - b);
    for (let k = 1; k < at.length; k++) expect(at[k]! - at[0]!).toBeGreaterThanOrEqual((k * 1000) / RATE - 100);
    // Another channel has its own bucket: its message does not queue behind the burst.
    const other = tight.slack.sent.find((s) => s.view.text === 'other-1');
    expect(other).toBeDefined();
    expect(other!.at).toBeLessThan(at[at.length - 1]!);
  });
});

describe('order within a channel', () => {
  // Workers and the channel ledger at the same tight limit (as in production, where both use the platforms' limits).
  let fifo: Harness;
  beforeAll(async () => {
    fifo = await harness(testDesk(), [], { limits: { slack: { perChannel: { rate: 10, burst: 2 }, global: { rate: 1000, burst: 1000 } } } });
    await fifo.start({ only: ['delivery'], schedulers: false, attachScheduler: false });
  });
  afterAll(async () => fifo.close());

  it('messages queued for a busy channel go out in the order they were queued (held until their slots, not racing for tokens)', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => `fifo-${i}`);
    for (const k of keys) await fifo.client.delivery.send(post(k, 'C_FIFO'));
    await waitFor(() => fifo.slack.sent.filter((s) => s.channel === 'C_FIFO').length === keys.length, 20_000, 'all sent');
    expect(fifo.slack.sent.filter((s) => s.channel === 'C_FIFO').map((s) => s.view.text)).toEqual(keys);
  });
});

describe('metrics', () => {
  it('exposes queue depth, completions and latency in Prometheus format', async () => {
    const text = await h.workers[0]!.metrics.registry.metrics();
    expect(text).toMatch(/helpdesk_jobs_queue_depth\{queue="delivery",state="failed"\} \d+/);
    expect(text).toMatch(/helpdesk_jobs_completed_total\{queue="delivery"\} [1-9]/);
    expect(text).toMatch(/helpdesk_jobs_failed_total\{queue="delivery",final="true"\} [1-9]/);
    expect(text).toMatch(/helpdesk_jobs_latency_seconds_count\{queue="delivery"\} [1-9]/);
  });
});

describe('rate limiter', () => {
  it('token buckets per channel and Retry-After blocks, shared through Redis', async () => {
    const redis = testRedis();
    const prefix = `rl${randomId()}`;
    const a = new RedisRateLimiter(redis, prefix, { slack: { perChannel: { rate: 1, burst: 2 }, global: { rate: 100, burst: 100 } } });
    const b = new RedisRateLimiter(redis, prefix, { slack: { perChannel: { rate: 1, burst: 2 }, global: { rate: 100, burst: 100 } } });
    expect(await a.take('slack', 'C1')).toBe(0);
    expect(await b.take('slack', 'C1')).toBe(0); // another replica shares the bucket
    expect(await a.take('slack', 'C1')).toBeGreaterThan(0);
    expect(await a.take('slack', 'C2')).toBe(0); // other channels are not affected
    await b.block('slack', 'C2', 5_000);
    expect(await a.take('slack', 'C2')).toBeGreaterThan(1_000);
    redis.disconnect();
  });
});
