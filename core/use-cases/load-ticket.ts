import { HelpdeskError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';

/** Loads a ticket by id or number; throws TICKET.NOT_FOUND. Numbers are matched case-insensitively. */
export async function loadTicket(deps: Pick<CoreDeps, 'store'>, ref: TicketRef): Promise<Ticket> {
  const t = 'id' in ref ? await deps.store.get(ref.id) : await deps.store.getByNumber(ref.number.trim().toUpperCase());
  if (!t) throw new HelpdeskError('TICKET.NOT_FOUND', `ticket ${'id' in ref ? ref.id : ref.number} not found`, { ticket: 'id' in ref ? ref.id : ref.number });
  return t;
}
