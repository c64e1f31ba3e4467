import type { Ticket } from '../domain/ticket.js';
import type { TicketCursor } from './ticket-store.port.js';

/**
 * What a queue row shows of a ticket (number, subject, people, status, tier, priority, SLA due),
 * plus what checking it needs (desk, assignee id, version). Kept in the queue index beside the
 * order, so a queue page needs no ticket reads.
 */
export type QueueRow = Pick<Ticket, 'id' | 'deskId' | 'number' | 'subject' | 'requester' | 'priority' | 'status' | 'tier' | 'assignee' | 'assigneeAgentId' | 'createdAt' | 'updatedAt' | 'version'> & {
  sla: Pick<Ticket['sla'], 'firstResponseDueAt' | 'firstRespondedAt' | 'resolutionDueAt' | 'pausedAt'>;
};

/** A ticket's queue row. */
export function queueRowOf(t: Ticket): QueueRow {
  const sla = t.sla ?? {};
  return {
    id: t.id,
    deskId: t.deskId,
    number: t.number,
    subject: t.subject,
    requester: t.requester,
    priority: t.priority,
    status: t.status,
    tier: t.tier,
    ...(t.assignee ? { assignee: t.assignee } : {}),
    ...(t.assigneeAgentId ? { assigneeAgentId: t.assigneeAgentId } : {}),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    version: t.version,
    sla: {
      ...(sla.firstResponseDueAt ? { firstResponseDueAt: sla.firstResponseDueAt } : {}),
      ...(sla.firstRespondedAt ? { firstRespondedAt: sla.firstRespondedAt } : {}),
      ...(sla.resolutionDueAt ? { resolutionDueAt: sla.resolutionDueAt } : {}),
      ...(sla.pausedAt ? { pausedAt: sla.pausedAt } : {}),
    },
  };
}

/**
 * A read model of the active queues (open, claimed, pending) ordered newest first, with each
 * ticket's row, so the console's default views cost one page of Redis work and no database read
 * however many tickets are stored. It may lag or hold stale entries (a process that died between
 * its write and its `record`, a lost Redis write): readers check rows against the store in the
 * background and call `record` to heal.
 */
export interface QueueIndex {
  /**
   * Puts the ticket where its stored state says (in or out of its desk's and assignee's queue) with
   * its row; a record of an older version than the stored row changes nothing.
   */
  record(t: Ticket, before?: Ticket): Promise<void>;
  /**
   * Active tickets of `deskIds` (only `assigneeAgentId`'s when given), newest first, after `after`,
   * each with its row when the index holds one; undefined while the index is not built (callers
   * then query the store).
   */
  page(q: { deskIds: readonly string[]; assigneeAgentId?: string; after?: TicketCursor; limit: number }): Promise<Array<{ id: string; createdAt: Date; row?: QueueRow }> | undefined>;
  /** Active tickets per assignee now; undefined while the index is not built. */
  load?(agentIds: readonly string[]): Promise<Map<string, number> | undefined>;
}
