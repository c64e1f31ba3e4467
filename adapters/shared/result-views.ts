import type { Desk } from '../../core/domain/desk.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { HandleResult } from '../../core/helpdesk.js';
import { translator } from '../../core/i18n/index.js';
import { noticeView, suggestionsView, ticketListView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';

/**
 * What the person who made a help request sees right away: suggestions while the ticket waits on
 * deflection, otherwise where the ticket stands. Platform-free (every adapter shows the same thing).
 */
export function openedView(r: Extract<HandleResult, { kind: 'opened' }>, desk: Desk, locale?: string): View {
  const tr = translator(locale, desk.locale);
  const t = r.ticket;
  if (t.status === 'new' && r.suggestions.length > 0) return suggestionsView(t, r.suggestions, locale ?? desk.locale);
  if (t.status === 'new') return noticeView(tr('intake.received', { number: t.number }), 'new');
  if (t.status === 'self_service') return noticeView(tr('intake.self_served', { number: t.number }), 'resolved');
  if (t.status === 'open' && t.tier === 1) return noticeView(tr('intake.routed', { number: t.number, desk: desk.name }), 'open');
  return statusView(t, locale ?? desk.locale);
}

/** One ticket's status line (`/help status IT-1042`, a repeated request). */
export function statusView(t: Ticket, locale?: string): View {
  return ticketListView(t.number, [t], locale);
}

/** The confirmation after a deflection button: solved by the article, or passed to the desk. */
export function deflectionOutcomeView(t: Ticket, desk: Desk, locale?: string): View {
  const tr = translator(locale, desk.locale);
  return t.status === 'self_service'
    ? noticeView(tr('intake.self_served', { number: t.number }), 'resolved')
    : noticeView(tr('intake.routed', { number: t.number, desk: desk.name }), 'open');
}
