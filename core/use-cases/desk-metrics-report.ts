import { dayIn } from '../domain/ticket-fact.js';
import type { Directory } from '../ports/directory.port.js';
import type { ReportStore } from '../ports/report-store.port.js';
import type { TicketStore } from '../ports/ticket-store.port.js';
import { computeDeskMetrics, type DeskMetrics } from './desk-metrics.js';

export interface ReportDeps {
  reports: ReportStore;
  directory: Directory;
  store: Pick<TicketStore, 'activeLoad'>;
  /** The KB analyzer's terms of a text (kb/ provides it). */
  terms: (text: string) => string[];
}

/** The days a period of `days` days ending today covers, in the desk's time zone. */
export function periodDays(now: Date, days: number, timezone: string, endOffsetDays = 0): { fromDay: string; toDay: string } {
  const end = new Date(now.getTime() - endOffsetDays * 86_400_000);
  return { fromDay: dayIn(new Date(end.getTime() - (days - 1) * 86_400_000), timezone), toDay: dayIn(end, timezone) };
}

/**
 * The one code path every report uses (CLI, web page, chat command): reads the period's ticket
 * facts (one compact document per ticket, bounded projection) and computes in process.
 */
export async function deskMetrics(deps: ReportDeps, deskId: string, fromDay: string, toDay: string): Promise<DeskMetrics> {
  const desk = deps.directory.desk(deskId);
  const tz = desk.businessHours.timezone;
  // KB answers are instants: widen by a day each side, then keep those whose desk-local day is inside.
  const from = new Date(`${fromDay}T00:00:00Z`);
  const to = new Date(new Date(`${toDay}T00:00:00Z`).getTime() + 86_400_000);
  const [facts, rawAnswers, agents] = await Promise.all([
    deps.reports.facts(deskId, fromDay, toDay),
    deps.reports.kbAnswers(deskId, new Date(from.getTime() - 86_400_000), new Date(to.getTime() + 86_400_000)),
    deps.directory.agentsOf(deskId),
  ]);
  const answers = rawAnswers.filter((a) => (dayIn(a.at, tz) >= fromDay && dayIn(a.at, tz) <= toDay));
  const load = await deps.store.activeLoad(agents.map((a) => a.id));
  return computeDeskMetrics({ deskId, fromDay, toDay, timezone: tz, facts, answers, agents: agents.map((a) => ({ id: a.id, name: a.name })), load, terms: deps.terms });
}
