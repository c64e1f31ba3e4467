import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlerts } from '../../app/alerts.js';
import { composeHelpdesk } from '../../app/compose.js';
import type { CheckDefinition } from '../../core/domain/alert.js';
import type { IncidentEvent } from '../../core/domain/events.js';
import { probe } from '../../jobs/checks.js';
import { KeywordKb, testAgent, testDesk } from '../support/fixtures.js';
import { testRedisUrl } from '../support/services.js';
import { AGENT, incidentHarness, until } from './support.js';

/** A local service whose health endpoint answers what the test says. */
let mode: 'ok' | 'fail' | 'slow' = 'fail';
let hits = 0;
const server = http.createServer((req, res) => {
  hits++;
  if (mode === 'slow') return void setTimeout(() => res.writeHead(200).end('ok'), 400);
  res.writeHead(mode === 'ok' ? 200 : 503).end(mode);
});
let url: string;
let h: Awaited<ReturnType<typeof incidentHarness>>;

const check = (over: Partial<CheckDefinition> = {}): CheckDefinition =>
  ({ id: 'intranet', service: 'intranet', kind: 'http', url, intervalSeconds: 1, timeoutMs: 800, failuresBeforeAlert: 2, recoveriesBeforeResolve: 2, ...over }) as CheckDefinition;

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
});
afterAll(async () => {
  await h?.close();
  server.close();
});

describe('built-in checks', () => {
  it('probes HTTP status and latency and TCP connect', async () => {
    mode = 'ok';
    expect(await probe(check())).toMatchObject({ ok: true, detail: 'HTTP 200' });
    mode = 'fail';
    expect(await probe(check())).toMatchObject({ ok: false, detail: 'HTTP 503' });
    expect(await probe(check({ expectStatus: [503] }))).toMatchObject({ ok: true });
    mode = 'slow';
    expect(await probe(check({ maxLatencyMs: 100 }))).toMatchObject({ ok: false, detail: expect.stringContaining('slow') });
    expect(await probe(check({ timeoutMs: 100 }))).toMatchObject({ ok: false, detail: 'no answer within 100 ms' });
    const port = (server.address() as AddressInfo).port;
    expect(await probe({ id: 't', service: 's', kind: 'tcp', host: '127.0.0.1', port, intervalSeconds: 5, timeoutMs: 500, failuresBeforeAlert: 1, recoveriesBeforeResolve: 1 })).toMatchObject({ ok: true });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await probe({ id: 't', service: 's', kind: 'tcp', host: '127.0.0.1', port: closedPort, intervalSeconds: 5, timeoutMs: 500, failuresBeforeAlert: 1, recoveriesBeforeResolve: 1 })).toMatchObject({ ok: false, detail: 'ECONNREFUSED' });
  });

  it('a failing then recovering service, watched by two worker sets: one incident, one resolution', async () => {
    mode = 'fail';
    hits = 0;
    h = await incidentHarness({ rules: [{ services: ['intranet'], desk: 'it', action: 'open', resolveAfterMinutes: 0 }], checks: [check()] });
    // The second worker set: its own MongoDB connection, helpdesk and Redis connections, like a second process.
    const conn2 = await mongoose.createConnection(h.db.uri).asPromise();
    const hd2 = await composeHelpdesk({ connection: conn2, desks: [testDesk()], agents: [testAgent('ana', [AGENT], 2)], kb: new KeywordKb() });
    const events2: IncidentEvent[] = [];
    hd2.events.onIncident((e) => void events2.push(e));
    const t0 = Date.now();
    await h.start({ receive: false });
    const routes = new Map();
    const second = await startAlerts({ composed: hd2, alerting: h.cfg, secrets: {}, connection: testRedisUrl(), prefix: h.prefix, routes, log: pino({ level: 'silent' }), receive: false, work: true, tuning: { drainDelay: 1 } });
    try {
      const all = () => [...h.events, ...events2];
      await until(async () => (await h.hd.incidents.active({ service: 'intranet' })).length === 1, 30_000, 'incident opened by the check');
      const [inc] = await h.hd.incidents.active({ service: 'intranet' });
      expect(inc).toMatchObject({ title: 'intranet: check intranet is failing', status: 'investigating', alertFingerprints: ['check:intranet'] });
      mode = 'ok';
      await until(async () => (await h.hd.incidents.get({ id: inc!.id })).status === 'resolved', 30_000, 'incident resolved after recovery');
      const elapsedS = (Date.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 2500)); // more runs after the recovery change nothing
      expect(all().filter((e) => e.type === 'incident.declared')).toHaveLength(1);
      expect(all().filter((e) => e.type === 'incident.resolved')).toHaveLength(1);
      expect(all().filter((e) => e.type === 'incident.status_changed').map((e) => e.incident.status)).toEqual(['monitoring']);
      expect((await h.hd.incidentStore.list({ service: 'intranet' })).length).toBe(1);
      // One run per interval whatever the number of workers: about one probe a second, not two.
      const perSecond = hits / (elapsedS + 2.5);
      expect(perSecond).toBeLessThan(1.5);
      expect(hits).toBeGreaterThanOrEqual(4);
    } finally {
      await second.stop();
      await conn2.close();
    }
  });
});
