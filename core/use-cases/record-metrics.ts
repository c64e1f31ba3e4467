import type { TicketEvent } from '../domain/events.js';
import type { MetricsStore, RollupField } from '../ports/metrics.port.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

/** What each event adds to its desk's rollup of the day (the day the event happened, UTC). */
export function rollupDelta(e: TicketEvent): Partial<Record<RollupField, number>> {
  const t = e.ticket;
  switch (e.type) {
    case 'ticket.created':
      return { opened: 1 };
    case 'ticket.self_served':
      return { selfServed: 1 };
    case 'ticket.routed':
      return { routed: 1 };
    case 'ticket.claimed': {
      const first = !e.before?.sla.firstRespondedAt && t.sla.firstRespondedAt;
      return first ? { claimed: 1, firstResponseCount: 1, firstResponseMsSum: t.sla.firstRespondedAt!.getTime() - t.createdAt.getTime() } : { claimed: 1 };
    }
    case 'ticket.escalated':
      return { escalated: 1 };
    case 'ticket.resolved':
      return { resolved: 1, resolutionCount: 1, resolutionMsSum: (t.resolvedAt ?? e.at).getTime() - t.createdAt.getTime() };
    case 'ticket.reopened':
      return { reopened: 1 };
    case 'ticket.closed':
      return { closed: 1 };
    case 'ticket.rated':
      return t.csat ? { csatCount: 1, csatSum: t.csat.score } : {};
    default:
      return {};
  }
}

/** Subscriber that keeps the daily rollups reports read. */
export function metricsRecorder(store: MetricsStore): (e: TicketEvent) => Promise<void> {
  return async (e) => {
    const delta = rollupDelta(e);
    if (Object.keys(delta).length) await store.increment(e.ticket.deskId, day(e.at), delta);
  };
}
