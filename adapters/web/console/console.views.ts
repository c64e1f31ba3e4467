import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { html } from 'hono/html';
import { maxTier, type Desk } from '../../../core/domain/desk.js';
import { PRIORITIES, type Ticket } from '../../../core/domain/ticket.js';
import type { TimelineEntry } from '../../../core/domain/timeline.js';
import type { AgentTicketView } from '../../../core/use-cases/agent-ticket.js';
import '../email/email-pages.i18n.js';
import type { QueuePage } from '../../../core/use-cases/agent-queue.js';
import type { WebEnv } from '../web.context.js';
import type { WebStrings } from '../web.i18n.js';
import { csrfField, type Html } from '../web.layout.js';
import { encodeCursor, formatTime, nextDeadline, relativeTime } from './console.format.js';
import type { QueueQuery } from './console.forms.js';

const person = (i?: { name?: string; user: string }) => (i ? (i.name ?? i.user) : '');

/** The status label with a badge colour. */
function statusBadge(s: WebStrings, t: Pick<Ticket, 'status'>): Html {
  const cls = t.status === 'open' ? 'warn' : t.status === 'claimed' ? 'on' : 'off';
  return html`<span class="badge ${cls}">${s.core(`ticket.status.${t.status}`)}</span>`;
}

function dueCell(s: WebStrings, t: Parameters<typeof nextDeadline>[0], now: Date): Html {
  const d = nextDeadline(t);
  if (!d) return html`<span class="hint">—</span>`;
  const late = d.due <= now;
  const soon = !late && d.due.getTime() - now.getTime() < 3_600_000;
  const label = d.kind === 'first' ? s.t('ticket.sla_first') : s.t('ticket.sla_resolution');
  return html`<span class="${late ? 'breached' : soon ? 'soon' : ''}">${label}: <time datetime="${d.due.toISOString()}">${relativeTime(d.due, now, s.locale)}</time></span>`;
}

/** `?…` of the queue with one value changed (for pager links). */
export function queueHref(q: QueueQuery, patch: Partial<Record<keyof QueueQuery, string | undefined>>, extra = ''): string {
  const p = new URLSearchParams();
  const merged: Record<string, string | undefined> = { desk: q.desk, tier: q.tier?.toString(), status: q.status, priority: q.priority, assigned: q.assigned, sla: q.sla ? '1' : undefined, after: q.after, ...patch };
  for (const [k, v] of Object.entries(merged)) if (v) p.set(k, v);
  const qs = p.toString();
  return `/console${qs || extra ? '?' : ''}${qs}${qs && extra ? '&' : ''}${extra}`;
}

/** The live part of the queue page (re-fetched as `?fragment=1` when something changes). */
export function queueFragment(c: Context<WebEnv>, s: WebStrings, q: QueueQuery, page: QueuePage, desks: readonly Desk[], now: Date): Html {
  const tz = (id: string) => desks.find((d) => d.id === id)?.businessHours.timezone ?? 'UTC';
  const rows = page.tickets.map(
    (t) => html`<tr data-ticket="${t.id}">
<td data-label="${s.t('console.col_ticket')}" class="num"><a href="/console/tickets/${t.number}">${t.number}</a></td>
<td data-label="${s.t('console.col_subject')}" class="subject">${t.subject}</td>
<td data-label="${s.t('console.col_requester')}">${person(t.requester)}</td>
<td data-label="${s.t('console.col_status')}">${statusBadge(s, t)}${t.tier > 1 ? html` <span class="badge off">${s.core('ticket.tier', { tier: t.tier })}</span>` : ''}</td>
<td data-label="${s.t('console.col_priority')}">${t.priority}</td>
<td data-label="${s.t('console.col_assignee')}">${t.assignee ? person(t.assignee) : html`<span class="hint">${s.core('ticket.unassigned')}</span>`}</td>
<td data-label="${s.t('console.col_due')}" class="sla">${dueCell(s, t, now)}</td>
<td data-label="${s.t('console.col_created')}"><time datetime="${t.createdAt.toISOString()}">${formatTime(t.createdAt, s.locale, tz(t.deskId))}</time></td>
</tr>`,
  );
  return html`<div id="queue-root" data-fragment-root>
${page.tickets.length === 0
  ? html`<p class="card">${s.t('console.empty')}</p>`
  : html`<table class="queue">
<caption class="visually-hidden">${s.t('console.title')}</caption>
<thead><tr><th scope="col">${s.t('console.col_ticket')}</th><th scope="col">${s.t('console.col_subject')}</th><th scope="col">${s.t('console.col_requester')}</th><th scope="col">${s.t('console.col_status')}</th><th scope="col">${s.t('console.col_priority')}</th><th scope="col">${s.t('console.col_assignee')}</th><th scope="col">${s.t('console.col_due')}</th><th scope="col">${s.t('console.col_created')}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`}
<nav class="pager" aria-label="${s.t('console.title')}">
${q.after ? html`<a href="${queueHref(q, { after: undefined })}">${s.t('console.first')}</a>` : html`<span></span>`}
${page.next ? html`<a href="${queueHref(q, { after: encodeCursor(page.next) })}" rel="next">${s.t('console.next')}</a>` : ''}
</nav>
</div>`;
}

const option = (value: string, label: string, current: string | undefined) => html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;

/** The queue page: filters and the live table. */
export function queueBody(c: Context<WebEnv>, s: WebStrings, q: QueueQuery, page: QueuePage, desks: readonly Desk[], now: Date): Html {
  const mine = desks.filter((d) => page.deskIds.includes(d.id));
  const tiers = [...new Set(mine.flatMap((d) => d.tiers.map((t) => t.level)))].sort();
  const liveDesks = (q.desk ? [q.desk] : page.deskIds).map((d) => `desk=${encodeURIComponent(d)}`).join('&');
  return html`<h1>${s.t('console.title')}</h1>
<form class="card filters" method="get" action="/console" role="search" aria-label="${s.t('console.filters')}">
<div class="field"><label for="f-desk">${s.t('console.desk')}</label><select id="f-desk" name="desk">${option('', s.t('console.all_desks'), q.desk)}${mine.map((d) => option(d.id, d.name, q.desk))}</select></div>
<div class="field"><label for="f-tier">${s.t('console.tier')}</label><select id="f-tier" name="tier">${option('', s.t('console.any'), q.tier?.toString())}${tiers.map((t) => option(String(t), String(t), q.tier?.toString()))}</select></div>
<div class="field"><label for="f-status">${s.t('console.status')}</label><select id="f-status" name="status">${option('', s.t('console.active'), q.status)}${(['open', 'claimed', 'pending', 'resolved', 'closed', 'new', 'self_service'] as const).map((st) => option(st, s.core(`ticket.status.${st}`), q.status))}</select></div>
<div class="field"><label for="f-priority">${s.t('console.priority')}</label><select id="f-priority" name="priority">${option('', s.t('console.any'), q.priority)}${PRIORITIES.map((p) => option(p, p, q.priority))}</select></div>
<div class="field"><label for="f-assigned">${s.t('console.assigned')}</label><select id="f-assigned" name="assigned">${option('', s.t('console.any'), q.assigned)}${option('mine', s.t('console.mine'), q.assigned)}${option('unassigned', s.t('console.unassigned'), q.assigned)}</select></div>
<div class="field"><span><input type="checkbox" id="f-sla" name="sla" value="1"${q.sla ? html` checked` : ''}> <label for="f-sla">${s.t('console.sla_soon')}</label></span></div>
<div class="actions"><button type="submit" class="primary">${s.t('console.apply')}</button><a class="button" href="/console">${s.t('console.reset')}</a></div>
</form>
<p class="live-status" id="live-status" role="status" aria-live="polite"></p>
<div data-live="/console/live?${liveDesks}" data-fragment="${queueHref(q, {}, 'fragment=1')}" data-live-on="${s.t('console.live_on')}" data-live-off="${s.t('console.live_off')}" data-updated="${s.t('console.updated')}" data-busy="${s.t('console.busy')}">
${queueFragment(c, s, q, page, desks, now)}
</div>`;
}

function entryView(s: WebStrings, e: TimelineEntry, tz: string): Html {
  const who = e.actor.kind === 'system' ? s.t('app.name') : person(e.actor.identity);
  const when = html`<time datetime="${e.at.toISOString()}">${formatTime(e.at, s.locale, tz)}</time>`;
  if (e.kind === 'status' || e.kind === 'system') {
    const what = e.event ? s.t(`event.${e.event}`) : '';
    return html`<li class="${e.kind}" id="e-${e.id}"><span class="meta">${when} · ${who}${what ? html` · ${what}` : ''}</span>${e.text ? html`<p class="text">${e.text}</p>` : ''}</li>`;
  }
  const internal = e.visibility === 'internal';
  return html`<li class="${internal ? 'note' : 'message'}" id="e-${e.id}"><span class="meta">${when} · <strong>${who}</strong>${internal ? html` <span class="badge internal">${s.t('ticket.internal')}</span>` : ''}${e.source ? html` · ${e.source.platform}` : ''}</span>
<p class="text">${e.text}</p></li>`;
}

function slaLine(s: WebStrings, label: string, due: Date | undefined, met: Date | undefined, breached: Date | undefined, paused: boolean, now: Date): Html {
  let text: string;
  let cls = '';
  if (met) text = s.t('ticket.sla_met', { when: relativeTime(met, now, s.locale) });
  else if (breached) {
    text = s.t('ticket.sla_breached', { when: relativeTime(breached, now, s.locale) });
    cls = 'breached';
  } else if (paused) text = s.t('ticket.sla_paused');
  else if (due) {
    text = s.t('ticket.sla_due', { when: relativeTime(due, now, s.locale) });
    cls = due <= now ? 'breached' : due.getTime() - now.getTime() < 3_600_000 ? 'soon' : '';
  } else text = s.t('ticket.sla_none');
  return html`<dt>${label}</dt><dd class="${cls}">${text}</dd>`;
}

/** A small form posting one action (with CSRF token and a fresh event id against double submits). */
function actionForm(c: Context<WebEnv>, number: string, action: string, label: string, extra: Html | string = '', cls = ''): Html {
  const grow = cls.includes('grow');
  const button = cls.replace('grow', '').trim();
  return html`<form method="post" action="/console/tickets/${number}/${action}"${grow ? html` class="grow"` : ''}>${csrfField(c)}<input type="hidden" name="eventId" value="${randomUUID()}">${extra}<button type="submit"${button ? html` class="${button}"` : ''}>${label}</button></form>`;
}

/** The live part of a ticket page: timeline, details, SLA clocks, actions. */
export function ticketFragment(c: Context<WebEnv>, s: WebStrings, v: AgentTicketView, now: Date): Html {
  const t = v.ticket;
  const tz = v.desk.businessHours.timezone;
  const n = t.number;
  const me = v.viewer.agent?.id;
  const active = t.status === 'open' || t.status === 'claimed' || t.status === 'pending' || t.status === 'new';
  const actions: Html[] = [];
  if (t.status === 'open' || t.status === 'new') actions.push(actionForm(c, n, 'claim', s.core('action.claim'), '', 'primary'));
  if (t.status === 'claimed' && (t.assigneeAgentId === me || v.viewer.agent?.lead)) actions.push(actionForm(c, n, 'unclaim', s.core('action.unclaim')));
  if (t.status === 'claimed') actions.push(actionForm(c, n, 'pend', s.t('ticket.pend')));
  if (active) actions.push(actionForm(c, n, 'resolve', s.core('action.resolve'), html`<label class="visually-hidden" for="resolve-note">${s.t('ticket.resolve_note')}</label><input id="resolve-note" name="note" maxlength="2000" placeholder="${s.t('ticket.resolve_note')}">`, 'primary grow'));
  if (active && t.tier < maxTier(v.desk)) actions.push(actionForm(c, n, 'escalate', s.core('action.escalate'), html`<label class="visually-hidden" for="escalate-reason">${s.t('ticket.escalate_reason')}</label><input id="escalate-reason" name="reason" maxlength="500" placeholder="${s.t('ticket.escalate_reason')}">`, 'grow'));
  if (t.status === 'resolved') actions.push(actionForm(c, n, 'reopen', s.core('action.reopen')));
  const fields: Html[] = [];
  if (active) {
    fields.push(actionForm(c, n, 'priority', s.t('ticket.set'), html`<label for="set-priority">${s.t('console.priority')}</label><select id="set-priority" name="priority">${PRIORITIES.map((p) => option(p, p, t.priority))}</select>`));
    if (v.desk.categories.length) fields.push(actionForm(c, n, 'category', s.t('ticket.set'), html`<label for="set-category">${s.core('ticket.field.category')}</label><select id="set-category" name="category">${option('', '—', t.category)}${v.desk.categories.map((cat) => option(cat, cat, t.category))}</select>`));
    if (v.desk.macros.length) fields.push(actionForm(c, n, 'macro', s.t('ticket.send_macro'), html`<label for="use-macro">${s.t('ticket.macro')}</label><select id="use-macro" name="name">${v.desk.macros.map((m) => option(m.name, m.name, undefined))}</select>`));
  }
  return html`<div id="ticket-root" data-fragment-root class="ticket-grid">
<section aria-labelledby="timeline-h">
<h2 id="timeline-h">${s.t('ticket.timeline')}</h2>
<ol class="timeline" aria-label="${s.t('ticket.conversation', { number: n })}">
${v.timeline.map((e) => entryView(s, e, tz))}
</ol>
</section>
<aside>
<section class="card" aria-labelledby="actions-h"><h2 id="actions-h">${s.t('ticket.actions')}</h2><div class="actions-bar">${actions}</div>${fields.length ? html`<div class="actions-bar">${fields}</div>` : ''}</section>
<section class="card" aria-labelledby="details-h"><h2 id="details-h">${s.t('ticket.details')}</h2>
<dl class="facts">
<dt>${s.core('ticket.field.status')}</dt><dd>${statusBadge(s, t)}</dd>
<dt>${s.t('ticket.desk')}</dt><dd>${v.desk.name} · ${s.core('ticket.tier', { tier: t.tier })}</dd>
<dt>${s.core('ticket.field.priority')}</dt><dd>${t.priority}</dd>
<dt>${s.core('ticket.field.category')}</dt><dd>${t.category ?? '—'}</dd>
<dt>${s.core('ticket.field.requester')}</dt><dd>${person(t.requester)} (${t.requester.platform})</dd>
<dt>${s.core('ticket.field.assignee')}</dt><dd>${t.assignee ? person(t.assignee) : s.core('ticket.unassigned')}</dd>
<dt>${s.t('ticket.created')}</dt><dd><time datetime="${t.createdAt.toISOString()}">${formatTime(t.createdAt, s.locale, tz)}</time></dd>
${t.csat ? html`<dt>${s.t('ticket.csat')}</dt><dd>${t.csat.score}/5${t.csat.comment ? html` · ${t.csat.comment}` : ''}</dd>` : ''}
</dl>
<h3>${s.t('ticket.sla')}</h3>
<dl class="facts sla">
${slaLine(s, s.t('ticket.sla_first'), t.sla.firstResponseDueAt, t.sla.firstRespondedAt, t.sla.firstResponseBreachedAt, Boolean(t.sla.pausedAt), now)}
${slaLine(s, s.t('ticket.sla_resolution'), t.sla.resolutionDueAt, t.resolvedAt, t.sla.resolutionBreachedAt, Boolean(t.sla.pausedAt), now)}
</dl>
</section>
${attachmentsCard(s, v)}
</aside>
</div>`;
}

/** Files sent with the ticket: stored ones as download links, refused ones with why. */
function attachmentsCard(s: WebStrings, v: AgentTicketView): Html | string {
  if (v.attachments.length === 0) return '';
  const size = (n: number) => (n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.ceil(n / 1024))} KB`);
  return html`<section class="card" aria-labelledby="attachments-h"><h2 id="attachments-h">${s.t('attachments.title')}</h2><ul class="attachments">
${v.attachments.map((a) =>
  a.status === 'stored'
    ? html`<li><a href="/attachments/${a.id}" download="${a.filename}" aria-label="${s.t('attachments.download', { name: a.filename })}">${a.filename}</a> <span class="meta">${size(a.size)} · ${a.contentType}</span></li>`
    : html`<li class="refused"><span>${a.filename}</span> <span class="meta">${size(a.size)} · ${s.t('attachments.refused', { reason: s.t(`attachments.reason.${a.reason ?? 'file_too_large'}`) })}</span></li>`,
)}
</ul></section>`;
}

/** The ticket page: title, the live fragment, and the reply / note composer. */
export function ticketBody(c: Context<WebEnv>, s: WebStrings, v: AgentTicketView, now: Date, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  const t = v.ticket;
  return html`<p><a href="/console">← ${s.t('ticket.back')}</a></p>
<h1><span class="num">${t.number}</span> · <span class="subject">${t.subject}</span></h1>
${notice ? html`<p class="alert ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
<p class="live-status" id="live-status" role="status" aria-live="polite"></p>
<div data-live="/console/live?ticket=${t.id}" data-fragment="/console/tickets/${t.number}?fragment=1" data-live-on="${s.t('console.live_on')}" data-live-off="${s.t('console.live_off')}" data-updated="${s.t('console.updated')}">
${ticketFragment(c, s, v, now)}
</div>
<section class="card compose" aria-labelledby="compose-h">
<h2 id="compose-h" class="visually-hidden">${s.t('ticket.compose')}</h2>
<form method="post" action="/console/tickets/${t.number}/reply" class="compose">${csrfField(c)}<input type="hidden" name="eventId" value="${randomUUID()}">
<label for="reply-text">${s.t('ticket.reply')}</label>
<textarea id="reply-text" name="text" maxlength="10000" required></textarea>
<div class="row"><button type="submit" class="primary">${s.t('ticket.send_reply')}</button></div>
</form>
<form method="post" action="/console/tickets/${t.number}/note" class="compose">${csrfField(c)}<input type="hidden" name="eventId" value="${randomUUID()}">
<label for="note-text">${s.t('ticket.note')}</label>
<textarea id="note-text" name="text" maxlength="10000" required></textarea>
<div class="row"><button type="submit">${s.t('ticket.add_note')}</button></div>
</form>
</section>`;
}
