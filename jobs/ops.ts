import { QUEUE_NAMES, type QueueName } from './names.js';
import type { JobsQueues } from './queues.js';

export interface FailedJobInfo {
  queue: QueueName;
  id: string;
  name: string;
  attemptsMade: number;
  failedReason: string;
  finishedOn?: number;
  /** A short, safe description of what the job was about (ids, never message bodies). */
  about: string;
}

const about = (data: unknown): string => {
  const d = data as Record<string, unknown> & { op?: { key?: string; platform?: string; kind?: string } };
  if (d.op) return `${d.op.kind ?? ''} ${d.op.platform ?? ''} ${d.op.key ?? ''}`.trim();
  return Object.entries(d)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
};

/** Failed jobs (kept for inspection), newest first, of one queue or all. */
export async function listFailed(queues: JobsQueues, queue?: QueueName, limit = 50): Promise<FailedJobInfo[]> {
  const out: FailedJobInfo[] = [];
  for (const name of queue ? [queue] : QUEUE_NAMES) {
    const jobs = await queues.byName(name).getFailed(0, limit - 1);
    for (const j of jobs) {
      if (!j) continue;
      out.push({ queue: name, id: j.id ?? '', name: j.name, attemptsMade: j.attemptsMade, failedReason: j.failedReason, finishedOn: j.finishedOn, about: about(j.data) });
    }
  }
  return out.sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0)).slice(0, limit);
}

/** Puts failed jobs back to run: one by id, or every failed job of the queue. Returns how many. */
export async function retryFailed(queues: JobsQueues, queue: QueueName, which: { id: string } | 'all'): Promise<number> {
  const q = queues.byName(queue);
  if (which === 'all') {
    const n = await q.getFailedCount();
    if (n > 0) await q.retryJobs({ state: 'failed', count: 1000 });
    return n;
  }
  const job = await q.getJob(which.id);
  if (!job) throw new Error(`no job ${which.id} in queue ${queue}`);
  if (!(await job.isFailed())) throw new Error(`job ${which.id} in queue ${queue} is not failed (it is ${await job.getState()})`);
  await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  return 1;
}

export { isQueueName } from './names.js';

export interface QueueHealth {
  queue: QueueName;
  waiting: number;
  active: number;
  /** Delayed jobs: on `sla` these are the SLA timers still to fire. */
  delayed: number;
  failed: number;
  paused: boolean;
}

/**
 * Depth of every queue (what `helpdesk jobs health` prints and the admins' page shows); failed jobs
 * are listed and retried with `listFailed` / `retryFailed`, the same functions as the CLI.
 */
export async function queueHealth(queues: JobsQueues): Promise<QueueHealth[]> {
  return Promise.all(
    QUEUE_NAMES.map(async (queue) => {
      const q = queues.byName(queue);
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      return { queue, waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0, paused: await q.isPaused() };
    }),
  );
}

/**
 * Failed deliveries per platform (jobs of the `delivery` queue that ran out of attempts), from the
 * newest `limit` failed jobs: what the admins' queue-health section shows next to the depths.
 */
export async function deliveryFailures(queues: JobsQueues, limit = 1000): Promise<Record<string, number>> {
  const jobs = await queues.byName('delivery').getFailed(0, limit - 1);
  const out: Record<string, number> = {};
  for (const j of jobs) {
    const platform = (j?.data as { op?: { platform?: unknown } } | undefined)?.op?.platform;
    const k = typeof platform === 'string' ? platform.slice(0, 20) : 'unknown';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
