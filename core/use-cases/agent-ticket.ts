import type { Actor } from '../domain/actor.js';
import type { Desk } from '../domain/desk.js';
import { HelpdeskError } from '../domain/errors.js';
import type { Identity } from '../domain/identity.js';
import type { Ticket } from '../domain/ticket.js';
import type { TimelineEntry } from '../domain/timeline.js';
import type { AttachmentRecord } from '../ports/attachment-store.port.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { resolveActor } from './resolve-actor.js';

export interface AgentTicketView {
  ticket: Ticket;
  desk: Desk;
  /** Every entry, internal notes included, oldest first. */
  timeline: TimelineEntry[];
  /** The viewer as core resolved them (their agent role on this desk). */
  viewer: Extract<Actor, { kind: 'person' }>;
  /** Files sent with the ticket: stored ones (downloadable) and refused ones with the reason. */
  attachments: AttachmentRecord[];
}

/**
 * A ticket with its whole timeline for an agent of its desk. Anyone else gets TICKET.NOT_FOUND (the
 * same answer as a missing ticket: numbers are guessable).
 */
export async function agentTicket(deps: CoreDeps, ref: TicketRef, who: Identity): Promise<AgentTicketView> {
  const ticket = await loadTicket(deps, ref);
  const viewer = await resolveActor(deps, ticket.deskId, who);
  if (viewer.kind !== 'person' || !viewer.agent) throw new HelpdeskError('TICKET.NOT_FOUND', 'not visible to this person', { ticket: 'number' in ref ? ref.number : ticket.number });
  const timeline = await deps.store.timeline(ticket.id, { includeInternal: true, limit: 2000 });
  const attachments = deps.attachments ? await deps.attachments.list(ticket.id) : [];
  return { ticket, desk: deps.directory.desk(ticket.deskId), timeline, viewer, attachments };
}
