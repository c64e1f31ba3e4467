import { dayIn } from '../domain/ticket-fact.js';
import type { Directory } from '../ports/directory.port.js';
import type { ReportFact, ReportStore } from '../ports/report-store.port.js';
import type { TicketStore } from '../ports/ticket-store.port.js';
import { computeDeskMetrics, type DeskMetrics } from './desk-metrics.js';

export interface ReportDeps {
  reports: ReportStore;
  directory: Directory;
  store: Pick<TicketStore, 'activeLoad'>;
  /** The KB analyzer's terms of a text (kb/ provides it). */
  terms: (text: string) => string[];
  /**
   * Agents' current load from a read model (the console's Redis queue index: one sorted set per
   * assignee); undefined when it cannot answer (not built), then the store's aggregation is used.
   */
  load?: (agentIds: readonly string[]) => Promise<Map<string, number> | undefined>;
}

export interface MetricsOptions {
  /** Read `ticket_facts` (one document per ticket) instead of the per desk-day read model: the exact path tests compare with. */
  exact?: boolean;
}

/**
 * Facts in one order whatever the store returned (comments, gap examples and ties do not depend on it):
 * by creation, then number. Each instant is read once, not at every comparison.
 */
function byCreation(facts: readonly ReportFact[]): ReportFact[] {
  const keyed = facts.map((f) => ({ t: new Date(f.createdAt).getTime(), f }));
  keyed.sort((a, b) => a.t - b.t || (a.f.number < b.f.number ? -1 : a.f.number > b.f.number ? 1 : 0));
  return keyed.map((k) => k.f);
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
export async function deskMetrics(deps: ReportDeps, deskId: string, fromDay: string, toDay: string, opts: MetricsOptions = {}): Promise<DeskMetrics> {
  const desk = deps.directory.desk(deskId);
  const tz = desk.businessHours.timezone;
  // KB answers are instants: widen by a day each side, then keep those whose desk-local day is inside.
  const from = new Date(`${fromDay}T00:00:00Z`);
  const to = new Date(new Date(`${toDay}T00:00:00Z`).getTime() + 86_400_000);
  const [facts, rawAnswers, agents] = await Promise.all([
    opts.exact ? deps.reports.exactFacts(deskId, fromDay, toDay) : deps.reports.facts(deskId, fromDay, toDay),
    deps.reports.kbAnswers(deskId, new Date(from.getTime() - 86_400_000), new Date(to.getTime() + 86_400_000)),
    deps.directory.agentsOf(deskId),
  ]);
  const answers = rawAnswers.filter((a) => {
    const day = dayIn(a.at, tz);
    return day >= fromDay && day <= toDay;
  });
  const ids = agents.map((a) => a.id);
  const load = (!opts.exact && deps.load ? await deps.load(ids) : undefined) ?? (await deps.store.activeLoad(ids));
  return computeDeskMetrics({ deskId, fromDay, toDay, timezone: tz, facts: byCreation(facts), answers, agents: agents.map((a) => ({ id: a.id, name: a.name })), load, terms: deps.terms });
}
