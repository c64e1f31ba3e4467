import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { Delivery } from '../core/ports/delivery.port.js';
import type { Logger } from '../core/ports/logger.port.js';
import type { Ticket } from '../core/domain/ticket.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { decodeTicket } from '../core/domain/ticket-snapshot.js';
import { handleSlaTimer, type SlaTimerOutcome } from '../core/use-cases/sla-breach.js';
import { countForDigest } from './digest.js';
import { classified } from './errors.js';
import type { JobsMetrics } from './metrics.js';
import { QUEUE, type SlaJob } from './names.js';
import { addSlaTimer, slaChain } from './scheduler.js';
import type { WorkerTuning } from './tuning.js';

export interface SlaWorkerDeps {
  deps: CoreDeps;
  delivery: Delivery;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  metrics?: JobsMetrics;
  /** The SLA queue: where the next step of a ticket's plan is added (see `next` below). */
  queue?: Queue<SlaJob>;
}

/**
 * Consumes SLA timers: warnings and breaches (with automatic escalation), see handleSlaTimer.
 * A ticket has one timer at a time carrying the rest of its plan (jobs/scheduler.ts): once this one
 * has run, the next step's timer is added — before the job completes, so a crash in between retries
 * the job, which adds it again (same id). Not after an escalation: that is a ticket change, and the
 * scheduler sets the new tier's plan. A stale timer still passes the plan on (normally the change
 * that made it stale removed it; if a change's event were lost the later steps still run, and each
 * checks the ticket as it is then). A timer failing for good passes it on too.
 */
export function createSlaWorker(d: SlaWorkerDeps, connection: RedisClient, concurrency = 20, tuning: WorkerTuning = {}): Worker<SlaJob> {
  const next = async (job: Job<SlaJob>, known?: Ticket) => {
    const p = d.queue && job.data.next?.length ? slaChain(job.data.ticketId, job.data.tier, job.data.next, known) : undefined;
    if (p) await addSlaTimer(d.queue!, p, d.deps.clock.now().getTime());
  };
  const processor = async (job: Job<SlaJob>): Promise<SlaTimerOutcome | 'moot'> => {
    let r: SlaTimerOutcome | 'moot';
    try {
      const { known, ...timer } = job.data;
      const snap = decodeTicket(known);
      r = await classified(() => handleSlaTimer(d.deps, d.delivery, snap ? { ...timer, known: snap } : timer));
    } catch (e) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1) || e instanceof UnrecoverableError) await next(job);
      throw e;
    }
    if (r !== 'moot' && r.outcome === 'warned') {
      // The ticket as the warning left it rides with the next step's timer, not in the job's result.
      const { after, ...rest } = r;
      await next(job, after);
      return rest;
    }
    if (r === 'moot' || r.outcome !== 'breached' || !r.escalated) await next(job);
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
