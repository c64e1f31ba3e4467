import { HelpdeskError } from '../domain/errors.js';
import type { Identity } from '../domain/identity.js';
import { ACTIVE_STATUSES, type Priority, type Ticket, type TicketStatus } from '../domain/ticket.js';
import type { TicketCursor } from '../ports/ticket-store.port.js';
import type { CoreDeps } from './deps.js';

export interface QueueFilters {
  /** One of the agent's desks; all of them when absent. */
  deskId?: string;
  tier?: number;
  /** Default: the active statuses (open, claimed, pending). */
  status?: readonly TicketStatus[];
  priority?: readonly Priority[];
  /** `mine`: assigned to this agent; `unassigned`: nobody's. */
  assigned?: 'mine' | 'unassigned';
  /** Only tickets whose SLA deadline falls within this many minutes (or has passed). */
  breachingWithinMinutes?: number;
  after?: TicketCursor;
  /** @defaultValue 25, at most 100 */
  limit?: number;
}

export interface QueuePage {
  tickets: Ticket[];
  next?: TicketCursor;
  /** The desks the agent works on (for filter menus). */
  deskIds: string[];
}

/**
 * A page of an agent's queue across the desks they work on, newest first, with keyset paging (the
 * cost of a page does not grow with how far the agent has paged). Agents only.
 */
export async function agentQueue(deps: CoreDeps, who: Identity, f: QueueFilters = {}): Promise<QueuePage> {
  const agent = await deps.directory.agentByIdentity(who);
  const deskIds = agent?.desks.map((d) => d.desk) ?? [];
  if (!agent || deskIds.length === 0) throw new HelpdeskError('TICKET.NOT_AGENT', 'only agents can list queues', {});
  if (f.deskId && !deskIds.includes(f.deskId)) throw new HelpdeskError('TICKET.NOT_AGENT', `not an agent of desk ${f.deskId}`, { desk: f.deskId });
  const soon = f.breachingWithinMinutes !== undefined ? new Date(deps.clock.now().getTime() + f.breachingWithinMinutes * 60_000) : undefined;
  const page = await deps.store.page({
    deskIds: f.deskId ? [f.deskId] : deskIds,
    // A paused (pending) clock is not about to breach.
    status: f.status?.length ? f.status : soon ? ['open', 'claimed'] : ACTIVE_STATUSES,
    tier: f.tier,
    priority: f.priority,
    assigneeAgentId: f.assigned === 'mine' ? agent.id : undefined,
    unassigned: f.assigned === 'unassigned',
    dueBefore: soon,
    after: f.after,
    limit: f.limit ?? 25,
  });
  return { ...page, deskIds };
}
