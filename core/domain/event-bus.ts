import type { TicketEvent, TicketEventListener } from './events.js';

/**
 * In-process fan-out of domain events to subscribers (notifier, SLA scheduler, metrics).
 * Subscribers must only do quick, idempotent work (enqueue a job, bump a counter); anything slow or
 * retryable belongs in a queue. A failing subscriber is reported and does not stop the others.
 */
export class EventBus {
  private readonly listeners: TicketEventListener[] = [];
  constructor(private readonly onError: (err: unknown, e: TicketEvent) => void = () => {}) {}

  subscribe(l: TicketEventListener): () => void {
    this.listeners.push(l);
    return () => {
      const i = this.listeners.indexOf(l);
      if (i >= 0) this.listeners.splice(i, 1);
    };
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
}
