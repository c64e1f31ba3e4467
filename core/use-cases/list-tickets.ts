import { ACTIVE_STATUSES, type Ticket } from '../domain/ticket.js';
import type { Identity } from '../domain/identity.js';
import { HelpdeskError } from '../domain/errors.js';
import type { CoreDeps } from './deps.js';

/** The person's own tickets, newest first. */
export async function listMyTickets(deps: CoreDeps, who: Identity, limit = 10): Promise<Ticket[]> {
  return deps.store.list({ requester: who, limit });
}

/** The active queue of a desk's tier; agents only. */
export async function listQueue(deps: CoreDeps, who: Identity, deskId: string, tier?: number, limit = 20): Promise<Ticket[]> {
  const agent = await deps.directory.agentByIdentity(who);
  const role = agent?.desks.find((d) => d.desk === deskId);
  if (!role) throw new HelpdeskError('TICKET.NOT_AGENT', 'only agents can list the queue', {});
  return deps.store.list({ deskId, status: ACTIVE_STATUSES, tier: tier ?? role.tier, limit });
}
