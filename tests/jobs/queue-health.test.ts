import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerJobsCommands } from '../../app/cli/jobs.command.js';
import { queueHealth } from '../../jobs/ops.js';
import { createQueues } from '../../jobs/queues.js';
import { randomId, testRedisUrl } from '../support/services.js';

const prefix = `qh${randomId()}`;
const queues = createQueues({ connection: testRedisUrl(), prefix });
afterAll(async () => queues.close());

describe('queue health', () => {
  it('counts waiting, delayed SLA timers and failed jobs per queue, the same in `helpdesk jobs health --json`', async () => {
    const { Worker } = await import('bullmq');
    await queues.sla.add('firstResponse.breach', { ticketId: 't1', target: 'firstResponse', stage: 'breach', dueAt: 1, tier: 1 }, { jobId: 'qh-fail', attempts: 1 });
    const w = new Worker('sla', async () => { throw new Error('boom'); }, { connection: { host: new URL(testRedisUrl()).hostname, port: Number(new URL(testRedisUrl()).port), maxRetriesPerRequest: null }, prefix });
    await new Promise<void>((r) => w.on('failed', () => r()));
    await w.close();
    for (let i = 0; i < 3; i++) await queues.sla.add('resolution.breach', { ticketId: `d${i}`, target: 'resolution', stage: 'breach', dueAt: Date.now() + 3_600_000, tier: 1 }, { jobId: `qh-delayed-${i}`, delay: 3_600_000 });
    await queues.automation.add('auto', { kind: 'digest' } as never, { jobId: 'qh-wait' });
    const rows = await queueHealth(queues);
    expect(rows.find((r) => r.queue === 'sla')).toEqual({ queue: 'sla', waiting: 0, active: 0, delayed: 3, failed: 1, paused: false });
    expect(rows.find((r) => r.queue === 'automation')).toMatchObject({ waiting: 1, delayed: 0, failed: 0 });
    expect(rows.find((r) => r.queue === 'delivery')).toMatchObject({ waiting: 0, delayed: 0, failed: 0 });

    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    const prev = process.env.REDIS_URL;
    process.env.REDIS_URL = testRedisUrl();
    try {
      const program = new Command().exitOverride();
      registerJobsCommands(program);
      await program.parseAsync(['node', 'helpdesk', 'jobs', 'health', '--json', '--prefix', prefix]);
      expect(JSON.parse(out.at(-1)!)).toEqual(rows);
    } finally {
      log.mockRestore();
      if (prev === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = prev;
    }
  });
});
