import type { Desk } from '../domain/desk.js';
import type { Incident, IncidentUpdate } from '../domain/incident.js';
import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import { neutralizeMentions, truncate } from './sanitize.js';
import type { View } from './view.js';

/** Public updates shown on an announcement (newest first). */
export const ANNOUNCE_UPDATES = 3;
/** Example tickets listed on a spike card. */
export const SPIKE_EXAMPLES = 5;

const when = (d: Date, locale: string, tz: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(d);
const clean = (s: string, max: number) => truncate(neutralizeMentions(s), max);

const ACCENT: Record<Incident['status'], View['accent']> = { investigating: 'escalated', identified: 'pending', monitoring: 'claimed', resolved: 'resolved' };

/**
 * An incident as announced in a channel: one message per channel, edited in place on every change
 * (status, severity, public note). Only public timeline entries are shown; all user text is
 * mention-neutralised and cut.
 */
export function incidentView(inc: Incident, updates: readonly IncidentUpdate[], desk: Desk, locale?: string): View {
  const lang = locale ?? desk.locale;
  const tr = translator(lang, desk.locale);
  const tz = desk.businessHours.timezone;
  const status = tr(`fanout.status.${inc.status}`);
  const title = tr('fanout.title', { number: inc.number, title: clean(inc.title, 200) });
  const fields = [
    { label: tr('fanout.field.status'), value: status },
    { label: tr('fanout.field.severity'), value: inc.severity },
    { label: tr('fanout.field.services'), value: clean(inc.services.join(', '), 300) || '—' },
    { label: tr('fanout.field.started'), value: when(inc.startedAt, lang, tz) },
  ];
  if (inc.resolvedAt) fields.push({ label: tr('fanout.field.resolved'), value: when(inc.resolvedAt, lang, tz) });
  const shown = updates.filter((u) => u.visibility === 'public' && u.text.trim()).slice(-ANNOUNCE_UPDATES).reverse();
  const text = shown.length ? `*${tr('fanout.updates')}*\n${shown.map((u) => `• ${when(u.at, lang, tz)}: ${clean(u.text, 500)}`).join('\n')}` : undefined;
  return {
    kind: 'incident',
    fallback: tr('fanout.fallback', { number: inc.number, title: clean(inc.title, 200), status }),
    title,
    ...(text ? { text } : {}),
    fields,
    context: tr('fanout.context', { desk: desk.name, at: when(inc.updatedAt, lang, tz) }),
    accent: ACCENT[inc.status],
    clipMarker: tr('text.truncated'),
  };
}

/** The answer to a request absorbed by an active incident, with "I still need help" to insist. */
export function knownIssueView(t: Ticket, inc: Incident, locale?: string): View {
  const tr = translator(locale);
  const insist = tr('action.need_help');
  const text = tr('fanout.known_issue', { number: inc.number, title: clean(inc.title, 200), status: tr(`fanout.status.${inc.status}`), ticket: t.number, insist });
  return { kind: 'notice', fallback: text, text, accent: ACCENT[inc.status], actions: [{ action: 'need_help', label: insist, ticketId: t.id }], context: t.number, clipMarker: tr('text.truncated') };
}

/** Told once to each linked requester when the incident resolves. */
export function incidentResolvedView(t: Ticket, inc: Incident, ticketResolved: boolean, locale?: string): View {
  const tr = translator(locale);
  const text = tr(ticketResolved ? 'fanout.resolved_notice' : 'fanout.resolved_notice_open', { number: inc.number, title: clean(inc.title, 200), ticket: t.number });
  return { kind: 'notice', fallback: text, text, accent: 'resolved', clipMarker: tr('text.truncated') };
}

/** The tier-2 card for a spike of similar tickets, with a button that declares the incident. */
export function spikeCardView(spikeId: string, tickets: readonly Ticket[], total: number, minutes: number, desk: Desk, declared?: Incident): View {
  const tr = translator(desk.locale);
  const title = tr('fanout.spike_title', { count: total, minutes });
  const items = tickets.slice(0, SPIKE_EXAMPLES).map((t) => ({ title: `${t.number} · ${clean(t.subject, 120)}`, text: clean(t.description, 200) }));
  const more = total - items.length;
  return {
    kind: 'incident',
    fallback: title,
    title,
    text: declared ? tr('fanout.declared', { number: declared.number, count: total }) : tr('fanout.spike_text'),
    items,
    ...(more > 0 ? { context: tr('fanout.spike_more', { count: more }) } : {}),
    ...(declared ? {} : { actions: [{ action: 'declare' as const, label: tr('fanout.declare'), ticketId: spikeId, style: 'primary' as const }] }),
    accent: declared ? 'claimed' : 'escalated',
    clipMarker: tr('text.truncated'),
  };
}
