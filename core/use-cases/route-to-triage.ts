import { slaDeadlines } from '../domain/sla.js';
import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/**
 * Sends a `new` ticket to its desk's tier-1 queue and starts its SLA clock. Idempotent: a ticket
 * that is already past `new` is returned unchanged (the person pressing "I still need help" twice,
 * or the deflection window job firing after they did). `known`: the ticket as the caller just stored
 * it (opening a ticket), so neither this nor the write reads it again.
 */
export async function routeToTriage(deps: CoreDeps, ref: TicketRef, who: ActorInput, known?: Ticket): Promise<Ticket> {
  const current = known ?? (await loadTicket(deps, ref));
  if (current.status !== 'new') return current;
  const desk = deps.directory.desk(current.deskId);
  try {
    const { ticket } = await mutateTicket(deps, { id: current.id }, { type: 'route' }, who, {
      enrich: (t, patch, now) => ({ ...patch, sla: slaDeadlines(desk, t.priority, now, t.sla) }),
      ...(known ? { known } : {}),
    });
    return ticket;
  } catch (e) {
    // Someone else routed or deflected it in the meantime: not an error for this caller.
    const after = await loadTicket(deps, { id: current.id });
    if (after.status !== 'new') return after;
    throw e;
  }
}
