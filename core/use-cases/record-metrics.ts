import { changeIdOf, type TicketEvent } from '../domain/events.js';
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
  // A creation announced with a later change of the same write (`supersededBy`) is counted with that
  // change: one increment for both (`opened` + `routed`). If that event never comes, the request's
  // retry announces the creation again without `supersededBy`, and it is counted then.
  const deferred = new Map<string, TicketEvent>();
  return async (e) => {
    if (e.supersededBy) {
      deferred.set(e.ticket.id, e);
      if (deferred.size > DEFERRED_KEPT) deferred.delete(deferred.keys().next().value!);
      return;
    }
    const earlier = deferred.get(e.ticket.id);
    if (earlier) deferred.delete(e.ticket.id);
    const together = earlier !== undefined && day(earlier.at) === day(e.at);
    if (earlier && !together) await record([earlier]);
    await record(together ? [earlier, e] : [e]);
  };

  async function record(all: TicketEvent[]): Promise<void> {
    const changes = all.filter((x) => Object.keys(rollupDelta(x)).length);
    const last = changes[changes.length - 1];
    if (!last) return;
    const add = (counted: TicketEvent[]) => store.increment(last.ticket.deskId, day(last.at), sum(counted.map(rollupDelta)));
    if (!idempotency) return add(changes);
    // One write for the claim (a done mark, removed again if the increment fails) instead of
    // begin/complete: a rollup is a quick effect, and two writes fewer per change matter in a storm.
    const keys = changes.map(markKey);
    const marked = await Promise.all(keys.map((k) => idempotency.mark(k)));
    const counted = changes.filter((_, i) => marked[i]);
    if (!counted.length) return;
    try {
      await add(counted);
    } catch (err) {
      await Promise.all(keys.filter((_, i) => marked[i]).map((k) => idempotency.unmark(k).catch(() => {})));
      throw err;
    }
  }
}

/** A ticket is created once whatever its version when announced; other changes once each (`changeIdOf`). */
const markKey = (e: TicketEvent): string => (e.type === 'ticket.created' ? `metrics:${e.type}:${e.ticket.id}` : `metrics:${e.type}:${e.ticket.id}:${changeIdOf(e)}`);

function sum(deltas: Array<Partial<Record<RollupField, number>>>): Partial<Record<RollupField, number>> {
  const out: Partial<Record<RollupField, number>> = {};
  for (const d of deltas) for (const [k, v] of Object.entries(d) as Array<[RollupField, number]>) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Deferred creations remembered at most (each is followed within the same call by its change). */
const DEFERRED_KEPT = 10_000;
