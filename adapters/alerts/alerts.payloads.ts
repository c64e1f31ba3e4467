import { createHash } from 'node:crypto';
import { z } from 'zod';
import { severityFromLabel, type Alert } from '../../core/domain/alert.js';
import { SERVICE_NAME_MAX } from '../../core/domain/incident.js';
import type { RecordedAlert } from './alert-recorder.js';

/** Most alerts taken from one notification (Alertmanager groups; the rest is refused with 400). */
export const MAX_ALERTS_PER_NOTIFICATION = 500;
const TITLE_MAX = 200;
const DESCRIPTION_MAX = 4000;

const labels = z.record(z.string().max(200), z.string().max(4000)).refine((r) => Object.keys(r).length <= 100, 'at most 100 labels');
const isoDate = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'expected an RFC 3339 date');

/** One alert of an Alertmanager (v4) or Grafana notification. Unknown fields are ignored (vendors add some). */
const groupedAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labels.default({}),
  annotations: labels.default({}),
  startsAt: isoDate,
  endsAt: isoDate.optional(),
  fingerprint: z.string().min(1).max(200).optional(),
});

/** Alertmanager webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const alertmanagerSchema = z.object({
  version: z.literal('4', { message: 'only Alertmanager webhook version "4" is understood' }),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(groupedAlert).min(1, 'no alerts').max(MAX_ALERTS_PER_NOTIFICATION),
  groupKey: z.string().max(4000).optional(),
  commonLabels: labels.optional(),
});

/** Grafana alerting webhook payload (unified alerting; same alert shape). */
export const grafanaSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(groupedAlert).min(1, 'no alerts').max(MAX_ALERTS_PER_NOTIFICATION),
  commonLabels: labels.optional(),
});

/** The generic signed webhook's body. */
export const genericSchema = z
  .object({
    service: z.string().trim().min(1).max(SERVICE_NAME_MAX),
    title: z.string().trim().min(1).max(TITLE_MAX),
    severity: z.string().trim().max(20).refine((s) => severityFromLabel(s) !== undefined, 'expected SEV1–SEV4 or critical, high, warning, info'),
    status: z.enum(['firing', 'resolved']),
    fingerprint: z.string().trim().min(1).max(200),
    description: z.string().max(DESCRIPTION_MAX).optional(),
  })
  .strict();

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Alertmanager/Grafana alert → neutral alert: service from `service`, `job` or `alertname` labels. */
function fromGrouped(source: 'alertmanager' | 'grafana', a: z.infer<typeof groupedAlert>, receivedAt: Date): RecordedAlert | { error: string } {
  const l = a.labels;
  const service = (l.service ?? l.job ?? l.alertname ?? '').trim().toLowerCase();
  if (!service || service.length > SERVICE_NAME_MAX) return { error: `an alert has no usable service (labels service, job or alertname; at most ${SERVICE_NAME_MAX} characters)` };
  const fingerprint = `${source}:${a.fingerprint ?? createHash('sha256').update(JSON.stringify(Object.entries(l).sort())).digest('hex').slice(0, 16)}`;
  const startsAt = new Date(a.startsAt);
  // Alertmanager's "not ended" endsAt is 0001-01-01; a resolved alert's endsAt is when it ended.
  const endsAt = a.endsAt && Date.parse(a.endsAt) > 0 ? new Date(a.endsAt) : undefined;
  const when = a.status === 'resolved' ? (endsAt ?? receivedAt) : startsAt;
  const title = clip(oneLine(a.annotations.summary ?? a.annotations.title ?? l.alertname ?? `${service} alert`), TITLE_MAX) || `${service} alert`;
  const description = a.annotations.description ?? a.annotations.message;
  const sev = severityFromLabel(l.severity ?? l.priority);
  const alert: Alert = {
    source,
    fingerprint,
    service,
    title,
    ...(sev ? { severity: sev } : {}),
    status: a.status,
    ...(description ? { description: clip(description, DESCRIPTION_MAX) } : {}),
    at: Number.isNaN(when.getTime()) ? receivedAt : when,
  };
  return { id: '', alert: { ...alert } };
}

export type Parsed = { ok: true; alerts: Array<Omit<RecordedAlert, 'id'> & { stamp: string }> } | { ok: false; error: string };

/** Names the first problems of a payload: `alerts[0].status: Invalid option…`. */
export function describe(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(body)'}: ${i.message}`)
    .join('; ');
}

/** Parses an Alertmanager or Grafana notification into alerts, each with the timestamp of its job id. */
export function parseGrouped(source: 'alertmanager' | 'grafana', body: unknown, receivedAt: Date): Parsed {
  const r = (source === 'alertmanager' ? alertmanagerSchema : grafanaSchema).safeParse(body);
  if (!r.success) return { ok: false, error: describe(r.error.issues) };
  const out: Array<Omit<RecordedAlert, 'id'> & { stamp: string }> = [];
  for (const a of r.data.alerts) {
    const m = fromGrouped(source, { ...a, labels: { ...r.data.commonLabels, ...a.labels } }, receivedAt);
    if ('error' in m) return { ok: false, error: m.error };
    out.push({ alert: m.alert, stamp: String(m.alert.at.getTime()) });
  }
  return { ok: true, alerts: out };
}

/** Parses the generic webhook's body. */
export function parseGeneric(body: unknown, timestamp: number): Parsed {
  const r = genericSchema.safeParse(body);
  if (!r.success) return { ok: false, error: describe(r.error.issues) };
  const b = r.data;
  const alert: Alert = {
    source: 'generic',
    fingerprint: `generic:${b.fingerprint}`,
    service: b.service.toLowerCase(),
    title: oneLine(b.title),
    severity: severityFromLabel(b.severity)!,
    status: b.status,
    ...(b.description ? { description: b.description } : {}),
    at: new Date(timestamp * 1000),
  };
  return { ok: true, alerts: [{ alert, stamp: String(timestamp) }] };
}
