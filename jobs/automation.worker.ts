import { Worker, type Job } from 'bullmq';
import type { RedisClient } from './connection.js';
import type { Delivery } from '../core/ports/delivery.port.js';
import type { Logger } from '../core/ports/logger.port.js';
import { autoAssign } from '../core/use-cases/assign-ticket.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { autoCloseResolved, autoResolvePending, deflectionTimeout, remindPending } from '../core/use-cases/ticket-automation.js';
import { RedisAssignmentLedger } from './assignment-ledger.js';
import { settleLinkedPage } from '../core/use-cases/fanout/absorbed-requests.js';
import { renderSpikeCard } from '../core/use-cases/fanout/detect-spike.js';
import type { SpikeStore } from '../core/ports/spike-store.port.js';
import { digestOps } from './digest.js';
import { classified } from './errors.js';
import { QUEUE, safeId, type AutomationJob } from './names.js';
import type { JobsQueues } from './queues.js';
import type { WorkerTuning } from './tuning.js';

export interface AutomationWorkerDeps {
  deps: CoreDeps;
  delivery: Delivery;
  queues: JobsQueues;
  log: Logger;
  /** The idempotency store to prune (MongoIdempotencyStore); pruning is skipped without it. */
  idempotency?: { prune(before: Date): Promise<number> };
  /** How long processed inbound event ids are kept. @defaultValue 1 day */
  keepProcessedMs?: number;
  /** Spike suggestions (Composed.spikes): `spike_render` jobs are skipped without it. */
  spikes?: SpikeStore;
}

/** Consumes automation jobs: assignment, deflection window, reminders, auto-resolve/close, digests, pruning. */
export function createAutomationWorker(d: AutomationWorkerDeps, connection: RedisClient, concurrency = 10, tuning: WorkerTuning = {}): Worker<AutomationJob> {
  const ledger = new RedisAssignmentLedger(d.queues.redis, d.queues.prefix);
  const processor = async (job: Job<AutomationJob>): Promise<unknown> => {
    const j = job.data;
    const deps = d.deps;
    return classified(async () => {
      switch (j.kind) {
        case 'assign': {
          const r = await autoAssign(deps, ledger, { id: j.ticketId });
          return r.assigned ? { assigned: r.agent.id } : { assigned: false, reason: r.reason };
        }
        case 'incident_settle': {
          if (!deps.incidents) return 'skipped';
          // The next page is queued before this one is settled: pages run in parallel on the workers.
          const next = await settleLinkedPage({ ...deps, incidents: deps.incidents, delivery: d.delivery }, j.incidentId, j.after, async (cursor) => {
            if (!cursor) return;
            const data: AutomationJob = { kind: 'incident_settle', incidentId: j.incidentId, after: cursor };
            await d.queues.automation.add(data.kind, data, { jobId: safeId('incset', j.incidentId, cursor) });
          });
          return next ? { next } : 'done';
        }
        case 'spike_render':
          if (!d.spikes) return 'skipped';
          await renderSpikeCard({ ...deps, spikes: d.spikes, delivery: d.delivery }, j.spikeId, j.version);
          return 'rendered';
        case 'deflection_timeout':
          return (await deflectionTimeout(deps, j.ticketId))?.status ?? 'skipped';
        case 'pending_reminder': {
          const sent = await remindPending(deps, d.delivery, j.ticketId, j.since, j.n);
          const t = sent ? await deps.store.get(j.ticketId) : null;
          if (t) {
            // Next reminder, while it still comes before the automatic resolution.
            const a = deps.directory.desk(t.deskId).automation;
            const next = j.since + (j.n + 1) * a.pendingReminderHours * 3600_000;
            if (a.autoResolveAfterDays <= 0 || next < j.since + a.autoResolveAfterDays * 86_400_000) {
              const data: AutomationJob = { kind: 'pending_reminder', ticketId: j.ticketId, since: j.since, n: j.n + 1 };
              await d.queues.automation.add(data.kind, data, { jobId: safeId('remind', j.ticketId, j.since, j.n + 1), delay: Math.max(0, next - deps.clock.now().getTime()) });
            }
          }
          return sent;
        }
        case 'auto_resolve':
          return (await autoResolvePending(deps, d.delivery, j.ticketId, j.since))?.status ?? 'skipped';
        case 'auto_close':
          return (await autoCloseResolved(deps, j.ticketId, j.resolvedAt))?.status ?? 'skipped';
        case 'digest': {
          const desk = deps.directory.desk(j.deskId);
          const firedAt = new Date(job.timestamp + (job.delay ?? 0));
          const ops = await digestOps(deps, d.queues.redis, d.queues.prefix, desk, j.days, firedAt);
          for (const op of ops) await d.delivery.send(op);
          return ops.length;
        }
        case 'prune_processed':
          return d.idempotency ? d.idempotency.prune(new Date(deps.clock.now().getTime() - (d.keepProcessedMs ?? 86_400_000))) : 0;
      }
    });
  };
  return new Worker<AutomationJob>(QUEUE.automation, processor, { connection, prefix: d.queues.prefix, concurrency, ...tuning });
}
