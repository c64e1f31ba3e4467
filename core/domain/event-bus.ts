import type { IncidentEvent, IncidentEventListener, TicketEvent, TicketEventListener } from './events.js';

/**
 * In-process fan-out of domain events to subscribers (notifier, SLA scheduler, metrics).
 * Subscribers must only do quick, idempotent work (enqueue a job, bump a counter); anything slow or
 * retryable belongs in a queue. A failing subscriber is reported and does not stop the others.
 *
 * Ticket events (`subscribe`/`emit`) and incident events (`onIncident`/`emitIncident`) share the
 * bus and its error sink; they have separate listener lists so ticket subscribers keep their type.
 */
export class EventBus {
  private readonly listeners: TicketEventListener[] = [];
  private readonly incidentListeners: IncidentEventListener[] = [];
  constructor(
    private readonly onError: (err: unknown, e: TicketEvent) => void = () => {},
    private readonly onIncidentError: (err: unknown, e: IncidentEvent) => void = () => {},
  ) {}

  subscribe(l: TicketEventListener): () => void {
    return add(this.listeners, l);
  }

  async emit(e: TicketEvent): Promise<void> {
    for (const l of this.listeners) {
      try {
        await l(e);
      } catch (err) {
        this.onError(err, e);
      }
    }
  }

  /** Subscribes to incident events (declared, status changes, notes, links…). */
  onIncident(l: IncidentEventListener): () => void {
    return add(this.incidentListeners, l);
  }

  async emitIncident(e: IncidentEvent): Promise<void> {
    for (const l of this.incidentListeners) {
      try {
        await l(e);
      } catch (err) {
        this.onIncidentError(err, e);
      }
    }
  }
}

function add<T>(list: T[], l: T): () => void {
  list.push(l);
  return () => {
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
  };
}
