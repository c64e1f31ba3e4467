import type { Identity, Platform } from '../domain/identity.js';
import type { Link } from '../domain/link.js';
import type { TicketPatch } from '../domain/ticket.state-machine.js';
import type { NewTicket, Priority, Ticket, TicketStatus } from '../domain/ticket.js';
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

/** A console queue page: filters plus a keyset cursor (newest first, ties by id). */
export interface TicketPageQuery {
  deskIds: readonly string[];
  status: readonly TicketStatus[];
  tier?: number;
  priority?: readonly Priority[];
  assigneeAgentId?: string;
  unassigned?: boolean;
  /** Only tickets with a running SLA deadline before this instant (first response or resolution). */
  dueBefore?: Date;
  /** Continue after this ticket (the last of the previous page). */
  after?: TicketCursor;
  /** At most 100. */
  limit: number;
}

export interface TicketCursor {
  createdAt: Date;
  id: string;
}

export interface LinkLocation {
  platform: Platform;
  workspace: string;
  channel: string;
  thread?: string;
}

/** Options of `TicketStore.create`. */
export interface CreateOptions {
  /**
   * A change applied in the same insert, as if written by `update(id, 1, patch)` right after it: the
   * ticket is stored at version 2 with the patch, and `initial` (returned) is version 1 as it would
   * have been stored. Called with version 1 once its number is known; null stores version 1 as is.
   * (Opening a request no article answers is created and routed in one write, not two.)
   */
  then?: (initial: Ticket) => TicketPatch | null;
}

/** The system of record for tickets and their timelines. */
export interface TicketStore {
  /**
   * Stores a new ticket with the next human number of its desk, or returns the ticket already
   * stored under the same idempotency key (`created: false`) without writing anything.
   */
  create(input: NewTicket & { status: TicketStatus; tier: number; prefix: string }, now: Date, opts?: CreateOptions): Promise<{ ticket: Ticket; created: boolean; initial?: Ticket }>;
  findByIdempotencyKey(key: string): Promise<Ticket | null>;
  get(id: string): Promise<Ticket | null>;
  getByNumber(number: string): Promise<Ticket | null>;
  /** The ticket with a link at this place (a card's thread, a requester's DM), if any. */
  findByLink(at: LinkLocation): Promise<Ticket | null>;
  /**
   * Applies `patch` only if the stored version is `expectedVersion`; null when it was not.
   * `known`: the ticket as read at `expectedVersion` (exactly as `get` returned it, or an earlier
   * write): the result is computed from it instead of sent back by the store.
   * `trial`: the caller's copy may be long outdated (an SLA timer's copy of the ticket): a version
   * already written by someone else returns null at once, without checking whether that writer
   * crashed mid-write (a later, normal attempt at the current version does that).
   */
  update(id: string, expectedVersion: number, patch: TicketPatch, now: Date, known?: Ticket, opts?: { trial?: boolean }): Promise<Ticket | null>;
  /**
   * Adds or replaces (same platform, role, tier) a link; retried internally on version races.
   * `known`: the ticket as the caller just read it (the first attempt starts from it instead of a read).
   */
  upsertLink(id: string, link: Link, now: Date, known?: Pick<Ticket, 'id' | 'version' | 'links'> | null): Promise<Ticket>;
  list(q: TicketQuery): Promise<Ticket[]>;
  /** One page of a queue; `next` is set when there may be more. */
  page(q: TicketPageQuery): Promise<{ tickets: Ticket[]; next?: TicketCursor }>;
  /** Active (open, claimed, pending) tickets per assignee agent id. */
  activeLoad(agentIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Adds an entry. With `key` (the inbound event or step it records) the entry's id is derived from
   * the key and a repeat returns the entry stored the first time (`created: false`) instead of adding one.
   * A public entry drops the ticket's public log first (`dropPublicLog`) unless `logged`: the log
   * already accounts for it (it was written with the change, or is the opening message, or there is none).
   */
  appendTimeline(entry: Omit<TimelineEntry, 'id'>, opts?: { key?: string; logged?: boolean }): Promise<TimelineEntry & { created?: boolean }>;
  /**
   * Removes the ticket's public log (`Ticket.publicLog`) with a compare-and-set, retried on version
   * races; returns the ticket as stored then (unchanged when it had none). `ticket`: as the caller
   * read it (saves a read; a stale copy only loses the race), or its id.
   */
  dropPublicLog(ticket: Ticket | string, now: Date): Promise<Ticket | null>;
  /** The entry appended with this `key`, if any. */
  keyedEntry(key: string): Promise<TimelineEntry | null>;
  timeline(ticketId: string, opts?: { includeInternal?: boolean; limit?: number }): Promise<TimelineEntry[]>;
}

/** The outcome of `IdempotencyStore.begin`. */
export type IdempotencyClaim =
  /** This caller holds the key for the lease: do the work, then `complete` (or `release` on failure). */
  | { outcome: 'run'; token: string }
  /** The work for this key finished earlier: do nothing again. */
  | { outcome: 'done' }
  /** Another caller holds a live lease on this key right now. */
  | { outcome: 'busy' };

/**
 * Remembers inbound event ids so platform retries do nothing twice — at least once, never at most
 * once: a key is *claimed* with a lease before its work runs and marked done only after the work's
 * effects are stored. A failed attempt releases its claim (and a crashed one's lease expires), so the
 * platform's retry runs the work again; the work itself must be idempotent by key.
 */
export interface IdempotencyStore {
  /** Claims `key` for `leaseMs` (default 30 s) unless it is done or leased by someone else. */
  begin(key: string, leaseMs?: number): Promise<IdempotencyClaim>;
  /** Marks `key` done (after the work's effects are stored). A no-op if the lease was lost. */
  complete(key: string, token: string): Promise<void>;
  /** Gives `key` back after a failed attempt, so a retry runs the work again. */
  release(key: string, token: string): Promise<void>;
  /**
   * Marks `key` done in one write, before a quick effect that has no lease to wait for (a rollup
   * `$inc`): true for the one caller that marked it, false when it was marked before. Call `unmark`
   * if the effect then fails, so a retry does it. A crash between the mark and the effect loses that
   * effect (at most once), which is why inbound events use `begin`/`complete` instead.
   */
  mark(key: string): Promise<boolean>;
  /** Removes a mark whose effect failed. */
  unmark(key: string): Promise<void>;
}
