import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../../core/ports/logger.port.js';
import { alertJobId, type AlertRecorder } from './alert-recorder.js';
import { bearerMatches, verifySignature } from './alerts.auth.js';
import { parseGeneric, parseGrouped, type Parsed } from './alerts.payloads.js';

/** Remembers signatures already used (a replay inside the window is refused). Redis SET NX in production. */
export interface NonceStore {
  /** True if `nonce` was not seen before (and is now remembered for `ttlS`). */
  claim(nonce: string, ttlS: number): Promise<boolean>;
  /** Forgets a claimed nonce (its request was not stored, so the sender may retry it). */
  forget(nonce: string): Promise<void>;
}

export interface AlertsAppOptions {
  recorder: AlertRecorder;
  nonces: NonceStore;
  /** Unset: that endpoint answers 404 naming the variable to set. */
  alertmanagerToken?: string;
  grafanaToken?: string;
  webhookSecret?: string;
  log: Logger;
  /** @defaultValue 1 MiB */
  maxBodyBytes?: number;
  now?: () => number;
}

/** The three alert receivers' exact paths (mounted on the HTTP server's route table). */
export const ALERT_PATHS = ['/webhooks/alertmanager', '/webhooks/grafana', '/webhooks/alerts'] as const;

/**
 * Alert intake over HTTP: Alertmanager and Grafana (bearer tokens) and the generic signed webhook
 * (HMAC-SHA256, 5-minute window, replays refused). Order per request: enabled? → authenticated? →
 * well-formed? → stored (alert queue) → 202. Anything refused stores nothing.
 */
export function createAlertsApp(o: AlertsAppOptions): Hono {
  const app = new Hono();
  const now = o.now ?? Date.now;
  const max = o.maxBodyBytes ?? 1024 * 1024;
  app.use('*', bodyLimit({ maxSize: max, onError: (c) => c.json({ error: `request body over ${max} bytes` }, 413) }));

  const notEnabled = (c: Context, variable: string) => c.json({ error: `this webhook is not enabled: set ${variable}` }, 404);
  const unauthorized = (c: Context, why: string) => {
    o.log.warn({ path: c.req.path, why }, 'alert webhook refused');
    return c.json({ error: `unauthorized: ${why}` }, 401);
  };
  const readJson = (raw: string): { ok: true; value: unknown } | { ok: false } => {
    try {
      return { ok: true, value: JSON.parse(raw) as unknown };
    } catch {
      return { ok: false };
    }
  };
  const store = async (c: Context, source: string, parsed: Parsed) => {
    if (!parsed.ok) return c.json({ error: `invalid ${source} payload: ${parsed.error}` }, 400);
    await o.recorder.record(parsed.alerts.map((a) => ({ id: alertJobId(a.alert.source, a.alert.fingerprint, a.alert.status, a.stamp), alert: a.alert })));
    return c.json({ accepted: parsed.alerts.length }, 202);
  };

  const grouped = (source: 'alertmanager' | 'grafana', token: string | undefined, variable: string) => async (c: Context) => {
    if (!token) return notEnabled(c, variable);
    if (!bearerMatches(c.req.header('authorization'), token)) return unauthorized(c, 'missing or wrong bearer token');
    const body = readJson(await c.req.text());
    if (!body.ok) return c.json({ error: `invalid ${source} payload: not JSON` }, 400);
    return store(c, source, parseGrouped(source, body.value, new Date(now())));
  };
  app.post('/webhooks/alertmanager', grouped('alertmanager', o.alertmanagerToken, 'ALERTMANAGER_TOKEN'));
  app.post('/webhooks/grafana', grouped('grafana', o.grafanaToken, 'GRAFANA_TOKEN'));

  app.post('/webhooks/alerts', async (c) => {
    if (!o.webhookSecret) return notEnabled(c, 'ALERT_WEBHOOK_SECRET');
    const raw = await c.req.text();
    const sig = verifySignature(o.webhookSecret, c.req.header('x-helpdesk-timestamp'), c.req.header('x-helpdesk-signature'), raw, Math.floor(now() / 1000));
    if (!sig.ok) return unauthorized(c, sig.reason);
    const body = readJson(raw);
    if (!body.ok) return c.json({ error: 'invalid alert payload: not JSON' }, 400);
    const parsed = parseGeneric(body.value, sig.timestamp);
    if (!parsed.ok) return c.json({ error: `invalid alert payload: ${parsed.error}` }, 400);
    // A signature is good once: kept a little longer than the window it could be replayed in.
    if (!(await o.nonces.claim(sig.signature, 2 * 5 * 60 + 60))) return unauthorized(c, 'replayed request (this signature was already used)');
    try {
      return await store(c, 'alert', parsed);
    } catch (e) {
      await o.nonces.forget(sig.signature).catch(() => {});
      throw e;
    }
  });

  app.all('/webhooks/*', (c) => c.json({ error: 'use POST' }, 405));
  app.onError((err, c) => {
    o.log.error({ err, path: c.req.path }, 'alert webhook failed');
    // Not stored: the sender retries (Alertmanager and Grafana retry on 5xx).
    return c.json({ error: 'could not store the alert; retry' }, 503);
  });
  return app;
}
