import { Queue } from 'bullmq';
import type { AlertRecorder, RecordedAlert } from '../adapters/alerts/alert-recorder.js';
import type { Alert } from '../core/domain/alert.js';
import type { AlertTimers, QuietTimer } from '../core/ports/alert-state.port.js';
import { DEFAULT_PREFIX, keyPrefix, quitQuietly, redisClient, throttledErrorLog, type JobsOptions, type RedisClient } from './connection.js';
import { safeId } from './names.js';
import { KEEP } from './queues.js';

/** Alerts (webhooks, checks), quiet timers and the checks' schedulers share this queue. */
export const ALERTS_QUEUE = 'alerts';

/** An alert as a job carries it (dates as epoch ms). */
export type SerializedAlert = Omit<Alert, 'at'> & { at: number };

export type AlertsJob =
  | { kind: 'alert'; alert: SerializedAlert }
  | { kind: 'quiet'; timer: QuietTimer }
  | { kind: 'check'; checkId: string };

export const serializeAlert = (a: Alert): SerializedAlert => ({ ...a, at: a.at.getTime() });
export const deserializeAlert = (a: SerializedAlert): Alert => ({ ...a, at: new Date(a.at) });

export { alertJobId } from '../adapters/alerts/alert-recorder.js';
export const quietJobId = (t: QuietTimer): string => safeId('quiet', t.fingerprint, t.gen, t.changedAt, t.stage ?? 0);
export const checkSchedulerId = (checkId: string): string => safeId('check', checkId);

/**
 * The producer side of the alert queue: webhook receivers record alerts here before answering 2xx
 * (one `addBulk` per notification, so a grouped Alertmanager payload is stored whole); the alert
 * worker schedules quiet timers here.
 */
export class AlertsQueue implements AlertRecorder, AlertTimers {
  readonly queue: Queue<AlertsJob>;
  readonly redis: RedisClient;
  readonly prefix: string;

  constructor(o: JobsOptions) {
    this.prefix = keyPrefix(o.connection, o.prefix ?? DEFAULT_PREFIX);
    this.redis = redisClient(o.connection, throttledErrorLog(o.log, 'alerts'));
    this.queue = new Queue<AlertsJob>(ALERTS_QUEUE, {
      connection: this.redis,
      prefix: this.prefix,
      defaultJobOptions: { ...KEEP, attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } },
    });
    this.queue.on('error', throttledErrorLog(o.log, 'alerts queue'));
  }

  async record(alerts: readonly RecordedAlert[]): Promise<void> {
    if (alerts.length === 0) return;
    await this.queue.addBulk(alerts.map((a) => ({ name: 'alert', data: { kind: 'alert' as const, alert: serializeAlert(a.alert) }, opts: { jobId: a.id } })));
  }

  async schedule(t: QuietTimer, at: Date): Promise<void> {
    await this.queue.add('quiet', { kind: 'quiet', timer: t }, { jobId: quietJobId(t), delay: Math.max(0, at.getTime() - Date.now()) });
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
    await quitQuietly(this.redis);
  }
}
