import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { mutateTicket } from './mutate-ticket.js';
import { routeToTriage } from './route-to-triage.js';
import type { ActorInput } from './resolve-actor.js';

/** "This solved it": the request is deflected by `articleId`, which gets positive feedback. */
export async function markSelfServed(deps: CoreDeps, ref: TicketRef, articleId: string, who: ActorInput): Promise<Ticket> {
  const { ticket } = await mutateTicket(deps, ref, { type: 'self_serve', articleId }, who);
  await deps.kb
    .recordFeedback({ articleId, query: ticket.description, helpful: true, deskId: ticket.deskId, ticketId: ticket.id })
    .catch((err: unknown) => deps.log.warn({ err }, 'kb feedback failed'));
  return ticket;
}

/** "I still need help": suggestions did not help; they get negative feedback and the ticket is routed. */
export async function stillNeedHelp(deps: CoreDeps, ref: TicketRef, who: ActorInput): Promise<Ticket> {
  const before = await loadTicket(deps, ref);
  const ticket = await routeToTriage(deps, { id: before.id }, who);
  // A repeated click records nothing twice; a retry of this same event whose route was stored by a
  // killed attempt (`lastEvent`) still records the feedback that attempt may not have reached.
  const ours = deps.eventKey !== undefined && before.lastEvent === `${deps.eventKey}:route`;
  if (before.status !== 'new' && !ours) return ticket;
  for (const articleId of ticket.suggestedArticles ?? []) {
    await deps.kb
      .recordFeedback({ articleId, query: ticket.description, helpful: false, deskId: ticket.deskId, ticketId: ticket.id })
      .catch((err: unknown) => deps.log.warn({ err }, 'kb feedback failed'));
  }
  return ticket;
}
