import type { Identity } from './identity.js';
import type { Link } from './link.js';
import type { PublicLogEntry } from './public-log.js';

export const TICKET_STATUSES = ['new', 'self_service', 'open', 'claimed', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Statuses in which a ticket still needs the desk's attention. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['open', 'claimed', 'pending'];

export interface SlaState {
  firstResponseDueAt?: Date;
  resolutionDueAt?: Date;
  firstRespondedAt?: Date;
  /** Set while the clock is paused (pending on the requester, if the desk says so). */
  pausedAt?: Date;
  /** Business time already spent while paused is added back on resume (ms of wall time paused). */
  pausedMs?: number;
  firstResponseBreachedAt?: Date;
  resolutionBreachedAt?: Date;
  warnedAt?: Date;
}

export interface Csat {
  score: 1 | 2 | 3 | 4 | 5;
  comment?: string;
  at: Date;
}

export interface Ticket {
  id: string;
  deskId: string;
  /** Human number, e.g. `IT-1042`. */
  number: string;
  /** The inbound request's idempotency key (platform event id or similar). */
  idempotencyKey: string;
  requester: Identity;
  /** Locale of the requester when known (`es`, `en-US`…). */
  locale?: string;
  subject: string;
  description: string;
  category?: string;
  priority: Priority;
  status: TicketStatus;
  tier: number;
  assignee?: Identity;
  /** The agent record id of the assignee (for load counting). */
  assigneeAgentId?: string;
  links: Link[];
  sla: SlaState;
  csat?: Csat;
  /** KB article that deflected the request, if any. */
  deflectedBy?: string;
  suggestedArticles?: string[];
  escalationReason?: string;
  /**
   * The incident this request is about (absorbed as a known issue at intake, or linked when an
   * incident was declared): kept out of triage while `new`, told once when the incident resolves.
   */
  incidentId?: string;
  /**
   * The key of the inbound event whose change was written last (set in the same atomic write):
   * a retry of that event finds its change already stored and finishes the work instead of redoing it.
   */
  lastEvent?: string;
  /**
   * The public timeline entries after the opening message, carried on the ticket while they are few
   * and short (core/domain/public-log.ts), so an escalation's transcript needs no timeline read.
   * Written in the same write as each change's status entry; dropped (never to return) by the first
   * public entry written without a ticket write (a message) or past its bounds. Absent: read the timeline.
   */
  publicLog?: PublicLogEntry[];
  createdAt: Date;
  updatedAt: Date;
  claimedAt?: Date;
  resolvedAt?: Date;
  closedAt?: Date;
  /** Incremented by every write: optimistic concurrency and stale-job detection. */
  version: number;
}

/** Fields chosen when a ticket is created; the rest are derived. */
export type NewTicket = Pick<Ticket, 'deskId' | 'idempotencyKey' | 'requester' | 'locale' | 'subject' | 'description' | 'category' | 'priority' | 'links' | 'suggestedArticles' | 'publicLog'> & { incidentId?: string };

/** Turns free text into a one-line subject of at most 120 characters. */
export function subjectFrom(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= 120 ? line : `${line.slice(0, 117)}…`;
}

export const isPriority = (p: unknown): p is Priority => typeof p === 'string' && (PRIORITIES as readonly string[]).includes(p);
