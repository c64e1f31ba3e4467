import { HelpdeskError } from '../domain/errors.js';
import type { Identity } from '../domain/identity.js';
import { ACTIVE_STATUSES, type Priority, type Ticket, type TicketStatus } from '../domain/ticket.js';
import type { QueueIndex, QueueRow } from '../ports/queue-index.port.js';
import type { TicketCursor } from '../ports/ticket-store.port.js';
import type { CoreDeps } from './deps.js';
import { verifyQueueRows } from './verify-queue-rows.js';
import { indexCanServe, scanQueue } from './queue-scan.js';

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
  /** Tickets from the store, or their rows from the queue index (what a queue shows). */
  tickets: QueueRow[];
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
  // Distinct: an agent may work two tiers of one desk.
  const deskIds = [...new Set(agent?.desks.map((d) => d.desk) ?? [])];
  if (!agent || deskIds.length === 0) throw new HelpdeskError('TICKET.NOT_AGENT', 'only agents can list queues', {});
  if (f.deskId && !deskIds.includes(f.deskId)) throw new HelpdeskError('TICKET.NOT_AGENT', `not an agent of desk ${f.deskId}`, { desk: f.deskId });
  const limit = f.limit ?? 25;
  const desksWanted = f.deskId ? [f.deskId] : deskIds;
  // The default views (all active, or mine) from the queue index when there is one.
  const plain = !f.tier && !f.status?.length && !f.priority?.length && f.assigned !== 'unassigned' && f.breachingWithinMinutes === undefined;
  if (plain && deps.queueIndex) {
    const fast = await fromIndex(deps, deps.queueIndex, { deskIds: desksWanted, assigneeAgentId: f.assigned === 'mine' ? agent.id : undefined, after: f.after, limit });
    if (fast) return { ...fast, deskIds };
  }
  const soon = f.breachingWithinMinutes !== undefined ? new Date(deps.clock.now().getTime() + f.breachingWithinMinutes * 60_000) : undefined;
  // A paused (pending) clock is not about to breach.
  const status = f.status?.length ? f.status : soon ? (['open', 'claimed'] as const) : ACTIVE_STATUSES;
  const mine = f.assigned === 'mine' ? agent.id : undefined;
  // Filtered views of the active queues from the index's rows too (queue-scan.ts), not the store.
  const filter = { status, tier: f.tier, priority: f.priority, assigneeAgentId: mine, unassigned: f.assigned === 'unassigned', dueBefore: soon };
  if (deps.queueIndex && indexCanServe(filter)) {
    const r = await scanQueue(deps.queueIndex, { deskIds: desksWanted, assigneeAgentId: mine, after: f.after, limit, filter });
    if (r) {
      void verifyQueueRows(deps, deps.queueIndex, r.rows);
      return { tickets: r.rows, ...(r.next ? { next: r.next } : {}), deskIds };
    }
  }
  const page = await deps.store.page({ deskIds: desksWanted, ...filter, after: f.after, limit });
  return { ...page, deskIds };
}

/**
 * A page from the index. With every row in the index and each consistent with the query, the page
 * is answered from them alone (no ticket read) and the rows are checked against the store in the
 * background (a stale one is healed for the next reader). Otherwise each ticket is read by id and
 * checked; a stale entry is corrected in the index and the page is then answered by the store
 * (undefined).
 */
async function fromIndex(deps: CoreDeps, index: QueueIndex, q: { deskIds: readonly string[]; assigneeAgentId?: string; after?: TicketCursor; limit: number }): Promise<Omit<QueuePage, 'deskIds'> | undefined> {
  const entries = await index.page({ ...q, limit: q.limit + 1 });
  if (!entries) return undefined;
  const fits = (t: Pick<Ticket, 'status' | 'deskId' | 'assigneeAgentId'> | null | undefined) =>
    Boolean(t && ACTIVE_STATUSES.includes(t.status) && q.deskIds.includes(t.deskId) && (!q.assigneeAgentId || t.assigneeAgentId === q.assigneeAgentId));
  const rows = entries.map((e) => e.row);
  if (rows.every((r): r is QueueRow => fits(r))) {
    void verifyQueueRows(deps, index, rows);
    return pageOf(rows, q.limit);
  }
  const tickets = await Promise.all(entries.map((e) => deps.store.get(e.id)));
  let stale = false;
  for (const [i, t] of tickets.entries()) {
    if (t && entries[i]!.row?.version !== t.version) await index.record(t); // heal a missing or old row
    if (!fits(t)) {
      stale = true;
      if (!t) deps.log.warn({ ticket: entries[i]!.id }, 'queue index names a missing ticket');
    }
  }
  if (stale) return undefined;
  return pageOf(tickets as Ticket[], q.limit);
}

function pageOf(all: QueueRow[], limit: number): Omit<QueuePage, 'deskIds'> {
  const page = all.slice(0, limit);
  const last = page[page.length - 1];
  return all.length > limit && last ? { tickets: page, next: { createdAt: last.createdAt, id: last.id } } : { tickets: page };
}
