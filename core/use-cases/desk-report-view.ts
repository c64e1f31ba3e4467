import type { Desk } from '../domain/desk.js';
import { HelpdeskError } from '../domain/errors.js';
import type { Identity } from '../domain/identity.js';
import { dayIn } from '../domain/ticket-fact.js';
import { translator } from '../i18n/index.js';
import type { View } from '../views/view.js';
import type { DeskMetrics } from './desk-metrics.js';
import { deskMetrics, type ReportDeps } from './desk-metrics-report.js';
import type { CoreDeps } from './deps.js';

/** What chat reports and digests need besides core's deps (set by app/ where reports are available). */
export interface Reporting extends Omit<ReportDeps, 'directory' | 'store'> {
  /** The reports page for a desk and period, when the web channel is served. */
  pageUrl?: (deskId: string, toDay: string, days: number) => string | undefined;
}

const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** This period (`days` days ending today, desk time zone) and the one before, through the one report code path. */
export async function periodAndPrevious(deps: CoreDeps, reporting: Reporting, desk: Desk, days: number): Promise<{ m: DeskMetrics; prev: DeskMetrics }> {
  const r: ReportDeps = { ...reporting, directory: deps.directory, store: deps.store };
  const to = dayIn(deps.clock.now(), desk.businessHours.timezone);
  const from = shift(to, -(days - 1));
  const prevTo = shift(from, -1);
  const [m, prev] = await Promise.all([deskMetrics(r, desk.id, from, to), deskMetrics(r, desk.id, shift(prevTo, -(days - 1)), prevTo)]);
  return { m, prev };
}

/** The headline numbers of a period against the previous one, with a link to the page (chat and digests). */
export function reportView(desk: Desk, days: number, m: DeskMetrics, prev: DeskMetrics, locale: string | undefined, url?: string): View {
  const tr = translator(locale, desk.locale);
  const pct = (v: number | null) => (v === null ? tr('report.none') : `${Math.round(v * 1000) / 10} %`);
  const min = (v: number | null) => (v === null ? tr('report.none') : tr('report.minutes', { n: v }));
  const num = (v: number | null) => (v === null ? tr('report.none') : String(v));
  const att = (x: DeskMetrics) => {
    const met = x.sla.reduce((n, r) => n + r.met, 0);
    const done = x.sla.reduce((n, r) => n + r.met + r.breached, 0);
    return done ? met / done : null;
  };
  const esc = (x: DeskMetrics) => Object.values(x.escalations).reduce((a, b) => a + b, 0);
  const row = (key: string, f: (x: DeskMetrics) => string) => ({ label: tr(`report.${key}`), value: tr('report.value', { v: f(m), p: f(prev) }) });
  const fields = [
    row('tickets', (x) => String(x.volume.total)),
    row('first_response', (x) => min(x.firstResponse.medianMinutes)),
    row('resolution', (x) => min(x.resolution.medianMinutes)),
    row('sla', (x) => pct(att(x))),
    row('escalated', (x) => String(esc(x))),
    row('reopen', (x) => pct(x.reopenRate)),
    row('deflection', (x) => pct(x.selfService.deflectionRate)),
    row('csat', (x) => num(x.csat.average)),
  ];
  const title = tr('report.title', { desk: desk.name, from: m.fromDay, to: m.toDay });
  const text = tr('report.text', { days });
  return {
    kind: 'list',
    title,
    text,
    fields,
    ...(url ? { items: [{ title: tr('report.page'), url }] } : {}),
    fallback: [title, ...fields.map((f) => `${f.label}: ${f.value}`), ...(url ? [url] : [])].join('\n'),
  };
}

/**
 * `/help report [days]`: the headline numbers of the agent's desk (the desk of the place when they
 * belong to it, else their first desk). Refused to non-agents (TICKET.NOT_AGENT).
 */
export async function agentReport(deps: CoreDeps, actor: Identity, days: number, placeDesk: Desk | undefined, locale: string | undefined): Promise<View> {
  const agent = await deps.directory.agentByIdentity(actor);
  if (!agent || agent.desks.length === 0) throw new HelpdeskError('TICKET.NOT_AGENT', 'reports are for agents', {});
  if (!deps.reporting) throw new HelpdeskError('INPUT.INVALID', 'reports are not available here', { detail: 'reports are not available in this process' });
  const deskId = placeDesk && agent.desks.some((d) => d.desk === placeDesk.id) ? placeDesk.id : agent.desks[0]!.desk;
  const desk = deps.directory.desk(deskId);
  const { m, prev } = await periodAndPrevious(deps, deps.reporting, desk, days);
  return reportView(desk, days, m, prev, locale, deps.reporting.pageUrl?.(desk.id, m.toDay, days));
}
