import type { Context, Hono } from 'hono';
import { isHelpdeskError } from '../../../core/domain/errors.js';
import type { InboundEvent } from '../../../core/domain/inbound.js';
import { agentQueue } from '../../../core/use-cases/agent-queue.js';
import { agentTicket } from '../../../core/use-cases/agent-ticket.js';
import { loadTicket } from '../../../core/use-cases/load-ticket.js';
import { agentOf, requireAgent } from '../auth/middleware.js';
import { deskTopic, ticketTopic } from '../live/live-bus.js';
import { liveStream } from '../live/live-sse.js';
import type { WebContext, WebEnv } from '../web.context.js';
import { classify, webError } from '../web.errors.js';
import { consoleIdentity } from '../web.identity.js';
import { webStrings } from '../web.i18n.js';
import { page } from '../web.layout.js';
import { decodeCursor } from './console.format.js';
import { actionSchemas, describeZod, isConsoleAction, isTicketNumber, queueQuerySchema, type ConsoleAction } from './console.forms.js';
import { queueBody, queueFragment, ticketBody, ticketFragment } from './console.views.js';

const SCRIPTS = ['console.js'];
/** A queue page's live stream sends at most one frame per this many ms (liveStream's `coalesceMs`). */
export const QUEUE_LIVE_COALESCE_MS = 1000;

/** Form or JSON body as plain string fields (files and arrays are not accepted). */
async function readFields(c: Context<WebEnv>): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('application/json')) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw webError(400, 'body: not valid JSON', 'INPUT.INVALID');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw webError(400, 'body: expected a JSON object', 'INPUT.INVALID');
    return body as Record<string, unknown>;
  }
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody();
    for (const [k, v] of Object.entries(form)) if (typeof v !== 'string') throw webError(400, `${k}: expected text`, 'INPUT.INVALID');
    return form;
  }
  throw webError(415, 'send the form as application/x-www-form-urlencoded or JSON', 'UNSUPPORTED_MEDIA_TYPE');
}

function ticketNumberParam(c: Context<WebEnv>): string {
  const n = c.req.param('number') ?? '';
  if (!isTicketNumber(n)) throw webError(404, `no ticket ${n.slice(0, 24)}`, 'TICKET.NOT_FOUND');
  return n.toUpperCase();
}

/** The agent console: queues, ticket pages, actions through `helpdesk.handle`, live updates. */
export function registerConsoleRoutes(app: Hono<WebEnv>, ctx: WebContext): void {
  app.use('/console', requireAgent());
  app.use('/console/*', requireAgent());
  const identity = (c: Context<WebEnv>) => {
    const a = agentOf(c);
    return consoleIdentity(a.agentId, a.name);
  };

  app.get('/console', async (c) => {
    const s = webStrings(c.get('locale'));
    const parsed = queueQuerySchema.safeParse(c.req.query());
    if (!parsed.success) throw webError(400, describeZod(parsed.error), 'INPUT.INVALID');
    const q = parsed.data;
    let after;
    try {
      after = decodeCursor(q.after);
    } catch (e) {
      throw webError(400, `after: ${(e as Error).message}`, 'INPUT.INVALID');
    }
    const result = await agentQueue(ctx.deps, identity(c), {
      deskId: q.desk,
      tier: q.tier,
      status: q.status ? [q.status] : undefined,
      priority: q.priority ? [q.priority] : undefined,
      assigned: q.assigned,
      breachingWithinMinutes: q.sla ? 60 : undefined,
      after,
    });
    const now = ctx.deps.clock.now();
    if (q.fragment) return c.html(queueFragment(c, s, q, result, ctx.desks, now));
    return c.html(page(c, s, { title: s.t('console.title'), body: queueBody(c, s, q, result, ctx.desks, now), scripts: SCRIPTS, layout: 'wide', current: 'console' }));
  });

  // Server-Sent Events: `?desk=it&desk=hr` (queue) or `?ticket=<id>` (ticket page).
  app.get('/console/live', async (c) => {
    const who = identity(c);
    const agent = await ctx.deps.directory.agentByIdentity(who);
    const mine = new Set(agent?.desks.map((d) => d.desk) ?? []);
    const ticketId = c.req.query('ticket');
    if (ticketId !== undefined) {
      if (ticketId.length > 80) throw webError(400, 'ticket: too long', 'INPUT.INVALID');
      const t = await loadTicket(ctx.deps, { id: ticketId });
      if (!mine.has(t.deskId)) throw webError(404, 'no such ticket', 'TICKET.NOT_FOUND');
      return liveStream(c, ctx.live, { topics: [ticketTopic(t.id)], audience: 'agent' });
    }
    const desks = c.req.queries('desk') ?? [...mine];
    if (desks.length === 0 || desks.length > 50) throw webError(400, 'desk: give between 1 and 50 desks', 'INPUT.INVALID');
    for (const d of desks) if (!mine.has(d)) throw webError(403, `not an agent of desk ${d.slice(0, 40)}`, 'TICKET.NOT_AGENT');
    // A queue follows whole desks: in a storm its changes come as one frame a second (docs/web.md).
    return liveStream(c, ctx.live, { topics: desks.map(deskTopic), audience: 'agent', coalesceMs: QUEUE_LIVE_COALESCE_MS });
  });

  app.get('/console/tickets/:number', async (c) => {
    const s = webStrings(c.get('locale'));
    const v = await agentTicket(ctx.deps, { number: ticketNumberParam(c) }, identity(c));
    const now = ctx.deps.clock.now();
    if (c.req.query('fragment')) return c.html(ticketFragment(c, s, v, now));
    const notice = c.req.query('done') ? { kind: 'ok' as const, text: s.t('ticket.done') } : undefined;
    return c.html(page(c, s, { title: `${v.ticket.number} · ${v.ticket.subject}`, body: ticketBody(c, s, v, now, notice), scripts: SCRIPTS, layout: 'wide', current: 'console' }));
  });

  app.post('/console/tickets/:number/:action', async (c) => {
    const s = webStrings(c.get('locale'));
    const number = ticketNumberParam(c);
    const action = c.req.param('action');
    if (!isConsoleAction(action)) throw webError(404, `no action ${action.slice(0, 30)}`, 'NOT_FOUND');
    const parsed = actionSchemas[action].safeParse(await readFields(c));
    if (!parsed.success) throw webError(400, describeZod(parsed.error), 'INPUT.INVALID');
    const who = identity(c);
    // Reads the ticket as this agent first: a missing or foreign ticket is a 404 before anything is recorded.
    const view = await agentTicket(ctx.deps, { number }, who);
    const event = toInbound(action, parsed.data as Record<string, string | undefined>, { id: view.ticket.id }, who, view.ticket.tier);
    try {
      await ctx.helpdesk.handle(event);
    } catch (err) {
      const known = classify(err);
      if (!known || !isHelpdeskError(err) || (c.req.header('accept') ?? '').indexOf('text/html') < 0) throw err;
      // A refused action (already claimed, not allowed…): the ticket page again, with the reason.
      const fresh = await agentTicket(ctx.deps, { id: view.ticket.id }, who);
      const text = s.core(`error.${err.code}`, { ticket: fresh.ticket.number, status: s.core(`ticket.status.${fresh.ticket.status}`), assignee: fresh.ticket.assignee?.name ?? '', detail: '', ...err.meta });
      return c.html(page(c, s, { title: fresh.ticket.number, body: ticketBody(c, s, fresh, ctx.deps.clock.now(), { kind: 'error', text }), scripts: SCRIPTS, layout: 'wide', current: 'console' }), known.status);
    }
    if (!(c.req.header('accept') ?? '').includes('text/html')) return c.json({ ok: true, ticket: number, action });
    return c.redirect(`/console/tickets/${number}?done=${action}`, 303);
  });
}

/** A console action as core's inbound event (event ids are namespaced per agent). */
function toInbound(action: ConsoleAction, f: Record<string, string | undefined>, ticket: { id: string }, actor: ReturnType<typeof consoleIdentity>, tier: number): InboundEvent {
  const eventId = `web:${actor.user}:${f.eventId}`;
  const base = { eventId, actor, ticket };
  switch (action) {
    case 'claim':
      return { type: 'ticket.claim', ...base };
    case 'unclaim':
      return { type: 'ticket.unclaim', ...base };
    case 'pend':
      return { type: 'ticket.pend', ...base };
    case 'reopen':
      return { type: 'ticket.reopen', ...base };
    case 'resolve':
      return { type: 'ticket.resolve', ...base, note: f.note || undefined };
    case 'escalate':
      return { type: 'ticket.escalate', ...base, reason: f.reason || undefined, expectTier: tier };
    case 'priority':
      return { type: 'ticket.set_priority', ...base, priority: f.priority! };
    case 'category':
      return { type: 'ticket.set_category', ...base, category: f.category! };
    case 'macro':
      return { type: 'ticket.macro', ...base, name: f.name!, messageId: eventId };
    case 'reply':
      return { type: 'ticket.message', ...base, text: f.text!, messageId: eventId, internal: false };
    case 'note':
      return { type: 'ticket.message', ...base, text: f.text!, messageId: eventId, internal: true };
  }
}
