import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { EMPTY_ALERTING, type Alert } from '../../core/domain/alert.js';
import type { IncidentEvent } from '../../core/domain/events.js';
import type { IncidentProposal, QuietTimer } from '../../core/ports/alert-state.port.js';
import { applyAlert, quietElapsed, type AlertDeps } from '../../core/use-cases/incidents/apply-alert.js';
import { RedisAlertStateStore } from '../../jobs/alert-state.redis.js';
import { KeywordKb, testDesk } from '../support/fixtures.js';
import { freshDb, randomId, testRedis } from '../support/services.js';

/**
 * The alert rules themselves (dedupe, episodes, flapping damping, quiet timers, propose once),
 * on real FerretDB and Redis with a clock the test moves. Timers are recorded, then fired by hand.
 */
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
const redis = testRedis();
let now = Date.parse('2026-11-29T08:00:00Z');
const timers: Array<{ t: QuietTimer; at: number }> = [];
const proposals: IncidentProposal[] = [];
const events: IncidentEvent[] = [];
let deps: AlertDeps;
let n = 0;

beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({ connection: db.connection, desks: [testDesk()], agents: [], kb: new KeywordKb(), clock: { now: () => new Date(now) } });
  hd.events.onIncident((e) => void events.push(e));
  deps = {
    ...hd.incidents.deps,
    alerting: {
      ...EMPTY_ALERTING,
      rules: [
        { services: ['vpn'], desk: 'it', action: 'open', resolveAfterMinutes: 10 },
        { services: ['*'], desk: 'it', action: 'propose', resolveAfterMinutes: 10 },
      ],
      flapping: { maxChanges: 4, windowMinutes: 30 },
    },
    alertState: new RedisAlertStateStore(redis, `rules${randomId()}`),
    alertTimers: { schedule: async (t, at) => void timers.push({ t, at: at.getTime() }) },
    proposer: { propose: async (p) => void proposals.push(p) },
  };
});
afterAll(async () => {
  redis.disconnect();
  await db.drop();
});

const alert = (status: Alert['status'], o: Partial<Alert> = {}): Alert => ({ source: 'generic', fingerprint: 'generic:vpn-gw', service: 'vpn', title: 'VPN gateway down', status, at: new Date(now), ...o });
const apply = (a: Alert) => applyAlert(deps, a, `job-${++n}`);
const tick = (minutes: number) => void (now += minutes * 60_000);
const statuses = () => events.filter((e) => e.type === 'incident.status_changed' || e.type === 'incident.resolved').map((e) => e.incident.status);

describe('alert rules', () => {
  it('dedupes, reopens from monitoring, damps flapping, then resolves after the quiet period', async () => {
    expect((await apply(alert('firing'))).outcome).toBe('opened');
    expect((await apply(alert('firing'))).outcome).toBe('repeat');
    tick(2);
    expect((await apply(alert('resolved'))).outcome).toBe('monitoring');
    expect((await apply(alert('resolved'))).outcome).toBe('repeat');
    expect(timers.at(-1)!.at).toBe(now + 10 * 60_000);
    tick(1);
    expect((await apply(alert('firing'))).outcome).toBe('reopened');
    tick(1);
    // Fourth change within 30 minutes: flapping. The incident is not moved to monitoring.
    expect((await apply(alert('resolved'))).outcome).toBe('damped');
    expect(timers.at(-1)!.at).toBe(now + 30 * 60_000);
    tick(1);
    expect((await apply(alert('firing'))).outcome).toBe('damped');
    tick(1);
    expect((await apply(alert('resolved'))).outcome).toBe('damped');
    expect(statuses()).toEqual(['monitoring', 'investigating']);
    const [inc] = await hd.incidents.active({ service: 'vpn' });
    expect(inc!.status).toBe('investigating');

    // Older timers are stale; the latest applies the held-back resolution, then its own timer resolves.
    for (const old of timers.slice(0, -1)) expect((await quietElapsed(deps, old.t, `q-${++n}`)).outcome).toBe('stale');
    const last = timers.at(-1)!;
    now = last.at;
    expect((await quietElapsed(deps, last.t, `q-${++n}`)).outcome).toBe('monitoring');
    const next = timers.at(-1)!;
    expect(next.t.stage).toBe(1);
    now = next.at;
    expect((await quietElapsed(deps, next.t, `q-${++n}`)).outcome).toBe('resolved');
    expect((await quietElapsed(deps, next.t, `q-${++n}`)).outcome).toBe('stale');
    expect(statuses()).toEqual(['monitoring', 'investigating', 'monitoring', 'resolved']);
    expect(events.filter((e) => e.type === 'incident.declared')).toHaveLength(1);

    // The same fingerprint firing later is a new episode: a new incident.
    tick(60);
    const again = await apply(alert('firing'));
    expect(again.outcome).toBe('opened');
    expect(again.incident!.id).not.toBe(inc!.id);
  });

  it('a second alert of the same service joins; propose rules propose once per episode; unknown desks of no rule are ignored', async () => {
    const second = await apply(alert('firing', { fingerprint: 'generic:vpn-gw2', title: 'Second gateway down' }));
    expect(second.outcome).toBe('joined');
    expect((await hd.incidents.active({ service: 'vpn' }))[0]!.alertFingerprints).toEqual(['generic:vpn-gw', 'generic:vpn-gw2']);
    const mail = (s: Alert['status']) => alert(s, { fingerprint: 'generic:mail', service: 'mail', title: 'Mail slow', severity: 'SEV4' });
    expect((await apply(mail('firing'))).outcome).toBe('proposed');
    tick(20); // spaced out: no flapping
    expect((await apply(mail('resolved'))).outcome).toBe('ignored');
    tick(20); // spaced out: no flapping
    expect((await apply(mail('firing'))).outcome).toBe('repeat');
    expect(proposals).toHaveLength(1);
    expect(proposals[0]).toMatchObject({ deskId: 'it', services: ['mail'], severity: 'SEV4', fingerprint: 'generic:mail' });
    // An agent declares from the proposal with its key: the alert's resolution then reaches it.
    const { incident } = await hd.incidents.declare({ deskId: 'it', title: 'Mail slow', services: ['mail'], severity: 'SEV4', idempotencyKey: proposals[0]!.key, alertFingerprints: ['generic:mail'] }, { system: 'test' });
    tick(20); // spaced out: no flapping
    expect((await apply(mail('resolved'))).outcome).toBe('monitoring');
    expect((await hd.incidents.get({ id: incident.id })).status).toBe('monitoring');
  });
});
