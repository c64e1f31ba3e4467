import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { startAlerts, type AlertSecrets } from '../../app/alerts.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { createHttpServer, type RequestHandler } from '../../app/http-server.js';
import { EMPTY_ALERTING, type AlertingConfig } from '../../core/domain/alert.js';
import type { IncidentEvent } from '../../core/domain/events.js';
import type { ChatPlatform } from '../../core/ports/chat-platform.port.js';
import { AlertsQueue } from '../../jobs/alerts.queue.js';
import { FakePlatform } from '../jobs/harness.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';

export const AGENT = person('slack', 'UAG', 'T1', 'Ana');

/** Polls `cond` until it holds (or fails the test after `ms`). */
export async function until(cond: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A helpdesk on a fresh database and a random queue prefix, with incident events recorded. */
export async function incidentHarness(alerting: Partial<AlertingConfig> = {}) {
  const db = await freshDb();
  const slack = new FakePlatform('slack');
  const hd: Composed = await composeHelpdesk({
    connection: db.connection,
    desks: [testDesk()],
    agents: [testAgent('ana', [AGENT], 2)],
    kb: new KeywordKb(),
    platforms: new Map<'slack', ChatPlatform>([['slack', slack]]),
  });
  const events: IncidentEvent[] = [];
  hd.events.onIncident((e) => void events.push(e));
  const prefix = `inc${randomId()}`;
  const cfg: AlertingConfig = { ...EMPTY_ALERTING, ...alerting };
  const log = pino({ level: 'silent' });
  const stops: Array<() => Promise<unknown>> = [];
  const probe = new AlertsQueue({ connection: testRedisUrl(), prefix });
  stops.push(() => probe.close());
  return {
    db,
    hd,
    slack,
    events,
    prefix,
    cfg,
    probe,
    /** Alert jobs ever stored (every state). */
    async storedJobs(): Promise<number> {
      const c = await probe.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    /** An HTTP server with the alert webhooks (and optionally a worker set). */
    async start(o: { secrets?: AlertSecrets; work?: boolean; receive?: boolean } = {}) {
      const routes = new Map<string, RequestHandler>();
      const a = await startAlerts({ composed: hd, alerting: cfg, secrets: o.secrets ?? {}, connection: testRedisUrl(), prefix, routes, log, receive: o.receive ?? true, work: o.work ?? true, tuning: { drainDelay: 1 } });
      stops.push(() => a.stop());
      if (!(o.receive ?? true)) return { base: '', alerts: a };
      const server = createHttpServer({ log, routes, ready: async () => ({ ok: true, checks: {} }) });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      stops.push(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));
      return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, alerts: a };
    },
    async close() {
      for (const s of stops.reverse()) await s().catch(() => {});
      await db.drop();
    },
  };
}
