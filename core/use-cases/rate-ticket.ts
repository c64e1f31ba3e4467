import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import { clipText } from '../views/text-limits.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/** Longest CSAT comment kept (the platforms' comment inputs allow 2,000; longer is cut with the marker). */
const CSAT_COMMENT_MAX = 2000;

/** The requester rates the help (1–5, optional comment), once. */
export async function rateTicket(deps: CoreDeps, ref: TicketRef, who: ActorInput, score: number, comment?: string): Promise<Ticket> {
  const marker = (t: Ticket) => translator(t.locale, deps.directory.desk(t.deskId).locale)('text.truncated');
  return (await mutateTicket(deps, ref, (t) => ({ type: 'rate', score, comment: comment === undefined ? undefined : clipText(comment.trim(), CSAT_COMMENT_MAX, marker(t)).text }), who)).ticket;
}
