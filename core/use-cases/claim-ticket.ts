import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/** An agent takes the ticket. Exactly one of several concurrent claimers wins. */
export async function claimTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'claim' }, who)).ticket;
}

/** The assignee (or a lead) gives the ticket back to the queue. */
export async function unclaimTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'unclaim' }, who)).ticket;
}
