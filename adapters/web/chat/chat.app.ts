import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { z } from 'zod';
import type { Desk } from '../../../core/domain/desk.js';
import { isHelpdeskError } from '../../../core/domain/errors.js';
import { sameIdentity, type Identity } from '../../../core/domain/identity.js';
import type { Ticket } from '../../../core/domain/ticket.js';
import type { Helpdesk } from '../../../core/helpdesk.js';
import type { Logger } from '../../../core/ports/logger.port.js';
import { t as coreText } from '../../../core/i18n/index.js';
import { publicStatus } from '../../../core/use-cases/fanout/public-status.js';
import type { WebStreamEvent } from '../web.platform.js';
import { chatAssets, chatPage } from './chat.assets.js';
import { chatText, langFromHeader } from './chat.i18n.js';
import type { RateLimiter } from '../security/rate-limit.js';
import { clientAddress } from '../security/rate-limit.js';
import type { Session } from '../auth/session.js';
import { actionBody, conversationId, describeZod, messageBody, newConversationBody, startVisitorBody, streamId, suggestQuery } from './chat.schemas.js';
import { compareStreamIds, type ChatStream, type StreamEntry } from './chat-stream.js';
import type { Visitor, VisitorTokens } from './visitor-token.js';

export interface ChatAppOptions {
  helpdesk: Helpdesk;
  stream: ChatStream;
  tokens: VisitorTokens;
  limits: RateLimiter;
  log: Logger;
  /**
   * Largest request body accepted by the chat API, in bytes.
   * @defaultValue 16384
   */
  maxBodyBytes?: number;
  /**
   * SSE keep-alive comment interval.
   * @defaultValue 20000
   */
  heartbeatMs?: number;
}

export const VISITOR_COOKIE = 'hd_visitor';

/**
 * Who is chatting: an anonymous visitor (token) or a signed-in person (session, internal desks).
 * `identity` is the requester identity core sees.
 */
interface Chatter {
  identity: Identity;
  name: string;
  /** Anonymous visitors only. */
  visitor?: Visitor;
}

// The parent web app (adapters/web/web.app.ts) sets `session` and `csrfToken`; this app adds the rest.
type Env = { Variables: { session?: Session; csrfToken?: string; desk: Desk; chatter?: Chatter; lang: string } };

const ERROR_STATUS: Record<string, 400 | 403 | 404 | 409> = {
  'TICKET.NOT_FOUND': 404,
  'DESK.NOT_FOUND': 404,
  'INPUT.INVALID': 400,
  'TICKET.NOT_REQUESTER': 403,
  'TICKET.NOT_AGENT': 403,
};

/** The conversation id for a visitor's new request: deterministic, so a retried POST finds the same one. */
export const conversationFor = (visitorId: string, clientId: string): string => `c${createHash('sha256').update(`${visitorId}:${clientId}`).digest('hex').slice(0, 24)}`;

/**
 * The web live chat: the full page (`/chat`), the widget script (`/chat/widget.js`), static modules
 * and the visitor API under `/chat/api/:desk/…` (JSON in, JSON out; SSE for the live stream).
 * Mount with `app.route('/chat', createChatApp(o).app)`. Inputs are validated with zod before
 * anything is stored; a visitor reaches only their own conversations.
 */
export function createChatApp(o: ChatAppOptions) {
  const app = new Hono<Env>();
  const { helpdesk } = o;
  const directory = helpdesk.deps.directory;
  const live = new Set<SSEStreamingApi>();
  const heartbeatMs = o.heartbeatMs ?? 20_000;

  const identityOf = (v: Visitor): Identity => ({ platform: 'web', workspace: v.desk, user: v.id, name: v.email ? `${v.name} (${v.email})` : v.name });
  const limited = async (c: Context, name: string, who: string, limit: number, windowMs: number) => {
    const r = await o.limits.hit(`chat:${name}`, who.slice(0, 200), limit, windowMs);
    if (r.allowed) return undefined;
    return c.json({ error: `too many ${name} requests: slow down and try again in ${Math.ceil(r.retryAfterMs / 1000)} s`, code: 'RATE_LIMITED' }, 429, { 'retry-after': String(Math.ceil(r.retryAfterMs / 1000)) });
  };
  const bad = (c: Context, status: 400 | 401 | 403 | 404 | 409 | 413 | 429, error: string) => c.json({ error }, status);
  const parse = <T extends z.ZodType>(schema: T, value: unknown): { ok: true; data: z.infer<T> } | { ok: false; error: string } => {
    const r = schema.safeParse(value);
    return r.success ? { ok: true, data: r.data } : { ok: false, error: describeZod(r.error) };
  };
  const readJson = async (c: Context): Promise<unknown> => {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return Symbol.for('not-json');
    try {
      return await c.req.json();
    } catch {
      return Symbol.for('bad-json');
    }
  };
  const jsonBody = async <T extends z.ZodType>(c: Context, schema: T) => {
    const raw = await readJson(c);
    if (raw === Symbol.for('not-json')) return { ok: false as const, error: 'content-type must be application/json' };
    if (raw === Symbol.for('bad-json')) return { ok: false as const, error: 'body is not valid JSON' };
    return parse(schema, raw);
  };

  app.get('/', (c) => {
    const desks = directory.desks();
    const requested = c.req.query('desk');
    const desk = requested ? desks.find((d) => d.id === requested) : (desks.find((d) => d.kind === 'external') ?? desks[0]);
    if (!desk) return c.text(`unknown desk ${String(requested).slice(0, 64)}`, 404);
    return chatPage(c, desk, langFromHeader(c.req.header('accept-language'), desk.locale), c.get('csrfToken') ?? '');
  });
  chatAssets(app);

  const api = new Hono<Env>();
  const limitBody = bodyLimit({ maxSize: o.maxBodyBytes ?? 16_384, onError: (c) => c.json({ error: `request body over ${o.maxBodyBytes ?? 16_384} bytes`, code: 'TOO_LARGE' }, 413) });
  // Preflights have no body (and hono's bodyLimit cannot re-wrap their empty stream).
  api.use('*', (c, next) => (c.req.method === 'OPTIONS' ? next() : limitBody(c, next)));

  // Desk, CORS (only origins the desk file allows), visitor, CSRF (cookie-authenticated writes must come from this origin).
  api.use('/:desk/*', async (c, next) => {
    const desk = directory.desks().find((d) => d.id === c.req.param('desk'));
    if (!desk) return bad(c, 404, `unknown desk ${c.req.param('desk').slice(0, 64)}`);
    c.set('desk', desk);
    const self = new URL(c.req.url).origin;
    const origin = c.req.header('origin');
    if (origin && origin !== self) {
      if (!(desk.channels?.web?.allowedOrigins ?? []).includes(origin)) return bad(c, 403, `origin ${origin.slice(0, 200)} is not allowed to use desk ${desk.id}`);
      c.header('access-control-allow-origin', origin);
      c.header('vary', 'Origin');
      if (c.req.method === 'OPTIONS') {
        c.header('access-control-allow-methods', 'GET, POST');
        c.header('access-control-allow-headers', 'content-type, authorization, last-event-id');
        c.header('access-control-max-age', '600');
        return c.body(null, 204);
      }
    } else if (c.req.method === 'OPTIONS') return c.body(null, 204);
    // The widget sends its token as `Authorization: Bearer`; the full page has it in an httpOnly cookie.
    const auth = c.req.header('authorization') ?? '';
    const headerToken = auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    const cookieToken = headerToken ? undefined : getCookie(c, VISITOR_COOKIE);
    const visitor = o.tokens.verify(headerToken ?? cookieToken);
    if (headerToken && !visitor) return bad(c, 401, 'visitor token is invalid or expired: start again');
    if (visitor && visitor.desk !== desk.id) return bad(c, 403, 'this visitor token belongs to another desk');
    const session = c.get('session');
    if (visitor && desk.kind === 'external') c.set('chatter', { identity: identityOf(visitor), name: visitor.name, visitor });
    else if (session) c.set('chatter', { identity: session.person.identity, name: session.person.name ?? session.person.identity.user });
    // Cookie-authenticated writes must come from this origin (the parent app also checks the CSRF token).
    if (c.req.method !== 'GET' && cookieToken && origin !== undefined && origin !== self) return bad(c, 403, 'cross-site request refused (foreign Origin)');
    c.set('lang', langFromHeader(c.req.header('accept-language'), desk.locale));
    await next();
  });

  const chatterOf = (c: Context<Env>) => c.get('chatter');
  const noChatter = (c: Context<Env>) =>
    c.get('desk').kind === 'internal' ? bad(c, 401, 'sign in first: this desk serves signed-in people') : bad(c, 401, 'no visitor: start with your name first');

  api.post('/:desk/visitor', async (c) => {
    const desk = c.get('desk');
    if (desk.kind === 'internal') return bad(c, 403, 'this desk serves signed-in people: sign in instead');
    const tooMany = await limited(c, 'visitor', clientAddress(c), 20, 600_000);
    if (tooMany) return tooMany;
    const body = await jsonBody(c, startVisitorBody);
    if (!body.ok) return bad(c, 400, body.error);
    const existing = chatterOf(c)?.visitor;
    const { token, visitor } = o.tokens.issue({ desk: desk.id, name: body.data.name, email: body.data.email, id: existing?.id });
    if (body.data.mode === 'page') {
      setCookie(c, VISITOR_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/chat', secure: new URL(c.req.url).protocol === 'https:', maxAge: 30 * 86_400 });
    }
    return c.json({ visitor: { name: visitor.name, email: visitor.email }, ...(body.data.mode === 'widget' ? { token } : {}) }, 201);
  });

  // The status banner: the desk's open incidents, public facts only (no visitor needed on an external desk).
  api.get('/:desk/status', async (c) => {
    const desk = c.get('desk');
    if (desk.kind === 'internal' && !chatterOf(c)) return c.json({ incidents: [] });
    const lang = c.get('lang');
    const incidents = (await publicStatus(helpdesk.deps, desk, { withUpdates: false })) ?? [];
    c.header('cache-control', 'no-store');
    return c.json({ incidents: incidents.map((i) => ({ number: i.number, status: i.status, text: coreText(lang, 'fanout.banner', { title: i.title, status: coreText(lang, `fanout.status.${i.status}`) }) })) });
  });

  api.get('/:desk/me', (c) => {
    const who = chatterOf(c);
    if (!who) return c.json({ error: 'no visitor yet', signIn: c.get('desk').kind === 'internal' }, 401);
    return c.json({ visitor: { name: who.name, ...(who.visitor?.email ? { email: who.visitor.email } : {}) } });
  });

  api.get('/:desk/suggest', async (c) => {
    const who = chatterOf(c);
    if (!who) return noChatter(c);
    const q = parse(suggestQuery, c.req.query());
    if (!q.ok) return bad(c, 400, q.error);
    const tooMany = await limited(c, 'suggestion', `${who.identity.workspace}:${who.identity.user}`, 30, 10_000);
    if (tooMany) return tooMany;
    const desk = c.get('desk');
    if (!desk.deflection.enabled) return c.json({ suggestions: [] });
    const found = await helpdesk.deps.kb.suggest(q.data.q, { limit: desk.deflection.maxSuggestions, lang: c.get('lang'), deskId: desk.id }).catch(() => []);
    return c.json({ suggestions: found.map((s) => ({ id: s.id, title: s.title, summary: s.summary, ...(s.url ? { url: s.url } : {}) })) });
  });

  api.get('/:desk/conversations', async (c) => {
    const who = chatterOf(c);
    if (!who) return noChatter(c);
    const r = await helpdesk.handle({ type: 'query.mine', eventId: `web:mine:${Date.now()}`, actor: who.identity });
    const tickets = r.kind === 'tickets' ? r.tickets : [];
    return c.json({ conversations: tickets.flatMap((t) => (t.deskId === c.get('desk').id && conversationOf(t) ? [summary(t)] : [])) });
  });

  api.post('/:desk/conversations', async (c) => {
    const who = chatterOf(c);
    if (!who) return noChatter(c);
    const desk = c.get('desk');
    const body = await jsonBody(c, newConversationBody);
    if (!body.ok) return bad(c, 400, body.error);
    const whoKey = `${who.identity.workspace}:${who.identity.user}`;
    const conv = conversationFor(whoKey, body.data.clientId);
    const key = `web:${whoKey}:${body.data.clientId}`;
    const lang = body.data.lang ? langFromHeader(body.data.lang, c.get('lang')) : c.get('lang');
    const place = { platform: 'web' as const, workspace: desk.id, channel: conv };
    const opened = await helpdesk.handle({
      type: 'help.request',
      eventId: key,
      request: { idempotencyKey: key, requester: who.identity, locale: lang, text: body.data.text, origin: place, requesterLink: place, deskId: desk.id },
    });
    if (opened.kind !== 'opened') return bad(c, 409, 'could not open the conversation');
    let ticket = opened.ticket;
    if (ticket.status === 'new') {
      if (body.data.solvedArticleId) {
        const r = await helpdesk.handle({ type: 'deflection.solved', eventId: `web:solved:${ticket.id}`, actor: who.identity, ticket: { id: ticket.id }, articleId: body.data.solvedArticleId });
        if (r.kind === 'ticket') {
          ticket = r.ticket;
          await o.stream.append(conv, { type: 'message', msg: { kind: 'notice', text: chatText(lang, 'solved') }, at: new Date().toISOString() } satisfies WebStreamEvent);
        }
      } else {
        const r = await helpdesk.handle({ type: 'deflection.need_help', eventId: `web:needhelp:${ticket.id}`, actor: who.identity, ticket: { id: ticket.id } });
        if (r.kind === 'ticket') ticket = r.ticket;
      }
    }
    return c.json({ conversation: summary(ticket) }, opened.created ? 201 : 200);
  });

  /** The visitor's ticket behind a conversation id; undefined (→ 404) when unknown or someone else's. */
  const owned = async (c: Context<Env>): Promise<{ ticket: Ticket; conv: string; who: Chatter } | Response> => {
    const who = chatterOf(c);
    if (!who) return noChatter(c);
    const id = parse(conversationId, c.req.param('id'));
    if (!id.ok) return bad(c, 404, 'no such conversation');
    const t = await helpdesk.ticketAt({ platform: 'web', workspace: c.get('desk').id, channel: id.data });
    // Someone else's conversation gets the same answer as a missing one.
    if (!t || !sameIdentity(t.requester, who.identity)) return bad(c, 404, 'no such conversation');
    return { ticket: t, conv: id.data, who };
  };

  api.get('/:desk/conversations/:id', async (c) => {
    const r = await owned(c);
    if (r instanceof Response) return r;
    return c.json({ conversation: summary(r.ticket) });
  });

  api.post('/:desk/conversations/:id/messages', async (c) => {
    const r = await owned(c);
    if (r instanceof Response) return r;
    const body = await jsonBody(c, messageBody);
    if (!body.ok) return bad(c, 400, body.error);
    const at = { platform: 'web' as const, workspace: r.ticket.deskId, channel: r.conv };
    const res = await helpdesk.handle({ type: 'ticket.message', eventId: `web:msg:${r.who.identity.workspace}:${r.who.identity.user}:${body.data.clientId}`, actor: r.who.identity, at, text: body.data.text, messageId: body.data.clientId });
    if (res.kind === 'duplicate') return c.json({ ok: true, duplicate: true });
    if (res.kind === 'message' && res.recorded) {
      await o.stream.append(r.conv, { type: 'message', msg: { kind: 'mine', text: body.data.text, author: r.who.name }, at: new Date().toISOString(), clientId: body.data.clientId } satisfies WebStreamEvent);
    }
    return c.json({ ok: true }, 201);
  });

  api.post('/:desk/conversations/:id/actions', async (c) => {
    const r = await owned(c);
    if (r instanceof Response) return r;
    const body = await jsonBody(c, actionBody);
    if (!body.ok) return bad(c, 400, body.error);
    const actor = r.who.identity;
    const ref = { id: r.ticket.id };
    const eventId = `web:${body.data.action}:${actor.workspace}:${actor.user}:${body.data.clientId}`;
    const a = body.data;
    const res =
      a.action === 'rate'
        ? await helpdesk.handle({ type: 'ticket.rate', eventId, actor, ticket: ref, score: a.score, ...(a.comment ? { comment: a.comment } : {}) })
        : a.action === 'reopen'
          ? await helpdesk.handle({ type: 'ticket.reopen', eventId, actor, ticket: ref })
          : a.action === 'solved'
            ? await helpdesk.handle({ type: 'deflection.solved', eventId, actor, ticket: ref, articleId: a.articleId })
            : await helpdesk.handle({ type: 'deflection.need_help', eventId, actor, ticket: ref });
    if (res.kind === 'ticket' && a.action === 'rate') {
      await o.stream.append(r.conv, { type: 'message', msg: { kind: 'notice', text: chatText(r.ticket.locale, 'rated') }, at: new Date().toISOString() } satisfies WebStreamEvent);
    }
    const ticket = res.kind === 'ticket' ? res.ticket : r.ticket;
    return c.json({ conversation: summary(ticket), duplicate: res.kind === 'duplicate' });
  });

  api.get('/:desk/conversations/:id/events', async (c) => {
    const r = await owned(c);
    if (r instanceof Response) return r;
    const rawLast = c.req.header('last-event-id') ?? c.req.query('after');
    let after: string | undefined;
    if (rawLast) {
      const p = parse(streamId, rawLast);
      if (!p.ok) return bad(c, 400, `Last-Event-ID: ${p.error}`);
      after = p.data;
    }
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (s) => {
      live.add(s);
      let last = after ?? '0-0';
      let replaying = true;
      const held: StreamEntry[] = [];
      let chain: Promise<void> = Promise.resolve();
      const send = (e: StreamEntry) => {
        chain = chain.then(async () => {
          if (compareStreamIds(e.id, last) <= 0) return; // already sent (replay and live overlap)
          last = e.id;
          await s.writeSSE({ id: e.id, data: e.data });
        });
        return chain;
      };
      // Listen first, then replay: an entry published in between is held, never lost.
      const off = o.stream.listen(r.conv, (e) => (replaying ? held.push(e) : void send(e)));
      const beat = setInterval(() => void s.write(': keep-alive\n\n').catch(() => {}), heartbeatMs);
      try {
        await s.writeSSE({ event: 'ready', data: JSON.stringify({ conversation: summary(r.ticket) }) });
        for (const e of await o.stream.since(r.conv, after)) await send(e);
        replaying = false;
        for (const e of held.splice(0)) await send(e);
        await new Promise<void>((resolve) => s.onAbort(resolve));
      } finally {
        clearInterval(beat);
        off();
        live.delete(s);
      }
    });
  });

  api.onError((err, c) => {
    if (isHelpdeskError(err)) {
      const status = ERROR_STATUS[err.code] ?? 409;
      return c.json({ error: err.message, code: err.code }, status);
    }
    const ref = Math.random().toString(36).slice(2, 10);
    o.log.error({ err, ref }, 'web chat request failed');
    return c.json({ error: `internal error (ref ${ref})` }, 500);
  });
  api.all('*', (c) => bad(c, 404, 'no such chat endpoint'));
  app.route('/api', api);

  return {
    app,
    /** Closes every SSE connection this replica holds (shutdown; tests of dropped connections). */
    dropConnections() {
      for (const s of live) void s.close();
      live.clear();
    },
    get connections() {
      return live.size;
    },
  };
}


const conversationOf = (t: Ticket) => t.links.find((l) => l.platform === 'web' && l.role === 'requester')?.channel;

/** What the browser may know about its conversation. */
function summary(t: Ticket) {
  return {
    id: conversationOf(t),
    number: t.number,
    subject: t.subject,
    description: t.description.slice(0, 4000),
    status: t.status,
    rated: Boolean(t.csat),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}


