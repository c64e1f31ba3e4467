import type { Ticket } from '../domain/ticket.js';
import type { TicketCursor } from './ticket-store.port.js';

/**
 * A read model of the active queues (open, claimed, pending) ordered newest first, so the console's
 * default views cost one page of work however many tickets are stored. It may lag or hold stale
 * entries: readers verify every ticket against the store and call `record` to heal.
 */
export interface QueueIndex {
  /** Puts the ticket where its stored state says (in or out of its desk's and assignee's queue). */
  record(t: Ticket, before?: Ticket): Promise<void>;
  /**
   * Active tickets of `deskIds` (only `assigneeAgentId`'s when given), newest first, after `after`;
   * undefined while the index is not built (callers then query the store).
   */
  page(q: { deskIds: readonly string[]; assigneeAgentId?: string; after?: TicketCursor; limit: number }): Promise<Array<{ id: string; createdAt: Date }> | undefined>;
  /** Active tickets per assignee now; undefined while the index is not built. */
  load?(agentIds: readonly string[]): Promise<Map<string, number> | undefined>;
}
