import { ACTIVE_STATUSES } from '../domain/ticket.js';
import type { QueueIndex, QueueRow } from '../ports/queue-index.port.js';
import type { TicketCursor, TicketPageQuery } from '../ports/ticket-store.port.js';

/** A filtered view of the active queues: the store's page query without desks, cursor and size. */
export type QueueRowFilter = Pick<TicketPageQuery, 'status' | 'tier' | 'priority' | 'assigneeAgentId' | 'unassigned' | 'dueBefore'>;

/** Can the queue index answer this filter (it holds active tickets only)? */
export const indexCanServe = (f: Pick<QueueRowFilter, 'status'>): boolean => f.status.every((s) => ACTIVE_STATUSES.includes(s));

/** The same test as the store's query, on a row. */
export function rowMatches(r: QueueRow, f: QueueRowFilter): boolean {
  if (!f.status.includes(r.status)) return false;
  if (f.tier !== undefined && r.tier !== f.tier) return false;
  if (f.priority?.length && !f.priority.includes(r.priority)) return false;
  if (f.assigneeAgentId ? r.assigneeAgentId !== f.assigneeAgentId : f.unassigned && r.assigneeAgentId) return false;
  if (f.dueBefore) {
    const soon = f.dueBefore.getTime();
    const first = r.sla.firstResponseDueAt && !r.sla.firstRespondedAt && r.sla.firstResponseDueAt.getTime() <= soon;
    const resolution = r.sla.resolutionDueAt && r.sla.resolutionDueAt.getTime() <= soon;
    if (!first && !resolution) return false;
  }
  return true;
}

/** Rows read per step of a scan (one index page). */
const CHUNK = 200;
/**
 * Most rows one request reads. A rare filter over a huge queue stops there and pages on from the
 * last row read (`next`), so no request reads the whole queue.
 * @defaultValue 5000
 */
export const SCAN_MAX = 5_000;

/**
 * A filtered page from the queue index's rows, newest first: the index's pages are read in steps of
 * CHUNK rows and filtered here, until `limit` + 1 match or SCAN_MAX rows were read. Undefined when the
 * index is not built or lacks a row (the caller then asks the store). `next`: where the next page starts.
 */
export async function scanQueue(index: QueueIndex, q: { deskIds: readonly string[]; assigneeAgentId?: string; after?: TicketCursor; limit: number; filter: QueueRowFilter; maxRows?: number }): Promise<{ rows: QueueRow[]; next?: TicketCursor } | undefined> {
  const rows: QueueRow[] = [];
  const max = q.maxRows ?? SCAN_MAX;
  let after = q.after;
  let read = 0;
  for (;;) {
    const chunk = await index.page({ deskIds: q.deskIds, assigneeAgentId: q.assigneeAgentId, after, limit: CHUNK });
    if (!chunk) return undefined;
    for (const e of chunk) {
      if (!e.row) return undefined;
      read++;
      // The assignee's set spans every desk they work on.
      if (!q.deskIds.includes(e.row.deskId) || !rowMatches(e.row, q.filter)) continue;
      rows.push(e.row);
      if (rows.length > q.limit) {
        const last = rows[q.limit - 1]!;
        return { rows: rows.slice(0, q.limit), next: { createdAt: last.createdAt, id: last.id } };
      }
    }
    const last = chunk[chunk.length - 1];
    if (chunk.length < CHUNK || !last) return { rows };
    after = { createdAt: last.createdAt, id: last.id };
    // Read enough for one request: the rest of the queue is the next page's (it starts after the last row read).
    if (read >= max) return { rows, next: after };
  }
}
