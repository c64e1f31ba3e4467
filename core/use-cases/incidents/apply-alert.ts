import type { Alert, AlertingConfig, AlertRule } from '../../domain/alert.js';
import { ruleFor } from '../../domain/alert.js';
import { isActiveIncident, serviceName, type Incident, type Severity } from '../../domain/incident.js';
import type { AlertState, AlertStateStore, AlertTimers, IncidentProposer, QuietTimer } from '../../ports/alert-state.port.js';
import { attachAlert } from './attach-alert.js';
import { declareIncident } from './declare-incident.js';
import type { IncidentDeps } from './incident-deps.js';
import { resolveIncident } from './resolve-incident.js';
import { mutateIncident } from './mutate-incident.js';

export type AlertDeps = IncidentDeps & {
  alerting: AlertingConfig;
  alertState: AlertStateStore;
  alertTimers: AlertTimers;
  proposer: IncidentProposer;
};

export type AlertOutcome = 'unrouted' | 'opened' | 'joined' | 'proposed' | 'repeat' | 'monitoring' | 'reopened' | 'damped' | 'partial' | 'ignored';

const ALERT_ACTOR = { system: 'alert' } as const;

/** The declaration key of a fingerprint's episode: the incident it opens (or a Declare click on its proposal). */
export const episodeKey = (deskId: string, service: string, fingerprint: string, gen: number): string => `alert:${deskId}:${service}:${fingerprint}:${gen}`;

/**
 * Applies one alert notification (already durable in the alert queue; `key` is its job id, so a
 * retried job finishes rather than repeats). All alerts of a service run one at a time (a lock per
 * desk and service), which is what makes a group of alerts — or the same alert seen by two worker
 * sets — one incident.
 *
 * Rules (docs/incidents.md):
 * - Dedupe: a notification that does not change the fingerprint's state (a repeated `firing`, a
 *   `resolved` for a resolved alert) changes nothing.
 * - Firing, no open incident for the service on the rule's desk: `open` declares one (as the
 *   system), `propose` shows a card to tier 2 once per episode. An open incident of the service
 *   (declared by hand or by another alert) is joined instead.
 * - Resolved, and no other alert of the incident still firing: the incident goes to `monitoring`;
 *   after `resolveAfterMinutes` without a change it is resolved (quiet timer). Firing again while
 *   monitoring puts it back to `investigating`.
 * - Flapping: an alert that changed state `flapping.maxChanges` times within
 *   `flapping.windowMinutes` moves the incident no more; the quiet timer (counted from its last
 *   change, at least the window) finishes what was held back once it stays resolved.
 */
export async function applyAlert(deps: AlertDeps, alert: Alert, key: string): Promise<{ outcome: AlertOutcome; incident?: Incident }> {
  const service = serviceName(alert.service);
  const rule = ruleFor(deps.alerting, service);
  if (!rule || !service) {
    deps.log.warn({ service: alert.service.slice(0, 64), source: alert.source }, 'alert for a service no rule covers: ignored');
    return { outcome: 'unrouted' };
  }
  const desk = deps.directory.desk(rule.desk);
  return deps.alertState.withLock(`${desk.id}|${service}`, () => applyLocked(deps, { ...alert, service }, rule, key));
}

async function applyLocked(deps: AlertDeps, alert: Alert, rule: AlertRule, key: string): Promise<{ outcome: AlertOutcome; incident?: Incident }> {
  const now = deps.clock.now().getTime();
  const policy = deps.alerting.flapping;
  const fp = alert.fingerprint;
  const s: AlertState = (await deps.alertState.get(fp)) ?? { gen: 0, firing: false, changes: [] };
  let incident = await currentIncident(deps, s, rule, alert);
  const firing = alert.status === 'firing';
  const changed = firing !== s.firing;
  if (changed) s.changes = [...s.changes, now].filter((t) => t > now - policy.windowMinutes * 60_000).slice(-20);
  const flapping = s.changes.filter((t) => t > now - policy.windowMinutes * 60_000).length >= policy.maxChanges;
  s.firing = firing;
  const d = { ...deps, eventKey: key };
  let outcome: AlertOutcome;

  if (firing) {
    if (!incident) incident = await joinableIncident(deps, rule, alert.service);
    if (incident) {
      const joined = s.incidentId !== incident.id;
      s.incidentId = incident.id;
      if (joined) incident = await attachAlert(d, { id: incident.id }, fp, ALERT_ACTOR, `${alert.source}: ${alert.title}`);
      if (changed && incident.status === 'monitoring' && !flapping) {
        incident = (await mutateIncident(d, { id: incident.id }, { type: 'set_status', status: 'investigating' }, ALERT_ACTOR, { note: `${alert.title} (${alert.source}) is firing again.` })).incident;
        outcome = 'reopened';
      } else outcome = joined ? 'joined' : changed ? (flapping ? 'damped' : 'repeat') : 'repeat';
    } else if (rule.action === 'open') {
      const r = await declareIncident(
        deps,
        {
          deskId: rule.desk,
          title: alert.title,
          services: [alert.service],
          severity: severityOf(rule, alert),
          description: alert.description,
          idempotencyKey: episodeKey(rule.desk, alert.service, fp, s.gen),
          startedAt: alert.at,
          alertFingerprints: [fp],
        },
        ALERT_ACTOR,
      );
      incident = r.incident;
      s.incidentId = incident.id;
      outcome = 'opened';
    } else {
      if (s.proposedGen !== s.gen) {
        await deps.proposer.propose({
          key: episodeKey(rule.desk, alert.service, fp, s.gen),
          deskId: rule.desk,
          title: alert.title,
          services: [alert.service],
          severity: severityOf(rule, alert),
          description: alert.description,
          fingerprint: fp,
          source: alert.source,
          at: alert.at,
        });
        s.proposedGen = s.gen;
        outcome = 'proposed';
      } else outcome = 'repeat';
    }
  } else if (!changed) {
    outcome = 'repeat';
  } else if (!incident) {
    outcome = 'ignored';
  } else if (await othersFiring(deps, incident, fp)) {
    outcome = 'partial';
  } else if (flapping) {
    s.damped = true;
    await scheduleQuiet(deps, s, alert, Math.max(rule.resolveAfterMinutes ?? 0, policy.windowMinutes));
    outcome = 'damped';
  } else {
    if (incident.status !== 'monitoring') {
      incident = (await mutateIncident(d, { id: incident.id }, { type: 'set_status', status: 'monitoring' }, ALERT_ACTOR, { note: `${alert.title} (${alert.source}) has resolved.` })).incident;
    }
    if (rule.resolveAfterMinutes !== null) await scheduleQuiet(deps, s, alert, rule.resolveAfterMinutes);
    outcome = 'monitoring';
  }
  await deps.alertState.set(fp, s);
  return { outcome, incident: incident ?? undefined };
}

/** The open incident this fingerprint feeds: its own, or one declared from its proposal. A resolved one starts a new episode. */
async function currentIncident(deps: AlertDeps, s: AlertState, rule: AlertRule, alert: Alert): Promise<Incident | null> {
  if (s.incidentId) {
    const i = await deps.incidents.get(s.incidentId);
    if (i && isActiveIncident(i)) return i;
    // Its incident was resolved (by the timer or by hand): the next firing is a new episode.
    s.gen += 1;
    s.incidentId = undefined;
    s.damped = undefined;
  }
  const declared = await deps.incidents.findByIdempotencyKey(episodeKey(rule.desk, alert.service, alert.fingerprint, s.gen));
  if (declared && isActiveIncident(declared)) {
    s.incidentId = declared.id;
    return declared;
  }
  return null;
}

/** An open incident of the desk affecting this service (grouped alerts, or one declared by hand). */
async function joinableIncident(deps: AlertDeps, rule: AlertRule, service: string): Promise<Incident | null> {
  const open = await deps.incidents.list({ deskId: rule.desk, service, status: ['investigating', 'identified', 'monitoring'], limit: 1 });
  return open[0] ?? null;
}

async function othersFiring(deps: AlertDeps, incident: Incident, fp: string): Promise<boolean> {
  for (const other of incident.alertFingerprints) {
    if (other === fp) continue;
    const st = await deps.alertState.get(other);
    if (st?.firing && st.incidentId === incident.id) return true;
  }
  return false;
}

function severityOf(rule: AlertRule, alert: Alert): Severity {
  return rule.severity ?? alert.severity ?? 'SEV3';
}

async function scheduleQuiet(deps: AlertDeps, s: AlertState, alert: Alert, minutes: number): Promise<void> {
  const changedAt = s.changes[s.changes.length - 1] ?? deps.clock.now().getTime();
  const t: QuietTimer = { fingerprint: alert.fingerprint, service: alert.service, gen: s.gen, changedAt };
  await deps.alertTimers.schedule(t, new Date(changedAt + minutes * 60_000));
}

/**
 * The quiet timer of a fingerprint: if nothing changed since `t.changedAt` and the alert is still
 * resolved, a `monitoring` incident is resolved (rule `resolveAfterMinutes`), and a resolution held
 * back by flapping is applied now (→ `monitoring`, then its own quiet timer). Stale timers do nothing.
 */
export async function quietElapsed(deps: AlertDeps, t: QuietTimer, key: string): Promise<{ outcome: 'stale' | 'resolved' | 'monitoring' | 'kept'; incident?: Incident }> {
  const rule = ruleFor(deps.alerting, t.service);
  if (!rule) return { outcome: 'stale' };
  return deps.alertState.withLock(`${rule.desk}|${t.service}`, async () => {
    const s = await deps.alertState.get(t.fingerprint);
    if (!s || s.gen !== t.gen || s.firing || !s.incidentId || s.changes[s.changes.length - 1] !== t.changedAt) return { outcome: 'stale' as const };
    const incident = await deps.incidents.get(s.incidentId);
    if (!incident || !isActiveIncident(incident) || (await othersFiring(deps, incident, t.fingerprint))) return { outcome: 'stale' as const };
    const d = { ...deps, eventKey: key };
    if (s.damped && incident.status !== 'monitoring') {
      s.damped = undefined;
      const i = (await mutateIncident(d, { id: incident.id }, { type: 'set_status', status: 'monitoring' }, ALERT_ACTOR, { note: 'Alerts have stayed resolved.' })).incident;
      await deps.alertState.set(t.fingerprint, s);
      if (rule.resolveAfterMinutes !== null) await deps.alertTimers.schedule({ ...t, stage: (t.stage ?? 0) + 1 }, new Date(deps.clock.now().getTime() + rule.resolveAfterMinutes * 60_000));
      return { outcome: 'monitoring' as const, incident: i };
    }
    if (incident.status !== 'monitoring' || rule.resolveAfterMinutes === null) return { outcome: 'kept' as const, incident };
    const i = await resolveIncident(d, { id: incident.id }, ALERT_ACTOR, `Resolved automatically: alerts stayed resolved for ${rule.resolveAfterMinutes} minutes.`);
    return { outcome: 'resolved' as const, incident: i };
  });
}
