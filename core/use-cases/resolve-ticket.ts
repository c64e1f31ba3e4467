import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/** Longest resolution note kept (cut with the marker beyond, core/views/text-limits.ts). */
const RESOLUTION_NOTE_MAX = 4000;

/** An agent marks the ticket resolved; the requester is then asked for a rating (notifier). */
export async function resolveTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput, note?: string): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'resolve', note }, who, { note: note?.trim(), noteMax: RESOLUTION_NOTE_MAX })).ticket;
}

/** The requester (within the reopen window) or an agent reopens a resolved ticket. */
export async function reopenTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'reopen' }, who)).ticket;
}

/** Closes a resolved ticket (after the reopen window), or withdraws an active one (requester or agent). */
export async function closeTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  return (await mutateTicket(deps, ref, { type: 'close' }, who)).ticket;
}
