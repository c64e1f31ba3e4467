import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAlert } from '../../adapters/alerts/alerts.auth.js';
import { incidentHarness, until } from './support.js';

const AM_TOKEN = 'am-token-0123456789abcdef';
const GF_TOKEN = 'grafana-token-0123456789';
const SECRET = 'generic-webhook-secret-0123456789abcdef';

let h: Awaited<ReturnType<typeof incidentHarness>>;
let base: string;

beforeAll(async () => {
  h = await incidentHarness({
    rules: [
      { services: ['vpn', 'checkout'], desk: 'it', action: 'open', resolveAfterMinutes: 0 },
      { services: ['mail'], desk: 'it', severity: 'SEV2', action: 'propose', resolveAfterMinutes: 15 },
    ],
  });
  ({ base } = await h.start({ secrets: { alertmanagerToken: AM_TOKEN, grafanaToken: GF_TOKEN, webhookSecret: SECRET } }));
});
afterAll(async () => h?.close());

/** Alertmanager v4 webhook payload, as Alertmanager sends it (grouped by alertname + service). */
function amPayload(status: 'firing' | 'resolved', alerts: Array<{ fp: string; instance: string; status?: 'firing' | 'resolved' }>) {
  return {
    version: '4',
    groupKey: '{}:{alertname="VPNGatewayDown", service="vpn"}',
    truncatedAlerts: 0,
    status,
    receiver: 'helpdesk',
    groupLabels: { alertname: 'VPNGatewayDown', service: 'vpn' },
    commonLabels: { alertname: 'VPNGatewayDown', service: 'vpn', severity: 'critical' },
    commonAnnotations: { summary: 'VPN gateway down' },
    externalURL: 'http://alertmanager.local:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? status,
      labels: { alertname: 'VPNGatewayDown', service: 'vpn', severity: 'critical', instance: a.instance },
      annotations: { summary: 'VPN gateway down', description: `Gateway ${a.instance} does not answer` },
      startsAt: '2026-11-29T08:00:00.000Z',
      endsAt: (a.status ?? status) === 'resolved' ? '2026-11-29T08:20:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.local/graph',
      fingerprint: a.fp,
    })),
  };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const am = (body: unknown, token = AM_TOKEN) => post('/webhooks/alertmanager', body, { authorization: `Bearer ${token}` });
const signed = (body: string, ts = Math.floor(Date.now() / 1000), sig = signAlert(SECRET, ts, body)) =>
  post('/webhooks/alerts', body, { 'x-helpdesk-timestamp': String(ts), 'x-helpdesk-signature': sig });
const count = (type: string) => h.events.filter((e) => e.type === type).length;

describe('alert webhooks → incidents', () => {
  it('refuses forged, stale, replayed and wrongly authenticated requests with 401 and stores nothing', async () => {
    const before = await h.storedJobs();
    const body = JSON.stringify({ service: 'payroll', title: 'Payroll down', severity: 'critical', status: 'firing', fingerprint: 'x1' });
    const now = Math.floor(Date.now() / 1000);
    const outcomes = [
      await am(amPayload('firing', [{ fp: 'a1', instance: 'gw1' }]), 'wrong-token-0123456789'),
      await post('/webhooks/alertmanager', amPayload('firing', [{ fp: 'a1', instance: 'gw1' }])),
      await post('/webhooks/grafana', { status: 'firing', alerts: [] }, { authorization: `Bearer ${AM_TOKEN}` }),
      await signed(body, now, signAlert('not-the-secret-0123456789abcdefgh', now, body)),
      await signed(body, now, signAlert(SECRET, now, body).replace(/.$/, (c) => (c === '0' ? '1' : '0'))),
      await signed(body, now - 301),
      await signed(body, now + 400),
      await signed(body, now, 'sha1=abc'),
      await post('/webhooks/alerts', body),
    ];
    expect(outcomes.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401]);
    expect(await outcomes[5]!.json()).toMatchObject({ error: expect.stringContaining('5-minute window') });
    // The genuine request once, then its replay (same timestamp and signature).
    const ok = await signed(body, now);
    expect(ok.status).toBe(202);
    const replay = await signed(body, now);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: expect.stringContaining('replayed') });
    expect(await h.storedJobs()).toBe(before + 1);
  });

  it('answers 400 naming the bad field, 404 for a webhook that is not configured', async () => {
    const bad = await am({ ...amPayload('firing', [{ fp: 'b1', instance: 'gw1' }]), version: '3' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.stringContaining('version') });
    const badStatus = await am({ ...amPayload('firing', [{ fp: 'b1', instance: 'gw1' }]), alerts: [{ status: 'burning', startsAt: 'x' }] });
    expect(await badStatus.json()).toMatchObject({ error: expect.stringContaining('alerts[0].status') });
    const body = JSON.stringify({ service: 'vpn', title: 'x', severity: 'catastrophic', status: 'firing', fingerprint: 'z' });
    const badGeneric = await signed(body);
    expect(badGeneric.status).toBe(400);
    expect(await badGeneric.json()).toMatchObject({ error: expect.stringContaining('severity') });
    // A server with no tokens: every webhook is closed and says what to set.
    const closed = await incidentHarness();
    try {
      const { base: b2 } = await closed.start({ work: false });
      const r = await fetch(`${b2}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: 'Bearer anything-at-all-0123' }, body: '{}' });
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: expect.stringContaining('ALERTMANAGER_TOKEN') });
      const g = await fetch(`${b2}/webhooks/alerts`, { method: 'POST', body: '{}' });
      expect(await g.json()).toMatchObject({ error: expect.stringContaining('ALERT_WEBHOOK_SECRET') });
      expect(await closed.storedJobs()).toBe(0);
    } finally {
      await closed.close();
    }
  });

  it('Alertmanager firing (grouped, repeated) then resolved: one incident, monitoring, resolved once', async () => {
    const firing = amPayload('firing', [{ fp: 'fp-gw1', instance: 'gw1' }, { fp: 'fp-gw2', instance: 'gw2' }]);
    expect((await am(firing)).status).toBe(202);
    await until(async () => (await h.hd.incidents.active({ service: 'vpn' }))[0]?.alertFingerprints.length === 2, 20_000, 'both alerts on one incident');
    // Alertmanager repeats the notification (repeat_interval) and a retry of the same request.
    expect((await am(firing)).status).toBe(202);
    expect((await am(firing)).status).toBe(202);
    const [inc, ...others] = await h.hd.incidents.active({ service: 'vpn' });
    expect(others).toEqual([]);
    expect(inc).toMatchObject({ title: 'VPN gateway down', severity: 'SEV1', status: 'investigating', services: ['vpn'], declaredBy: { kind: 'system' } });
    expect(inc!.startedAt.toISOString()).toBe('2026-11-29T08:00:00.000Z');

    // One of the two resolves: the other still fires, the incident stays.
    expect((await am(amPayload('firing', [{ fp: 'fp-gw1', instance: 'gw1', status: 'resolved' }, { fp: 'fp-gw2', instance: 'gw2' }]))).status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.hd.incidents.get({ id: inc!.id })).status).toBe('investigating');
    // Both resolved (and the resolved notification repeated): monitoring, then resolved by the quiet timer (0 minutes).
    const resolved = amPayload('resolved', [{ fp: 'fp-gw1', instance: 'gw1' }, { fp: 'fp-gw2', instance: 'gw2' }]);
    expect((await am(resolved)).status).toBe(202);
    expect((await am(resolved)).status).toBe(202);
    await until(async () => (await h.hd.incidents.get({ id: inc!.id })).status === 'resolved', 20_000, 'incident resolved');
    await new Promise((r) => setTimeout(r, 500));
    expect(count('incident.declared')).toBe(1);
    expect(count('incident.resolved')).toBe(1);
    expect(h.events.filter((e) => e.type === 'incident.status_changed').map((e) => e.incident.status)).toEqual(['monitoring']);
    const tl = await h.hd.incidents.timeline({ id: inc!.id });
    expect(tl.map((e) => e.status)).toEqual(['investigating', 'monitoring', 'resolved']);
  });

  it('Grafana and the signed generic webhook feed the same rules; a propose rule posts one card to tier 2', async () => {
    const grafana = {
      receiver: 'helpdesk', status: 'firing', orgId: 1, version: '1', groupKey: 'g', truncatedAlerts: 0, title: '[FIRING:1] Checkout errors', state: 'alerting', message: '',
      alerts: [{ status: 'firing', labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'warning' }, annotations: { summary: 'Checkout error rate above 5%' }, startsAt: '2026-11-29T09:00:00Z', endsAt: '0001-01-01T00:00:00Z', fingerprint: 'gf1', values: { B: 7.2 } }],
    };
    expect((await post('/webhooks/grafana', grafana, { authorization: `Bearer ${GF_TOKEN}` })).status).toBe(202);
    await until(async () => (await h.hd.incidents.active({ service: 'checkout' })).length === 1, 20_000, 'checkout incident');
    expect((await h.hd.incidents.active({ service: 'checkout' }))[0]).toMatchObject({ severity: 'SEV3', title: 'Checkout error rate above 5%' });

    const body = (status: string) => JSON.stringify({ service: 'mail', title: 'Mail queue stuck', severity: 'warning', status, fingerprint: 'mq-1', description: 'Outbound queue at 5,000' });
    expect((await signed(body('firing'))).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1100)); // next second: a new timestamp, a new notification
    expect((await signed(body('firing'))).status).toBe(202);
    await until(() => h.slack.sent.some((s) => s.channel === 'C_TIER2'), 20_000, 'proposal card');
    await new Promise((r) => setTimeout(r, 500));
    const cards = h.slack.sent.filter((s) => s.channel === 'C_TIER2');
    expect(cards).toHaveLength(1);
    expect(cards[0]!.view.title).toBe('Possible incident: Mail queue stuck');
    expect(cards[0]!.view.fields).toContainEqual({ label: 'Severity', value: 'SEV2' });
    expect(await h.hd.incidents.active({ service: 'mail' })).toEqual([]);
  });
});
