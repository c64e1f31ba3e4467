import { createMiddleware } from 'hono/factory';
import type { WebEnv } from '../web.context.js';

/**
 * The default Content-Security-Policy: only this origin's scripts, styles, images and connections;
 * no inline script, no plugins, not framable. A route that must differ (the embeddable chat frame)
 * sets its own `Content-Security-Policy` header, which is kept.
 */
export const DEFAULT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders = () =>
  createMiddleware<WebEnv>(async (c, next) => {
    await next();
    const h = c.res.headers;
    if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', DEFAULT_CSP);
    if (!h.has('X-Frame-Options') && (h.get('Content-Security-Policy') ?? '').includes("frame-ancestors 'none'")) h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'same-origin');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (!h.has('Cache-Control') && (h.get('Content-Type') ?? '').startsWith('text/html')) h.set('Cache-Control', 'no-store');
  });
