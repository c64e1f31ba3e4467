import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryOp } from '../../core/ports/delivery.port.js';
import { noticeView } from '../../core/views/ticket-views.js';
import { deliveryJobId } from '../../jobs/index.js';
import { testDesk } from '../support/fixtures.js';
import { harness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await harness(testDesk());
});
afterAll(async () => h.close());

// Short locks so a dead worker's job is found stalled within a second (production: 30 s).
const tuning = { lockDuration: 400, stalledInterval: 200, drainDelay: 1 };
const fast = { backoffBaseMs: 20, limits: { slack: { perChannel: { rate: 100, burst: 100 }, global: { rate: 1000, burst: 1000 } } } };

describe('a worker killed mid-job', () => {
  it('after sending but before completing: another worker retries the job and nothing is sent twice', async () => {
    let release: (() => void) | undefined;
    // Worker A hangs right after the platform accepted the message (its sent marker is stored)…
    const a = await h.start({
      only: ['delivery'],
      schedulers: false,
      attachScheduler: false,
      tuning,
      delivery: { ...fast, afterSend: () => new Promise<void>((r) => (release = r)) },
    });
    const op: DeliveryOp = { kind: 'post', key: 'crash-1', platform: 'slack', target: { workspace: 'T1', channel: 'C_CRASH' }, view: noticeView('crash-1') };
    await h.client.delivery.send(op);
    await waitFor(() => release !== undefined, 5_000, 'first send');
    expect(h.slack.sent.filter((s) => s.view.text === 'crash-1')).toHaveLength(1);
    // …and dies: it stops renewing its lock and never completes the job.
    await a.close(true);
    const b = await h.start({ only: ['delivery'], schedulers: false, attachScheduler: false, tuning, delivery: fast });
    const job = await waitFor(async () => {
      const j = await h.client.queues.delivery.getJob(deliveryJobId('crash-1'));
      return j && (await j.isCompleted()) ? j : undefined;
    }, 10_000, 'retry by worker B');
    expect(job.attemptsStarted).toBeGreaterThanOrEqual(2); // it really ran again
    expect(h.slack.sent.filter((s) => s.view.text === 'crash-1')).toHaveLength(1);
    release?.();
    await b.close();
  });
});
