import type { Desk } from '../domain/desk.js';
import type { HelpdeskError } from '../domain/errors.js';
import { PRIORITIES, type Ticket } from '../domain/ticket.js';
import type { TimelineEntry } from '../domain/timeline.js';
import { translator } from '../i18n/index.js';
import type { KbSuggestion } from '../ports/kb.port.js';
import { neutralizeMentions, truncate } from './sanitize.js';
import { CARD_PREVIEW_MAX, clipText } from './text-limits.js';
import type { View, ViewAction } from './view.js';

const personName = (p?: { name?: string; user: string }) => (p ? (p.name ?? p.user) : undefined);
/** One formatter per locale and zone (building one costs far more than formatting with it). */
const formats = new Map<string, Intl.DateTimeFormat>();
const when = (d: Date | undefined, locale: string, tz: string) => {
  if (!d) return undefined;
  const k = `${locale}\0${tz}`;
  let f = formats.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz });
    if (formats.size < 256) formats.set(k, f);
  }
  return f.format(d);
};

/** The triage card: what agents see in a tier channel, edited in place on every change. */
export function ticketCard(t: Ticket, desk: Desk, locale?: string): View {
  const tr = translator(locale, desk.locale);
  const lang = locale ?? desk.locale;
  const status = tr(`ticket.status.${t.status}`);
  const title = tr('ticket.card_title', { number: t.number, subject: neutralizeMentions(t.subject) });
  const fields = [
    { label: tr('ticket.field.requester'), value: personName(t.requester) ?? '' },
    { label: tr('ticket.field.priority'), value: t.priority },
    { label: tr('ticket.field.category'), value: t.category ?? tr('ticket.none') },
    { label: tr('ticket.field.status'), value: status },
    { label: tr('ticket.field.tier'), value: tr('ticket.tier', { tier: t.tier }) },
    { label: tr('ticket.field.assignee'), value: personName(t.assignee) ?? tr('ticket.unassigned') },
  ];
  const due = t.sla.firstRespondedAt ? t.sla.resolutionDueAt : t.sla.firstResponseDueAt;
  const dueLabel = t.sla.firstRespondedAt ? tr('ticket.field.resolutionDue') : tr('ticket.field.sla');
  if (due && ['open', 'claimed', 'pending'].includes(t.status)) fields.push({ label: dueLabel, value: when(due, lang, desk.businessHours.timezone)! });
  const actions: ViewAction[] = [];
  const a = (action: ViewAction['action'], style?: ViewAction['style']): ViewAction => ({ action, label: tr(`action.${action}`), ticketId: t.id, style });
  if (t.status === 'open') actions.push(a('claim', 'primary'));
  if (t.status === 'claimed' || t.status === 'pending') actions.push(a('unclaim'));
  if (['open', 'claimed', 'pending'].includes(t.status)) actions.push({ ...a('escalate'), arg: String(t.tier) }, a('resolve', 'primary'));
  if (t.status === 'resolved') actions.push(a('reopen'));
  const active = ['new', 'open', 'claimed', 'pending'].includes(t.status);
  return {
    kind: 'ticket_card',
    fallback: `${title} — ${status}`,
    title,
    text: clipText(neutralizeMentions(t.description), CARD_PREVIEW_MAX, tr('text.truncated')).text,
    clipMarker: tr('text.truncated'),
    fields,
    actions,
    select: active
      ? { action: 'priority', ticketId: t.id, placeholder: tr('action.priority'), options: PRIORITIES.map((p) => ({ label: p, value: p })), selected: t.priority }
      : undefined,
    context: tr('ticket.card_context', { opened: when(t.createdAt, lang, desk.businessHours.timezone), desk: desk.name }),
    accent: t.tier > 1 && t.status === 'open' ? 'escalated' : t.status === 'self_service' ? 'resolved' : t.status,
  };
}

/** KB suggestions shown privately to the requester, with the deflection buttons. */
export function suggestionsView(t: Ticket, suggestions: KbSuggestion[], locale?: string): View {
  const tr = translator(locale);
  return {
    kind: 'suggestions',
    fallback: tr('intake.suggestions_title'),
    title: tr('intake.suggestions_title'),
    text: tr('intake.suggestions_prompt'),
    items: suggestions.map((s) => ({
      title: s.title,
      text: truncate(s.summary, 300),
      url: s.url,
      actions: [{ action: 'solved' as const, label: tr('action.solved'), ticketId: t.id, arg: s.id, style: 'primary' as const }],
    })),
    actions: [{ action: 'need_help', label: tr('action.need_help'), ticketId: t.id }],
    context: t.number,
    clipMarker: tr('text.truncated'),
  };
}

/** A short plain message (confirmation, status change) in the recipient's language. */
export function noticeView(text: string, accent?: View['accent'], locale?: string): View {
  return { kind: 'notice', fallback: text, text, accent, ...(locale ? { clipMarker: translator(locale)('text.truncated') } : {}) };
}

/**
 * A message relayed from another linked place, attributed to its author. The text is the timeline's
 * (up to the stored maximum); each renderer cuts it to its platform's limit with the marker.
 */
export function relayView(entry: TimelineEntry, authorLabel: string, internal: boolean, locale?: string): View {
  const text = neutralizeMentions(entry.text);
  return { kind: 'relay', fallback: `${authorLabel}: ${text}`, text, author: internal ? `🔒 ${authorLabel}` : authorLabel, clipMarker: translator(locale)('text.truncated') };
}

/** The satisfaction question after resolution: five buttons. */
export function csatView(t: Ticket, locale?: string): View {
  const tr = translator(locale);
  const text = tr('csat.question', { number: t.number });
  return {
    kind: 'csat',
    fallback: text,
    text,
    actions: [1, 2, 3, 4, 5].map((n) => ({ action: 'rate' as const, label: String(n), ticketId: t.id, arg: String(n) })),
  };
}

/** What a higher tier receives: the card plus the reason and the transcript so far. */
export function escalationView(t: Ticket, desk: Desk, transcript: string, fromTier: number, locale?: string): View {
  const tr = translator(locale, desk.locale);
  const card = ticketCard(t, desk, locale);
  const reason = t.escalationReason ? `\n${tr('notify.escalation_reason', { reason: neutralizeMentions(t.escalationReason) })}` : '';
  return {
    ...card,
    kind: 'escalation',
    title: tr('notify.escalation_title', { from: fromTier, number: t.number }),
    text: `${card.text ?? ''}${reason}\n\n*${tr('notify.transcript')}*\n${clipText(transcript, CARD_PREVIEW_MAX, tr('text.truncated')).text}`,
    file: { name: `${t.number}-transcript.md`, contentType: 'text/markdown', content: transcript },
  };
}

/** A list of tickets (`/help mine`, `/help tickets`). */
export function ticketListView(title: string, tickets: Ticket[], locale?: string): View {
  const tr = translator(locale);
  const lines = tickets.map((t) => tr('list.status_line', { number: t.number, status: tr(`ticket.status.${t.status}`), subject: neutralizeMentions(t.subject) }));
  const text = lines.length ? lines.map((l) => `• ${l}`).join('\n') : tr('list.empty');
  return { kind: 'list', fallback: `${title}\n${text}`, title, text, clipMarker: tr('text.truncated') };
}

/** A refusal or failure, as a short sentence; unknown failures carry a reference id that is also logged. */
export function errorView(err: HelpdeskError | { code: 'INTERNAL'; meta: Record<string, unknown> }, locale?: string): View {
  const tr = translator(locale);
  const text = tr(`error.${err.code}`, { ticket: '', assignee: '', status: '', detail: '', ref: '', ...err.meta });
  return { kind: 'error', fallback: text, text, accent: 'error', clipMarker: tr('text.truncated') };
}
