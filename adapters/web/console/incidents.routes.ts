import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Desk } from '../../../core/domain/desk.js';
import { isIncidentNumber, type Incident, type IncidentUpdate } from '../../../core/domain/incident.js';
import type { Ticket } from '../../../core/domain/ticket.js';
import { publicStatus, type PublicIncident } from '../../../core/use-cases/fanout/public-status.js';
import { getIncident, incidentTimeline } from '../../../core/use-cases/incidents/list-incidents.js';
import { loadTicket } from '../../../core/use-cases/load-ticket.js';
import { agentOf, requireAgent } from '../auth/middleware.js';
import type { WebContext, WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { consoleIdentity } from '../web.identity.js';
import { webStrings, type WebStrings } from '../web.i18n.js';
import { page, type Html } from '../web.layout.js';
import { formatTime } from './console.format.js';

/** Incidents per desk listed in the console (open first, then the latest resolved). */
const LIST_MAX = 50;
/** Linked tickets shown on an incident page (the count says how many there are). */
const LINKED_SHOWN = 50;

const statusClass = (st: Incident['status']) => (st === 'resolved' ? 'on' : st === 'monitoring' ? 'warn' : 'bad');
const badge = (s: WebStrings, st: Incident['status']): Html => html`<span class="badge ${statusClass(st)}">${s.core(`fanout.status.${st}`)}</span>`;
const who = (u: IncidentUpdate) => (u.actor.kind === 'person' ? (u.actor.identity.name ?? u.actor.identity.user) : u.actor.reason);

/** A desk's public incidents as a list (status page, start page). All text is escaped by `html`. */
/** A link entry that linked nothing new (a retry, or tickets absorbed and linked before) says nothing: not shown. */
const shown = (u: { kind: string; text: string; linked?: number }) => !(u.kind === 'link' && !u.text && !u.linked);

export function publicIncidentsHtml(s: WebStrings, desk: Desk, incidents: readonly PublicIncident[], o: { updates: boolean }): Html {
  if (!incidents.length) return html`<p class="ok-line">${s.core('fanout.none_open')}</p>`;
  const tz = desk.businessHours.timezone;
  return html`<ul class="incidents">${incidents.map(
    (i) => html`<li class="incident">
<h3>${i.number} · ${i.title} ${badge(s, i.status)} <span class="badge off">${i.severity}</span></h3>
<p class="hint">${s.core('fanout.field.services')}: ${i.services.join(', ')} · ${s.core('fanout.field.started')}: <time datetime="${i.startedAt.toISOString()}">${formatTime(i.startedAt, s.locale, tz)}</time></p>
${o.updates && i.updates.length
  ? html`<ol class="timeline">${i.updates.map((u) => html`<li><span class="meta"><time datetime="${u.at.toISOString()}">${formatTime(u.at, s.locale, tz)}</time></span><p class="text">${u.text}</p></li>`)}</ol>`
  : ''}
</li>`,
  )}</ul>`;
}

/**
 * Incident pages of the web adapter, reading through core:
 * - `/console/incidents` and `/console/incidents/INC-1001` for agents of the incident's desk
 *   (timeline with internal notes, linked tickets);
 * - `/status/<desk>`: the public status page of an external desk (open incidents, public updates).
 */
export function registerIncidentRoutes(app: Hono<WebEnv>, ctx: WebContext): void {
  app.use('/console/incidents', requireAgent());
  app.use('/console/incidents/*', requireAgent());
  const deps = () => {
    if (!ctx.deps.incidents) throw webError(404, 'incidents are not enabled', 'NOT_FOUND');
    return { ...ctx.deps, incidents: ctx.deps.incidents };
  };
  const myDesks = async (c: Context<WebEnv>): Promise<Desk[]> => {
    const a = agentOf(c);
    const agent = await ctx.deps.directory.agentByIdentity(consoleIdentity(a.agentId, a.name));
    const ids = new Set(agent?.desks.map((d) => d.desk) ?? []);
    return ctx.desks.filter((d) => ids.has(d.id));
  };

  app.get('/console/incidents', async (c) => {
    const s = webStrings(c.get('locale'));
    const d = deps();
    const desks = await myDesks(c);
    const rows: Array<{ i: Incident; desk: Desk; linked: number }> = [];
    for (const desk of desks) {
      const open = await d.incidents.list({ deskId: desk.id, status: ['investigating', 'identified', 'monitoring'], limit: LIST_MAX });
      const done = await d.incidents.list({ deskId: desk.id, status: ['resolved'], limit: 10 });
      for (const i of [...open, ...done]) rows.push({ i, desk, linked: await d.incidents.countLinked(i.id) });
    }
    const body = html`<h1>${s.core('fanout.console_title')}</h1>
${rows.length === 0
  ? html`<p class="card">${s.core('fanout.none_open')}</p>`
  : html`<table class="queue incidents-table">
<caption class="visually-hidden">${s.core('fanout.console_title')}</caption>
<thead><tr><th scope="col">#</th><th scope="col">${s.core('fanout.field.services')}</th><th scope="col">${s.core('fanout.field.status')}</th><th scope="col">${s.core('fanout.field.severity')}</th><th scope="col">${s.core('fanout.linked')}</th><th scope="col">${s.core('fanout.field.started')}</th></tr></thead>
<tbody>${rows.map(
      ({ i, desk, linked }) => html`<tr>
<td class="num"><a href="/console/incidents/${i.number}">${i.number}</a> <span class="subject">${i.title}</span></td>
<td>${i.services.join(', ')}</td>
<td>${badge(s, i.status)}</td>
<td>${i.severity}</td>
<td>${linked}</td>
<td><time datetime="${i.startedAt.toISOString()}">${formatTime(i.startedAt, s.locale, desk.businessHours.timezone)}</time></td>
</tr>`,
    )}</tbody></table>`}`;
    return c.html(page(c, s, { title: s.core('fanout.console_title'), body, layout: 'wide', current: 'incidents' }));
  });

  app.get('/console/incidents/:number', async (c) => {
    const s = webStrings(c.get('locale'));
    const n = c.req.param('number');
    if (!isIncidentNumber(n)) throw webError(404, `no incident ${n.slice(0, 24)}`, 'NOT_FOUND');
    const d = deps();
    const i = await getIncident(d, { number: n.toUpperCase() });
    const desk = (await myDesks(c)).find((x) => x.id === i.deskId);
    // Another desk's incident reads as missing, like another desk's ticket.
    if (!desk) throw webError(404, `no incident ${n.slice(0, 24)}`, 'NOT_FOUND');
    const tz = desk.businessHours.timezone;
    const timeline = await incidentTimeline(d, { id: i.id }, { includeInternal: true });
    const linkedIds = await d.incidents.linkedTickets(i.id, { limit: LINKED_SHOWN });
    const linkedCount = await d.incidents.countLinked(i.id);
    const tickets: Ticket[] = [];
    for (const id of linkedIds) {
      const t = await loadTicket(ctx.deps, { id }).catch(() => null);
      if (t) tickets.push(t);
    }
    const body = html`<p><a href="/console/incidents">← ${s.core('fanout.console_title')}</a></p>
<h1>${i.number} · ${i.title}</h1>
<section class="card"><dl class="facts">
<dt>${s.core('fanout.field.status')}</dt><dd>${badge(s, i.status)}</dd>
<dt>${s.core('fanout.field.severity')}</dt><dd>${i.severity}</dd>
<dt>${s.core('fanout.field.services')}</dt><dd>${i.services.join(', ')}</dd>
<dt>${s.core('fanout.field.started')}</dt><dd><time datetime="${i.startedAt.toISOString()}">${formatTime(i.startedAt, s.locale, tz)}</time></dd>
${i.resolvedAt ? html`<dt>${s.core('fanout.field.resolved')}</dt><dd><time datetime="${i.resolvedAt.toISOString()}">${formatTime(i.resolvedAt, s.locale, tz)}</time></dd>` : ''}
</dl></section>
<section aria-labelledby="tl-h"><h2 id="tl-h">${s.core('fanout.timeline')}</h2>
<ol class="timeline">${timeline.filter(shown).map(
      (u) => html`<li class="${u.visibility === 'internal' ? 'note' : u.kind === 'status' || u.kind === 'link' ? 'status' : 'message'}"><span class="meta"><time datetime="${u.at.toISOString()}">${formatTime(u.at, s.locale, tz)}</time> · <strong>${who(u)}</strong>${u.status ? html` · ${badge(s, u.status)}` : ''}${u.visibility === 'internal' ? html` <span class="badge internal">${s.t('ticket.internal')}</span>` : ''}</span><p class="text">${u.text || (u.kind === 'link' && u.linked !== undefined ? `${s.core('fanout.linked')}: +${u.linked}` : '')}</p></li>`,
    )}</ol></section>
<section aria-labelledby="lk-h"><h2 id="lk-h">${s.core('fanout.linked')} (${linkedCount})</h2>
<ul class="linked">${tickets.map((t) => html`<li><a href="/console/tickets/${t.number}">${t.number}</a> · ${t.subject} · ${s.core(`ticket.status.${t.status}`)}</li>`)}</ul></section>`;
    return c.html(page(c, s, { title: `${i.number} · ${i.title}`, body, layout: 'wide', current: 'incidents' }));
  });

  app.get('/status/:desk', async (c) => {
    const s = webStrings(c.get('locale'));
    const desk = ctx.desks.find((d) => d.id === c.req.param('desk'));
    // Only external desks have a public page (an internal desk's incidents are for its employees).
    if (!desk || desk.kind !== 'external') throw webError(404, `no status page ${c.req.param('desk').slice(0, 40)}`, 'NOT_FOUND');
    const incidents = await publicStatus(ctx.deps, desk);
    if (!incidents) throw webError(404, `no status page ${desk.id}`, 'NOT_FOUND');
    const title = s.core('fanout.status_page_title', { desk: desk.name });
    const body = html`<h1>${title}</h1><section class="card status-page" aria-live="polite">${publicIncidentsHtml(s, desk, incidents, { updates: true })}</section>`;
    c.header('cache-control', 'public, max-age=30');
    return c.html(page(c, s, { title, body }));
  });
}
