import { HelpdeskError } from '../../domain/errors.js';
import type { Incident } from '../../domain/incident.js';
import type { TicketRef } from '../deps.js';
import { loadTicket } from '../load-ticket.js';
import type { ActorInput } from '../resolve-actor.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';
import { mutateIncident } from './mutate-incident.js';

/** Most tickets linked by one call. */
export const MAX_LINKS_PER_CALL = 1000;

/**
 * Links tickets (by id or number; TICKET.NOT_FOUND for an unknown one) to an open incident, each at
 * most once whatever the retries or concurrent callers. Emits `incident.tickets_linked` with the
 * ticket ids this change linked (none repeated across changes; a retry of the same key re-reports
 * its own). Linking to a resolved incident is INCIDENT.ILLEGAL_TRANSITION.
 *
 * A link racing a resolution may land just after it; the event then carries the resolved incident
 * (`event.incident.status === 'resolved'`), so a subscriber can tell those requesters at once.
 */
export async function linkIncidentTickets(
  deps: IncidentDeps,
  ref: IncidentRef,
  tickets: readonly TicketRef[],
  who: ActorInput,
): Promise<{ incident: Incident; linked: string[] }> {
  if (tickets.length === 0) throw new HelpdeskError('INPUT.INVALID', 'no tickets to link', { detail: 'no tickets to link' });
  if (tickets.length > MAX_LINKS_PER_CALL) throw new HelpdeskError('INPUT.INVALID', `at most ${MAX_LINKS_PER_CALL} tickets per link`, { detail: `at most ${MAX_LINKS_PER_CALL} tickets` });
  const ids: string[] = [];
  for (const t of tickets) ids.push((await loadTicket(deps, t)).id);
  let linked: string[] = [];
  const r = await mutateIncident(deps, ref, { type: 'link_tickets' }, who, {
    effect: async (i) => {
      linked = await deps.incidents.linkTickets(i.id, ids, deps.clock.now(), deps.eventKey ? { key: `${deps.eventKey}:link_tickets` } : {});
      const latest = (await deps.incidents.get(i.id)) ?? i;
      return { ticketIds: linked, incident: latest };
    },
  });
  return { incident: r.event.incident, linked };
}
