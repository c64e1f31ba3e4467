import { Queue, type JobsOptions as BullJobOptions } from 'bullmq';
import { DEFAULT_PREFIX, keyPrefix, quitQuietly, redisClient, throttledErrorLog, type JobsOptions, type RedisClient } from './connection.js';
import { QUEUE, type AutomationJob, type DeliveryJob, type QueueName, type SlaJob } from './names.js';

/** Completed jobs are kept a day (dedupe window for deterministic ids); failed jobs are kept for inspection. */
export const KEEP: Pick<BullJobOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 50_000 },
  removeOnFail: false,
};

export interface JobsQueues {
  prefix: string;
  /** The client the queues share (also used for rate-limit buckets, markers and counters). */
  redis: RedisClient;
  delivery: Queue<DeliveryJob>;
  sla: Queue<SlaJob>;
  automation: Queue<AutomationJob>;
  byName(name: QueueName): Queue;
  close(): Promise<void>;
}

/** Opens the three queues on one Redis client. */
export function createQueues(o: JobsOptions): JobsQueues {
  const prefix = keyPrefix(o.connection, o.prefix ?? DEFAULT_PREFIX);
  const onError = throttledErrorLog(o.log, 'queues');
  const redis = redisClient(o.connection, onError);
  const opts = { connection: redis, prefix };
  const delivery = new Queue<DeliveryJob>(QUEUE.delivery, { ...opts, defaultJobOptions: { ...KEEP } });
  const sla = new Queue<SlaJob>(QUEUE.sla, { ...opts, defaultJobOptions: { ...KEEP, attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } } });
  const automation = new Queue<AutomationJob>(QUEUE.automation, {
    ...opts,
    defaultJobOptions: { ...KEEP, attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
  });
  const all = { delivery, sla, automation } as Record<QueueName, Queue>;
  for (const q of Object.values(all)) q.on('error', onError);
  return {
    prefix,
    redis,
    delivery,
    sla,
    automation,
    byName: (name) => all[name],
    async close() {
      await Promise.all(Object.values(all).map((q) => q.close().catch(() => {})));
      await quitQuietly(redis);
    },
  };
}

/** Key for our own helper data next to the queues (markers, buckets, counters). */
export const helperKey = (prefix: string, ...parts: string[]): string => `${prefix}:hd:${parts.join(':')}`;
