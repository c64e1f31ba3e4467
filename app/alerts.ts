import { getRequestListener } from '@hono/node-server';
import type pino from 'pino';
import { ALERT_PATHS, createAlertsApp, type NonceStore } from '../adapters/alerts/alerts.app.js';
import type { AlertingConfig } from '../core/domain/alert.js';
import { DeliveryProposer } from '../core/use-cases/incidents/propose-incident.js';
import type { IncidentProposer } from '../core/ports/alert-state.port.js';
import { AlertsQueue } from '../jobs/alerts.queue.js';
import { startAlertsWorker, type RunningAlertsWorker } from '../jobs/alerts.worker.js';
import type { JobsConnection, RedisClient } from '../jobs/connection.js';
import { helperKey } from '../jobs/queues.js';
import type { WorkerTuning } from '../jobs/tuning.js';
import type { Composed } from './compose.js';
import type { RequestHandler } from './http-server.js';
import { asCoreLogger } from './logger.js';

export interface AlertSecrets {
  alertmanagerToken?: string;
  grafanaToken?: string;
  webhookSecret?: string;
}

export interface StartAlertsOptions {
  composed: Composed;
  alerting: AlertingConfig;
  secrets: AlertSecrets;
  connection: JobsConnection;
  prefix: string;
  routes: Map<string, RequestHandler>;
  log: pino.Logger;
  /** Mount the webhooks (roles `all` and `web`). */
  receive: boolean;
  /** Consume alerts, run checks (roles `all` and `worker`). */
  work: boolean;
  concurrency?: number;
  tuning?: WorkerTuning;
  /** Who shows `propose` rules' suggestions. @defaultValue a card in the desk's tier-2 channels (DeliveryProposer) */
  proposer?: IncidentProposer;
}

/** Signatures of the generic webhook already used: Redis SET NX with a TTL (shared by every replica). */
export function redisNonces(redis: RedisClient, prefix: string): NonceStore {
  return {
    claim: async (nonce, ttlS) => (await redis.set(helperKey(prefix, 'alerts', 'sig', nonce), '1', 'EX', ttlS, 'NX')) === 'OK',
    forget: async (nonce) => void (await redis.del(helperKey(prefix, 'alerts', 'sig', nonce))),
  };
}

/**
 * Alert intake (docs/incidents.md): the three webhooks on the HTTP server (recorded in the alert
 * queue before 2xx) and, on worker roles, the alert worker with the built-in checks' schedulers.
 */
export async function startAlerts(o: StartAlertsOptions): Promise<{ stop(): Promise<void>; worker?: RunningAlertsWorker }> {
  const log = asCoreLogger(o.log.child({ component: 'alerts' }));
  const stops: Array<() => Promise<void>> = [];
  if (o.receive) {
    const queue = new AlertsQueue({ connection: o.connection, prefix: o.prefix, log });
    stops.push(() => queue.close());
    const app = createAlertsApp({ recorder: queue, nonces: redisNonces(queue.redis, queue.prefix), ...o.secrets, log });
    const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
    for (const p of ALERT_PATHS) o.routes.set(p, (req, res) => listener(req, res));
    const enabled = [o.secrets.alertmanagerToken && 'alertmanager', o.secrets.grafanaToken && 'grafana', o.secrets.webhookSecret && 'generic'].filter(Boolean);
    o.log.info({ enabled, rules: o.alerting.rules.length }, 'alert webhooks mounted (unset ones answer 404)');
  }
  let worker: RunningAlertsWorker | undefined;
  if (o.work) {
    worker = await startAlertsWorker({
      connection: o.connection,
      prefix: o.prefix,
      log,
      concurrency: o.concurrency,
      tuning: o.tuning,
      deps: { ...o.composed.incidents.deps, alerting: o.alerting, proposer: o.proposer ?? new DeliveryProposer(o.composed.directory, o.composed.delivery) },
    });
    const w = worker;
    stops.push(() => w.close());
    if (o.alerting.checks.length) o.log.info({ checks: o.alerting.checks.map((c) => c.id) }, 'built-in checks scheduled');
  }
  return {
    worker,
    async stop() {
      for (const s of stops.reverse()) await s().catch(() => {});
    },
  };
}
