import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/**
 * The assignee waits on the requester (`claimed` → `pending`). The SLA clock pauses if the desk says
 * so; reminders and auto-resolve count from here (jobs/). The requester's next message resumes it.
 */
export async function pendTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'pend' }, who)).ticket;
}

/** Back from `pending` to `claimed` without a requester message (an agent's decision). */
export async function resumeTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'resume' }, who)).ticket;
}
