import type { TicketPatch } from './ticket.state-machine.js';
import type { Ticket } from './ticket.js';
import type { TimelineEntry } from './timeline.js';

/**
 * One public timeline entry as a ticket carries it (`Ticket.publicLog`): what a transcript shows of
 * it (`who` is the author's display name, "Helpdesk" for the system).
 */
export interface PublicLogEntry {
  at: Date;
  kind: TimelineEntry['kind'];
  who: string;
  text: string;
  event?: string;
}

/** Most entries a ticket carries; past it (or {@link PUBLIC_LOG_TEXT_MAX}) the log is dropped. */
export const PUBLIC_LOG_MAX = 20;
/** Most characters of entry text a ticket carries in its log. */
export const PUBLIC_LOG_TEXT_MAX = 4_000;

/** The author's name a transcript shows for a timeline entry. */
export const entryAuthor = (e: Pick<TimelineEntry, 'actor'>): string => (e.actor.kind === 'system' ? 'Helpdesk' : (e.actor.identity.name ?? e.actor.identity.user));

/** A timeline entry as the log keeps it. */
export function logEntry(e: Omit<TimelineEntry, 'id' | 'ticketId'>): PublicLogEntry {
  return { at: e.at, kind: e.kind, who: entryAuthor(e), text: e.text, ...(e.event ? { event: e.event } : {}) };
}

/**
 * `patch` plus what it does to the ticket's public log when the change also writes `entry` on the
 * timeline: a public entry is added to the log; a log that would outgrow its bounds is dropped
 * (`unset`: the timeline is read instead). A ticket without a log keeps none; internal entries
 * change nothing.
 */
export function withLogged(before: Pick<Ticket, 'publicLog'>, entry: Omit<TimelineEntry, 'id' | 'ticketId'>, patch: TicketPatch): TicketPatch {
  if (!before.publicLog || entry.visibility !== 'public') return patch;
  const log = [...before.publicLog, logEntry(entry)];
  const chars = log.reduce((n, x) => n + x.text.length, 0);
  if (log.length > PUBLIC_LOG_MAX || chars > PUBLIC_LOG_TEXT_MAX) return { ...patch, unset: [...(patch.unset ?? []), 'publicLog'] };
  return { ...patch, publicLog: log };
}

/**
 * The ticket's public conversation from what it carries, in timeline order: its opening message
 * (the ticket's own description, as `openTicket` writes it) and its log. Null when it carries no log.
 */
export function carriedConversation(t: Pick<Ticket, 'publicLog' | 'createdAt' | 'requester' | 'description'>): PublicLogEntry[] | null {
  if (!t.publicLog) return null;
  const opening: PublicLogEntry = { at: t.createdAt, kind: 'message', who: t.requester.name ?? t.requester.user, text: t.description };
  // Stable sort by time, as the timeline is read (write order stands for ties).
  return [opening, ...t.publicLog].map((e, i) => ({ e, i, at: new Date(e.at).getTime() })).sort((a, b) => a.at - b.at || a.i - b.i).map((x) => x.e);
}
