import type { Ticket } from '../../../core/domain/ticket.js';
import type { TicketCursor } from '../../../core/ports/ticket-store.port.js';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date and time in the desk's time zone, in the person's language. */
export function formatTime(d: Date | string | undefined, locale: string, timeZone: string): string {
  if (!d) return '';
  const key = `${locale}|${timeZone}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone })));
  return f.format(new Date(d));
}

/** "in 3 hours", "20 minutes ago". */
export function relativeTime(d: Date | string, now: Date, locale: string): string {
  const diff = new Date(d).getTime() - now.getTime();
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 2 * 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

/** The next running SLA deadline of a ticket (first response before resolution), if any. */
export function nextDeadline(t: Pick<Ticket, 'status'> & { sla: Pick<Ticket['sla'], 'pausedAt' | 'firstResponseDueAt' | 'firstRespondedAt' | 'resolutionDueAt'> }): { kind: 'first' | 'resolution'; due: Date } | undefined {
  if (t.status === 'resolved' || t.status === 'closed' || t.status === 'self_service') return undefined;
  if (t.sla.pausedAt) return undefined;
  if (t.sla.firstResponseDueAt && !t.sla.firstRespondedAt) return { kind: 'first', due: new Date(t.sla.firstResponseDueAt) };
  if (t.sla.resolutionDueAt) return { kind: 'resolution', due: new Date(t.sla.resolutionDueAt) };
  return undefined;
}

/** Keyset cursor ⇄ an opaque URL-safe string. */
export const encodeCursor = (c: TicketCursor): string => Buffer.from(`${c.createdAt.getTime()}.${c.id}`).toString('base64url');

export function decodeCursor(v: string | undefined): TicketCursor | undefined {
  if (!v) return undefined;
  if (v.length > 200) throw new Error('cursor too long');
  const raw = Buffer.from(v, 'base64url').toString('utf8');
  const dot = raw.indexOf('.');
  const ms = Number(raw.slice(0, dot));
  const id = raw.slice(dot + 1);
  if (dot <= 0 || !Number.isSafeInteger(ms) || id.length === 0 || id.length > 80) throw new Error('malformed cursor');
  return { createdAt: new Date(ms), id };
}
