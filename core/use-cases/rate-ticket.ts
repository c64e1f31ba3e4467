import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/** The requester rates the help (1–5, optional comment), once. */
export async function rateTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput, score: number, comment?: string): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'rate', score, comment }, who)).ticket;
}
