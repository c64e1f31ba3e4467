import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { WebContext, WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { randomToken, SESSION_COOKIE, type Session, type SessionPerson } from './session.js';

export const CSRF_COOKIE = 'hd_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const cookieOptions = (ctx: WebContext, maxAge: number) => ({ httpOnly: true, sameSite: 'Lax' as const, secure: ctx.config.secureCookies, path: '/', maxAge });

/** Loads the session from its cookie (if any) and the CSRF token every rendered form carries. */
export const sessionMiddleware = (ctx: WebContext) =>
  createMiddleware<WebEnv>(async (c, next) => {
    const session = await ctx.sessions.get(getCookie(c, SESSION_COOKIE));
    if (session) c.set('session', session);
    let token = session?.csrf;
    if (!token) {
      // Before sign-in: double-submit cookie (the sign-in forms need a token too).
      token = getCookie(c, CSRF_COOKIE);
      if (!token || token.length !== 43) {
        token = randomToken();
        setCookie(c, CSRF_COOKIE, token, cookieOptions(ctx, 12 * 3600));
      }
    }
    c.set('csrfToken', token);
    await next();
  });

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Refuses a state-changing request (POST, PUT, PATCH, DELETE) that does not carry the page's CSRF
 * token (header `x-csrf-token` or form field `_csrf`). Requests authenticated by an
 * `Authorization: Bearer` header (the cross-origin widget's visitor token) do not rely on cookies and
 * are exempt: a foreign page cannot add that header without passing CORS.
 */
export const csrfMiddleware = () =>
  createMiddleware<WebEnv>(async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    if ((c.req.header('authorization') ?? '').startsWith('Bearer ')) return next();
    // No cookie, no ambient credential to ride on (the cross-origin chat widget's first request,
    // which has no token yet): nothing for a forged request to borrow. Form posts from another
    // origin are still refused by hono/csrf's Origin check above.
    if (!c.req.header('cookie')) return next();
    let given = c.req.header(CSRF_HEADER);
    if (!given) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody();
        const v = body[CSRF_FIELD];
        if (typeof v === 'string') given = v;
      }
    }
    if (!given || !sameToken(given, c.get('csrfToken'))) {
      throw webError(403, 'missing or wrong CSRF token: reload the page and try again', 'CSRF');
    }
    await next();
  });

/** Starts a session for `person`: cookie set, CSRF cookie dropped (the session has its own token). */
export async function startSession(c: Context<WebEnv>, ctx: WebContext, person: SessionPerson, via: string): Promise<Session> {
  const old = getCookie(c, SESSION_COOKIE);
  if (old) await ctx.sessions.destroy(old);
  const s = await ctx.sessions.create(person, via);
  setCookie(c, SESSION_COOKIE, s.id, cookieOptions(ctx, ctx.sessions.ttlSeconds));
  c.set('session', s);
  c.set('csrfToken', s.csrf);
  return s;
}

export async function endSession(c: Context<WebEnv>, ctx: WebContext): Promise<void> {
  const s = c.get('session');
  if (s) await ctx.sessions.destroy(s.id);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

const wantsHtml = (c: Context) => c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html');

/** Any signed-in person (agent or visitor). */
export const requireSession = () =>
  createMiddleware<WebEnv>(async (c, next) => {
    if (!c.get('session')) {
      if (wantsHtml(c)) return c.redirect(`/auth/signin?next=${encodeURIComponent(c.req.path)}`, 303);
      throw webError(401, 'sign in first', 'UNAUTHENTICATED');
    }
    await next();
  });

/** A signed-in agent. What the agent may do on a ticket is still decided by core (desk, tier, lead). */
export const requireAgent = () =>
  createMiddleware<WebEnv>(async (c, next) => {
    const s = c.get('session');
    if (!s) {
      if (wantsHtml(c)) return c.redirect(`/auth/signin?next=${encodeURIComponent(c.req.path)}`, 303);
      throw webError(401, 'sign in as an agent first', 'UNAUTHENTICATED');
    }
    if (s.person.kind !== 'agent') throw webError(403, 'only agents can do that', 'TICKET.NOT_AGENT');
    await next();
  });

/** The signed-in agent (after requireAgent). */
export function agentOf(c: Context<WebEnv>): Extract<SessionPerson, { kind: 'agent' }> {
  const p = c.get('session')?.person;
  if (p?.kind !== 'agent') throw webError(403, 'only agents can do that', 'TICKET.NOT_AGENT');
  return p;
}
