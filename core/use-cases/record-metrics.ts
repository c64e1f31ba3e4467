import type { TicketEvent } from '../domain/events.js';
import type { MetricsStore, RollupField } from '../ports/metrics.port.js';
import type { IdempotencyStore } from '../ports/ticket-store.port.js';

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

/**
 * Subscriber that keeps the daily rollups reports read. With `idempotency`, each change is counted
 * once even when its event is emitted again (the retry of an inbound event whose first attempt
 * failed after emitting): the key is the change itself (event type, ticket, version written).
 * The mark is written before the increment (one round trip, not a lease's two): a crash between the
 * two loses that one count, which reports tolerate better than counting it twice.
 */
export function metricsRecorder(store: MetricsStore, idempotency?: IdempotencyStore): (e: TicketEvent) => Promise<void> {
  return async (e) => {
    const delta = rollupDelta(e);
    if (!Object.keys(delta).length) return;
    const add = () => store.increment(e.ticket.deskId, day(e.at), delta);
    if (!idempotency) return add();
    // A ticket is created once whatever its version when announced; other changes by the version they wrote.
    const key = e.type === 'ticket.created' ? `metrics:${e.type}:${e.ticket.id}` : `metrics:${e.type}:${e.ticket.id}:v${e.ticket.version}`;
    // One write for the claim (a done mark, removed again if the increment fails) instead of
    // begin/complete: a rollup is a quick effect, and two writes fewer per change matter in a storm.
    if (!(await idempotency.mark(key))) return;
    try {
      await add();
    } catch (err) {
      await idempotency.unmark(key).catch(() => {});
      throw err;
    }
  };
}
