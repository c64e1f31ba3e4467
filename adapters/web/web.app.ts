import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { isHelpdeskError } from '../../core/domain/errors.js';
import { registerAuthRoutes } from './auth/auth.routes.js';
import { csrfMiddleware, sessionMiddleware } from './auth/middleware.js';
import { registerConsoleRoutes } from './console/console.routes.js';
import { registerAttachmentRoutes } from './email/attachments.routes.js';
import { registerReportRoutes } from './reports/reports.routes.js';
import { registerIncidentRoutes } from './console/incidents.routes.js';
import { securityHeaders } from './security/headers.js';
import { registerStartRoutes } from './start.page.js';
import { registerAssetRoutes } from './web.assets.js';
import type { WebContext, WebEnv } from './web.context.js';
import { classify } from './web.errors.js';
import { webStrings } from './web.i18n.js';
import { messagePage } from './web.layout.js';

/** A route module: `registerXRoutes(app, ctx)`. */
export type RouteModule = (app: Hono<WebEnv>, ctx: WebContext) => void;

export interface WebAppOptions {
  ctx: WebContext;
  /** Route modules after the built-in ones (start page, sign-in, console, assets). */
  modules?: RouteModule[];
}

/** `?lang=`, then the `lang` cookie, then Accept-Language (first supported tag), then English. */
export function detectLocale(c: Context): 'en' | 'es' {
  const pick = (v: string | undefined) => {
    const base = (v ?? '').trim().slice(0, 2).toLowerCase();
    return base === 'es' || base === 'en' ? base : undefined;
  };
  const q = pick(c.req.query('lang')) ?? pick(getCookie(c, 'lang'));
  if (q) return q;
  const header = (c.req.header('accept-language') ?? '').slice(0, 400);
  for (const part of header.split(',')) {
    const l = pick(part.split(';')[0]);
    if (l) return l;
  }
  return 'en';
}

const wantsJson = (c: Context) => c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').includes('application/json') || !(c.req.header('accept') ?? '').includes('text/html');

/**
 * The web channel's Hono app: start page, sign-in, agent console, static assets, then the given
 * modules (the live chat). Mounted behind app/http-server.ts, which keeps the platform receivers'
 * exact paths first.
 */
export function createWebApp(opts: WebAppOptions): Hono<WebEnv> {
  const { ctx } = opts;
  const app = new Hono<WebEnv>();
  const allowed = (origin: string) => origin === new URL(ctx.config.publicBaseUrl).origin || ctx.config.allowedOrigins.some((o) => new URL(o).origin === origin);

  app.use('*', async (c, next) => {
    c.set('requestId', randomBytes(4).toString('hex').toUpperCase());
    c.set('locale', detectLocale(c));
    await next();
  });
  // gzip for pages and JSON (not for the event streams, not for already-compressed assets).
  app.use('*', compress());
  app.use('*', securityHeaders());
  const limitBody = bodyLimit({
    maxSize: ctx.config.maxBodyBytes,
    onError: (c) => c.json({ error: `request body over ${ctx.config.maxBodyBytes} bytes`, code: 'TOO_LARGE' }, 413),
  });
  // A CORS preflight has no body; hono's bodyLimit would try to re-wrap its (empty) stream and fail.
  app.use('*', (c, next) => (c.req.method === 'OPTIONS' ? next() : limitBody(c, next)));
  // Form posts from another origin are refused by their Origin / Sec-Fetch-Site (hono/csrf), and
  // every state-changing request must also carry the page's token (csrfMiddleware).
  app.use('*', csrf({ origin: (origin, c) => allowed(origin) || origin === new URL(c.req.url).origin }));
  app.use('*', sessionMiddleware(ctx));
  app.use('*', csrfMiddleware());

  registerStartRoutes(app, ctx);
  registerAuthRoutes(app, ctx);
  registerConsoleRoutes(app, ctx);
  registerAttachmentRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerIncidentRoutes(app, ctx);
  registerAssetRoutes(app);
  for (const m of opts.modules ?? []) m(app, ctx);

  app.notFound((c) => {
    if (wantsJson(c)) return c.json({ error: 'not found', code: 'NOT_FOUND' }, 404);
    const s = webStrings(c.get('locale'));
    return c.html(messagePage(c, s, s.t('error.title'), s.t('error.not_found')), 404);
  });
  app.onError((err, c) => {
    const s = webStrings(c.get('locale'));
    const known = classify(err);
    const ref = c.get('requestId') ?? 'unknown';
    if (!known) ctx.log.error({ err, ref, path: c.req.path, method: c.req.method }, 'web request failed');
    else if (known.status >= 500) ctx.log.warn({ code: known.code, ref, path: c.req.path }, 'web request refused');
    const status = known?.status ?? 500;
    // A HelpdeskError's sentence comes from core's catalog; ours are already worded for people.
    const message = !known ? s.t('error.internal', { ref }) : isHelpdeskError(err) ? s.core(`error.${err.code}`, { ticket: '', status: '', assignee: '', ref, ...err.meta }) : known.message;
    if (wantsJson(c)) return c.json({ error: message, code: known?.code ?? 'INTERNAL', ref }, status);
    return c.html(messagePage(c, s, s.t('error.title'), message), status);
  });
  return app;
}
