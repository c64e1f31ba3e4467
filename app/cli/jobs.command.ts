import type { Command } from 'commander';
import { readEnv } from '../config/env.js';
import { DEFAULT_PREFIX, isQueueName, QUEUE_NAMES, type QueueName } from '../../jobs/names.js';
import type { JobsQueues } from '../../jobs/queues.js';

// jobs/ops.ts and jobs/queues.ts load BullMQ: only the commands that talk to Redis load them.
const ops = () => import('../../jobs/ops.js');

function queueArg(q: string | undefined): QueueName | undefined {
  if (q === undefined) return undefined;
  if (!isQueueName(q)) throw new Error(`unknown queue ${q} (queues: ${QUEUE_NAMES.join(', ')})`);
  return q;
}

async function withQueues<T>(prefix: string, fn: (q: JobsQueues) => Promise<T>): Promise<T> {
  const env = readEnv();
  const url = env.REDIS_URL;
  if (!url && !env.redisCluster) throw new Error('REDIS_URL (or REDIS_CLUSTER_NODES) is not set: point it at the Redis the workers use');
  const connection = env.redisCluster
    ? { ...env.redisCluster, options: { ...env.redisCluster.options, clusterRetryStrategy: () => null, redisOptions: { ...env.redisCluster.options.redisOptions, maxRetriesPerRequest: 1 } } }
    : { ...parseRedisUrl(url!), maxRetriesPerRequest: 1, retryStrategy: () => null };
  const { createQueues } = await import('../../jobs/queues.js');
  const queues = createQueues({ connection, prefix });
  try {
    return await fn(queues);
  } finally {
    await queues.close();
  }
}

/** ioredis options from a URL, so the CLI can fail fast instead of retrying forever. */
function parseRedisUrl(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Registers `helpdesk jobs failed` and `helpdesk jobs retry` (Redis from REDIS_URL or REDIS_CLUSTER_NODES). */
export function registerJobsCommands(program: Command): void {
  const jobs = program.command('jobs').description('Inspect and retry background jobs (delivery, sla, automation)');

  jobs
    .command('failed')
    .description('List failed jobs (kept for inspection), newest first')
    .option('-q, --queue <queue>', `one queue: ${QUEUE_NAMES.join(', ')}`)
    .option('-n, --limit <n>', 'how many', '50')
    .option('--prefix <prefix>', 'BullMQ key prefix', DEFAULT_PREFIX)
    .action(async (o: { queue?: string; limit: string; prefix: string }) => {
      const rows = await withQueues(o.prefix, async (q) => (await ops()).listFailed(q, queueArg(o.queue), Number(o.limit) || 50));
      if (rows.length === 0) {
        console.log('No failed jobs.');
        return;
      }
      for (const r of rows) {
        const when = r.finishedOn ? new Date(r.finishedOn).toISOString() : '-';
        console.log(`${r.queue}\t${r.id}\t${r.name}\tattempts=${r.attemptsMade}\t${when}\t${r.about}\n\t${r.failedReason}`);
      }
    });

  jobs
    .command('health')
    .description('Queue depths: waiting, active, delayed (SLA timers on `sla`), failed')
    .option('--prefix <prefix>', 'BullMQ key prefix', DEFAULT_PREFIX)
    .option('--json', 'as JSON')
    .action(async (o: { prefix: string; json?: boolean }) => {
      const rows = await withQueues(o.prefix, async (q) => (await ops()).queueHealth(q));
      if (o.json) console.log(JSON.stringify(rows));
      else for (const r of rows) console.log(`${r.queue}\twaiting=${r.waiting}\tactive=${r.active}\tdelayed=${r.delayed}\tfailed=${r.failed}${r.paused ? '\tPAUSED' : ''}`);
    });

  jobs
    .command('retry')
    .description('Run failed jobs again: one by id, or --all of a queue')
    .argument('<queue>', `${QUEUE_NAMES.join(' | ')}`)
    .argument('[jobId]', 'the failed job (see `helpdesk jobs failed`)')
    .option('--all', 'every failed job of the queue')
    .option('--prefix <prefix>', 'BullMQ key prefix', DEFAULT_PREFIX)
    .action(async (queue: string, jobId: string | undefined, o: { all?: boolean; prefix: string }) => {
      const q = queueArg(queue)!;
      if (!o.all && !jobId) throw new Error('give a job id or --all');
      const n = await withQueues(o.prefix, async (qs) => (await ops()).retryFailed(qs, q, o.all ? 'all' : { id: jobId! }));
      console.log(`Queued ${n} job(s) of ${q} for another attempt.`);
    });
}
