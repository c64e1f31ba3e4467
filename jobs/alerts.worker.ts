import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { CheckDefinition } from '../core/domain/alert.js';
import type { Logger } from '../core/ports/logger.port.js';
import { applyAlert, quietElapsed, type AlertDeps } from '../core/use-cases/incidents/apply-alert.js';
import { silentLogger } from '../core/ports/logger.port.js';
import { RedisAlertStateStore } from './alert-state.redis.js';
import { ALERTS_QUEUE, AlertsQueue, deserializeAlert, type AlertsJob } from './alerts.queue.js';
import { runCheck, upsertCheckSchedulers } from './checks.js';
import { quitQuietly, redisClient, throttledErrorLog, type JobsOptions, type RedisClient } from './connection.js';
import { classified } from './errors.js';
import type { WorkerTuning } from './tuning.js';

export interface AlertsWorkerOptions {
  deps: AlertDeps;
  /** Where checks record their alerts (and quiet timers are scheduled). */
  queue: AlertsQueue;
  log: Logger;
  /** @defaultValue 8 */
  concurrency?: number;
  tuning?: WorkerTuning;
}

/**
 * Consumes the alert queue: alert notifications (→ applyAlert), quiet timers (→ quietElapsed) and
 * built-in check runs (→ probe, count, record the transition's alert). At-least-once: every step
 * is keyed by the job id.
 */
export function createAlertsWorker(o: AlertsWorkerOptions, connection: RedisClient): Worker<AlertsJob> {
  const checks = new Map<string, CheckDefinition>(o.deps.alerting.checks.map((c) => [c.id, c]));
  const processor = async (job: Job<AlertsJob>): Promise<unknown> => {
    const key = `job:${job.id ?? ''}`;
    const d = job.data;
    switch (d?.kind) {
      case 'alert': {
        const r = await classified(() => applyAlert(o.deps, deserializeAlert(d.alert), key));
        const outcome = r === 'moot' ? 'moot' : r.outcome;
        o.log.info({ job: job.id, fingerprint: d.alert.fingerprint.slice(0, 80), status: d.alert.status, outcome, incident: r === 'moot' ? undefined : r.incident?.number }, 'alert applied');
        return outcome;
      }
      case 'quiet': {
        const r = await classified(() => quietElapsed(o.deps, d.timer, key));
        return r === 'moot' ? 'moot' : r.outcome;
      }
      case 'check': {
        const def = checks.get(d.checkId);
        if (!def) return 'unknown check (removed from the desk file)';
        const r = await runCheck(def, o.queue.redis, o.queue.prefix, o.queue);
        if (!r.ok) o.log.info({ check: def.id, detail: r.detail, down: r.down }, 'check failed');
        return r;
      }
      default:
        throw new UnrecoverableError(`unknown alerts job ${JSON.stringify(job.name).slice(0, 40)}`);
    }
  };
  const t = o.tuning ?? {};
  return new Worker<AlertsJob>(ALERTS_QUEUE, processor, { connection, prefix: o.queue.prefix, concurrency: o.concurrency ?? 8, ...t });
}

export interface StartAlertsWorkerOptions extends JobsOptions {
  /** Incident deps and the alerting config; the alert state, timers and queue are made here. */
  deps: Omit<AlertDeps, 'alertState' | 'alertTimers'>;
  log?: Logger;
  concurrency?: number;
  tuning?: WorkerTuning;
  /** Upsert the checks' job schedulers (every worker process may: one run per interval whatever their number). @defaultValue true */
  schedulers?: boolean;
}

export interface RunningAlertsWorker {
  worker: Worker<AlertsJob>;
  queue: AlertsQueue;
  close(force?: boolean): Promise<void>;
}

/** The alert worker of a `worker`/`all` process: consumes the alert queue and keeps the check schedulers. */
export async function startAlertsWorker(o: StartAlertsWorkerOptions): Promise<RunningAlertsWorker> {
  const log = o.log ?? silentLogger;
  const queue = new AlertsQueue({ connection: o.connection, prefix: o.prefix, log });
  const conn = redisClient(o.connection, throttledErrorLog(log, 'alerts worker'));
  const deps: AlertDeps = { ...o.deps, alertState: new RedisAlertStateStore(queue.redis, queue.prefix), alertTimers: queue };
  const worker = createAlertsWorker({ deps, queue, log, concurrency: o.concurrency, tuning: o.tuning }, conn);
  worker.on('error', throttledErrorLog(log, 'alerts worker'));
  if (o.schedulers !== false) await upsertCheckSchedulers(queue.queue, o.deps.alerting.checks);
  await worker.waitUntilReady();
  return {
    worker,
    queue,
    async close(force = false) {
      await worker.close(force);
      await queue.close();
      await quitQuietly(conn);
    },
  };
}
