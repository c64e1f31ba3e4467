import { Worker, type Job } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { Delivery } from '../core/ports/delivery.port.js';
import type { Logger } from '../core/ports/logger.port.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { handleSlaTimer, type SlaTimerOutcome } from '../core/use-cases/sla-breach.js';
import { countForDigest } from './digest.js';
import { classified } from './errors.js';
import type { JobsMetrics } from './metrics.js';
import { QUEUE, type SlaJob } from './names.js';
import type { WorkerTuning } from './tuning.js';

export interface SlaWorkerDeps {
  deps: CoreDeps;
  delivery: Delivery;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  metrics?: JobsMetrics;
}

/** Consumes SLA timers: warnings and breaches (with automatic escalation), see handleSlaTimer. */
export function createSlaWorker(d: SlaWorkerDeps, connection: RedisClient, concurrency = 20, tuning: WorkerTuning = {}): Worker<SlaJob> {
  const processor = async (job: Job<SlaJob>): Promise<SlaTimerOutcome | 'moot'> => {
    const r = await classified(() => handleSlaTimer(d.deps, d.delivery, job.data));
    if (r !== 'moot' && r.outcome === 'breached') {
      d.metrics?.breachLateness.observe({ target: job.data.target }, Math.max(0, r.lateMs) / 1000);
      if (r.firstTime) {
        const t = r.ticket; // desk and number do not change: no re-read
        await countForDigest(d.redis, d.prefix, d.deps.directory.desk(t.deskId), 'breached', d.deps.clock.now());
        d.log.info({ ticket: t.number, target: job.data.target, escalated: r.escalated, lateMs: r.lateMs }, 'SLA breached');
      }
    }
    return r;
  };
  return new Worker<SlaJob>(QUEUE.sla, processor, { connection, prefix: d.prefix, concurrency, ...tuning });
}
