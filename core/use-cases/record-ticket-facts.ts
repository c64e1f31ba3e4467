import type { TicketEvent } from '../domain/events.js';
import { factWrite } from '../domain/ticket-fact.js';
import type { Directory } from '../ports/directory.port.js';
import type { ReportStore } from '../ports/report-store.port.js';

/** Subscriber that keeps one ticket fact per ticket for reports (idempotent under replays). */
export function ticketFactRecorder(reports: ReportStore, directory: Pick<Directory, 'desk'>): (e: TicketEvent) => Promise<void> {
  // Tickets whose creation was announced with a later change of the same write (`supersededBy`):
  // their fact is first written by that change's event (one fact write and one read-model write
  // per such request instead of two). If that event never comes, the request's retry announces the
  // creation again without `supersededBy`.
  const deferred = new Set<string>();
  return async (e) => {
    if (e.type === 'ticket.created' && e.supersededBy) {
      deferred.add(e.ticket.id);
      if (deferred.size > DEFERRED_KEPT) deferred.delete(deferred.values().next().value!);
      return;
    }
    const answered = !e.before?.sla.firstRespondedAt && Boolean(e.ticket.sla.firstRespondedAt);
    // Messages and links change nothing a report counts, unless a message is the first response.
    if ((e.type === 'ticket.message' || e.type === 'ticket.linked') && !answered) return;
    const first = deferred.delete(e.ticket.id);
    await reports.recordFact({ ...factWrite(e, directory.desk(e.ticket.deskId)), ...(first ? { first } : {}) });
  };
}

/** Deferred creations remembered at most (each is followed within the same call by its change). */
const DEFERRED_KEPT = 10_000;
