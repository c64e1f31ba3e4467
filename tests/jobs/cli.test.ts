import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { registerJobsCommands } from '../../app/cli/jobs.command.js';
import { createQueues } from '../../jobs/queues.js';
import { randomId, testRedisUrl } from '../support/services.js';

const prefix = `cli${randomId()}`;
const queues = createQueues({ connection: testRedisUrl(), prefix });
afterAll(async () => queues.close());

describe('helpdesk jobs CLI', () => {
  it('lists failed jobs and retries them', async () => {
    // A job that fails for good (one attempt) in a throwaway worker.
    const j = await queues.sla.add('firstResponse.breach', { ticketId: 't1', target: 'firstResponse', stage: 'breach', dueAt: 1, tier: 1 }, { jobId: 'sla-t1-y', attempts: 1 });
    const { Worker } = await import('bullmq');
    const w = new Worker('sla', async () => { throw new Error('boom'); }, { connection: { host: new URL(testRedisUrl()).hostname, port: Number(new URL(testRedisUrl()).port), maxRetriesPerRequest: null }, prefix });
    await new Promise<void>((r) => w.on('failed', () => r()));
    await w.close();
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    const prev = process.env.REDIS_URL;
    process.env.REDIS_URL = testRedisUrl();
    try {
      const program = new Command().exitOverride();
      registerJobsCommands(program);
      await program.parseAsync(['node', 'helpdesk', 'jobs', 'failed', '--queue', 'sla', '--prefix', prefix]);
      expect(out.join('\n')).toMatch(/sla\tsla-t1-y\tfirstResponse.breach\tattempts=1/);
      expect(out.join('\n')).toMatch(/boom/);
      await program.parseAsync(['node', 'helpdesk', 'jobs', 'retry', 'sla', j.id!, '--prefix', prefix]);
      expect(out.at(-1)).toBe('Queued 1 job(s) of sla for another attempt.');
      expect(await (await queues.sla.getJob(j.id!))!.getState()).toBe('waiting');
    } finally {
      log.mockRestore();
      if (prev === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = prev;
    }
  });
});
