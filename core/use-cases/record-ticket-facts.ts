import type { TicketEvent } from '../domain/events.js';
import { factWrite } from '../domain/ticket-fact.js';
import type { Directory } from '../ports/directory.port.js';
import type { ReportStore } from '../ports/report-store.port.js';

/** Subscriber that keeps one ticket fact per ticket for reports (idempotent under replays). */
export function ticketFactRecorder(reports: ReportStore, directory: Pick<Directory, 'desk'>): (e: TicketEvent) => Promise<void> {
  return async (e) => {
    const answered = !e.before?.sla.firstRespondedAt && Boolean(e.ticket.sla.firstRespondedAt);
    // Messages and links change nothing a report counts, unless a message is the first response.
    if ((e.type === 'ticket.message' || e.type === 'ticket.linked') && !answered) return;
    await reports.recordFact(factWrite(e, directory.desk(e.ticket.deskId)));
  };
}
