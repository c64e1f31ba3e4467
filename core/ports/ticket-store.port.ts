import type { Identity, Platform } from '../domain/identity.js';
import type { Link } from '../domain/link.js';
import type { TicketPatch } from '../domain/ticket.state-machine.js';
import type { NewTicket, Ticket, TicketStatus } from '../domain/ticket.js';
import type { TimelineEntry } from '../domain/timeline.js';

export interface TicketQuery {
  deskId?: string;
  status?: readonly TicketStatus[];
  tier?: number;
  assigneeAgentId?: string;
  requester?: Pick<Identity, 'platform' | 'workspace' | 'user'>;
  /** Newest first; default 20, at most 200. */
  limit?: number;
}

export interface LinkLocation {
  platform: Platform;
  workspace: string;
  channel: string;
  thread?: string;
}

/** The system of record for tickets and their timelines. */
export interface TicketStore {
  /**
   * Stores a new ticket with the next human number of its desk, or returns the ticket already
   * stored under the same idempotency key (`created: false`) without writing anything.
   */
  create(input: NewTicket & { status: TicketStatus; tier: number; prefix: string }, now: Date): Promise<{ ticket: Ticket; created: boolean }>;
  findByIdempotencyKey(key: string): Promise<Ticket | null>;
  get(id: string): Promise<Ticket | null>;
  getByNumber(number: string): Promise<Ticket | null>;
  /** The ticket with a link at this place (a card's thread, a requester's DM), if any. */
  findByLink(at: LinkLocation): Promise<Ticket | null>;
  /** Applies `patch` only if the stored version is `expectedVersion`; null when it was not. */
  update(id: string, expectedVersion: number, patch: TicketPatch, now: Date): Promise<Ticket | null>;
  /** Adds or replaces (same platform, role, tier) a link; retried internally on version races. */
  upsertLink(id: string, link: Link, now: Date): Promise<Ticket>;
  list(q: TicketQuery): Promise<Ticket[]>;
  /** Active (open, claimed, pending) tickets per assignee agent id. */
  activeLoad(agentIds: readonly string[]): Promise<Map<string, number>>;
  appendTimeline(entry: Omit<TimelineEntry, 'id'>): Promise<TimelineEntry>;
  timeline(ticketId: string, opts?: { includeInternal?: boolean; limit?: number }): Promise<TimelineEntry[]>;
}

/** Remembers processed inbound event ids so platform retries do nothing twice. */
export interface IdempotencyStore {
  /** True the first time `key` is seen; false for every repeat. */
  firstTime(key: string): Promise<boolean>;
}
