import { HelpdeskError } from '../domain/errors.js';
import { retargetSla } from '../domain/sla.js';
import { isPriority, type Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/** Changes priority; running SLA deadlines move by the difference between the two targets. */
export async function setPriority(deps: CoreDeps, ref: TicketRef, who: ActorInput, priority: string): Promise<Ticket> {
  if (!isPriority(priority)) throw new HelpdeskError('INPUT.INVALID', `unknown priority ${priority}`, { detail: `priority must be P1, P2, P3 or P4` });
  return (
    await mutateTicket(deps, ref, { type: 'set_priority', priority }, who, {
      enrich: (t, patch) => (t.status === 'new' ? patch : { ...patch, sla: retargetSla(deps.directory.desk(t.deskId), t.sla, t.priority, priority) }),
    })
  ).ticket;
}

/** Changes category (must be one of the desk's). */
export async function setCategory(deps: CoreDeps, ref: TicketRef, who: ActorInput, category: string): Promise<Ticket> {
  return (
    await mutateTicket(
      deps,
      ref,
      (t) => {
        if (!deps.directory.desk(t.deskId).categories.includes(category)) {
          throw new HelpdeskError('INPUT.INVALID', `unknown category ${category}`, { detail: `unknown category ${category}` });
        }
        return { type: 'set_category', category };
      },
      who,
    )
  ).ticket;
}
