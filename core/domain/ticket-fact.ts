import { businessMsBetween } from './business-hours.js';
import type { Desk } from './desk.js';
import type { TicketEvent } from './events.js';
import type { Priority, TicketStatus } from './ticket.js';

/**
 * One compact document per ticket that reports read instead of tickets and timelines. Maintained
 * from domain events: `snapshot` is derived from the ticket alone and written only when its version
 * is newer than the stored one (replays and out-of-order emits change nothing); `flags` are facts
 * that only an event tells (a reopen, an escalation to tier 3, who answered first) and are
 * idempotent `$set`s that never go back.
 */
export interface TicketFact {
  ticketId: string;
  /** The ticket version the snapshot was taken from. */
  v: number;
  deskId: string;
  number: string;
  createdAt: Date;
  /** Day of creation, `YYYY-MM-DD` in the desk's time zone. */
  day: string;
  /** Platform the request came from (slack, teams, discord, web, email…). */
  channel: string;
  /** '' when none. */
  category: string;
  priority: Priority;
  status: TicketStatus;
  /** Went to the desk (not solved by an article alone). */
  routed?: boolean;
  /** Business ms from request to first agent response (desk calendar). */
  frBms?: number;
  /** Business ms from request to resolution (desk calendar). */
  resBms?: number;
  resolvedAt?: Date;
  frBreached?: boolean;
  resBreached?: boolean;
  /** The SLA clock is stopped (waiting on the requester). */
  paused?: boolean;
  /** Article ids suggested (≤ the desk's maxSuggestions). */
  sa?: string[];
  deflectedBy?: string;
  csat?: number;
  /** Clipped to 500 characters. */
  csatComment?: string;
  assignee?: string;
  // flags
  /** Agents who claimed it (each once). */
  claimers?: string[];
  firstResponder?: string;
  resolver?: string;
  reopened?: boolean;
  /** Tiers this ticket was escalated to. */
  escTiers?: number[];
  /** Why the KB did not deflect it: no suggestion at all, or suggestions that did not help. */
  kbGap?: 'none' | 'unhelpful';
  /** The subject, kept only for KB gaps (≤ 120 characters). */
  q?: string;
}

export type FactSnapshot = Omit<TicketFact, 'claimers' | 'firstResponder' | 'resolver' | 'reopened' | 'escTiers' | 'kbGap' | 'q'>;
export type FactFlags = Partial<Pick<TicketFact, 'firstResponder' | 'resolver' | 'reopened' | 'kbGap' | 'q'>> & { escTier?: number; claimer?: string };

export interface FactWrite {
  snapshot: FactSnapshot;
  flags: FactFlags;
  /** No fact of the ticket was written before this one (as far as the writer knows): insert first. */
  first?: boolean;
}

export const COMMENT_MAX = 500;

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** `YYYY-MM-DD` of an instant in a time zone (Intl; no user text involved). */
export function dayIn(d: Date, timezone: string): string {
  // Building a formatter costs far more than formatting (it was ~1 % of a storm's CPU): one per zone.
  let f = dayFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (dayFormats.size < 256) dayFormats.set(timezone, f);
  }
  return f.format(d);
}

/** What one event writes to its ticket's fact. */
export function factWrite(e: TicketEvent, desk: Desk): FactWrite {
  const t = e.ticket;
  const h = desk.businessHours;
  const created = new Date(t.createdAt);
  const fr = t.sla.firstRespondedAt ? new Date(t.sla.firstRespondedAt) : undefined;
  const resolved = t.resolvedAt && (t.status === 'resolved' || t.status === 'closed') ? new Date(t.resolvedAt) : undefined;
  const routed = t.status !== 'new' && t.status !== 'self_service';
  const snapshot: FactSnapshot = {
    ticketId: t.id,
    v: t.version,
    deskId: t.deskId,
    number: t.number,
    createdAt: created,
    day: dayIn(created, h.timezone),
    channel: t.requester.platform,
    category: t.category ?? '',
    priority: t.priority,
    status: t.status,
    ...(routed ? { routed: true } : {}),
    ...(fr ? { frBms: businessMsBetween(created, fr, h) } : {}),
    ...(resolved && routed ? { resBms: businessMsBetween(created, resolved, h), resolvedAt: resolved } : {}),
    // An escalation restarts the SLA clock and clears the breach marks: the ticket before it still has them.
    ...(t.sla.firstResponseBreachedAt || e.before?.sla.firstResponseBreachedAt ? { frBreached: true } : {}),
    ...(t.sla.resolutionBreachedAt || e.before?.sla.resolutionBreachedAt ? { resBreached: true } : {}),
    paused: Boolean(t.sla.pausedAt),
    ...(t.suggestedArticles?.length ? { sa: t.suggestedArticles.slice(0, 10) } : {}),
    ...(t.deflectedBy ? { deflectedBy: t.deflectedBy } : {}),
    ...(t.csat ? { csat: t.csat.score, ...(t.csat.comment ? { csatComment: t.csat.comment.slice(0, COMMENT_MAX) } : {}) } : {}),
    ...(t.assigneeAgentId ? { assignee: t.assigneeAgentId } : {}),
  };
  const agentId = e.actor.kind === 'person' ? e.actor.agent?.id : undefined;
  const flags: FactFlags = {};
  if (e.type === 'ticket.claimed' && t.assigneeAgentId) flags.claimer = t.assigneeAgentId;
  if (e.before && !e.before.sla.firstRespondedAt && t.sla.firstRespondedAt) {
    const who = t.assigneeAgentId ?? agentId;
    if (who) flags.firstResponder = who;
  }
  if (e.type === 'ticket.resolved' && (t.assigneeAgentId ?? agentId)) flags.resolver = (t.assigneeAgentId ?? agentId)!;
  if (e.type === 'ticket.reopened') flags.reopened = true;
  if (e.type === 'ticket.escalated') flags.escTier = t.tier;
  if (e.type === 'ticket.routed' && e.before?.status === 'new' && desk.deflection.enabled) {
    flags.kbGap = e.before.suggestedArticles?.length ? 'unhelpful' : 'none';
    flags.q = t.subject.slice(0, 120);
  }
  return { snapshot, flags };
}

/** Every day from `fromDay` to `toDay` inclusive (calendar dates, no time zone involved). */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${fromDay}T00:00:00Z`); d.toISOString().slice(0, 10) <= toDay && out.length < 3700; d = new Date(d.getTime() + 86_400_000)) out.push(d.toISOString().slice(0, 10));
  return out;
}
