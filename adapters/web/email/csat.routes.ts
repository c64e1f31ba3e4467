import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { isHelpdeskError } from '../../../core/domain/errors.js';
import type { Ticket } from '../../../core/domain/ticket.js';
import { loadTicket } from '../../../core/use-cases/load-ticket.js';
import type { RouteModule } from '../web.app.js';
import type { WebContext, WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { webStrings, type WebStrings } from '../web.i18n.js';
import { csrfField, messagePage, page } from '../web.layout.js';
import './email-pages.i18n.js';
import type { CsatClaims, CsatLinks } from './csat-links.js';

const langQuery = (s: WebStrings) => (s.locale === 'es' ? '?lang=es' : '');

/** The claims of a valid link, else an error page (400 forged/malformed, 410 expired); nothing is stored. */
async function check(c: Context<WebEnv>, links: CsatLinks, token: string | undefined): Promise<CsatClaims | Response> {
  const s = webStrings(c.get('locale'));
  const v = links.verify(token);
  if (v.ok) return v.claims;
  const expired = v.reason === 'expired';
  return await c.html(messagePage(c, s, s.t('csat.invalid_title'), s.t(expired ? 'csat.expired' : 'csat.invalid')), expired ? 410 : 400);
}

async function ticketOf(c: Context<WebEnv>, ctx: WebContext, id: string): Promise<Ticket | Response> {
  const t = await loadTicket(ctx.deps, { id }).catch((e: unknown) => {
    if (isHelpdeskError(e) && e.code === 'TICKET.NOT_FOUND') return null;
    throw e;
  });
  if (t) return t;
  const s = webStrings(c.get('locale'));
  return await c.html(messagePage(c, s, s.t('csat.invalid_title'), s.t('csat.unknown')), 404);
}

/**
 * One-click CSAT from email (`/rate?t=<signed token>`). GET only shows a confirmation page with a
 * POST button (mail scanners and link prefetchers follow GET links: they must not rate); POST records
 * the rating through core with one event id per ticket, so a second click — or a second score —
 * records nothing more. The signed link is the requester's credential (only their mail carries it).
 */
export const csatRoutes =
  (links: CsatLinks): RouteModule =>
  (app: Hono<WebEnv>, ctx: WebContext) => {
    app.get('/rate', async (c) => {
      const s = webStrings(c.get('locale'));
      const claims = await check(c, links, c.req.query('t'));
      if (claims instanceof Response) return claims;
      const t = await ticketOf(c, ctx, claims.t);
      if (t instanceof Response) return t;
      if (t.csat) return c.html(messagePage(c, s, s.t('csat.thanks_title'), s.t('csat.already', { number: t.number, score: t.csat.score })));
      const body = html`<section class="card"><h1>${s.t('csat.title')}</h1>
<p><strong>${s.t('csat.confirm', { number: t.number, score: claims.s })}</strong></p>
<p>${t.subject}</p>
<p>${s.t('csat.scale')}</p>
<form method="post" action="/rate${langQuery(s)}">${csrfField(c)}<input type="hidden" name="t" value="${c.req.query('t')}">
<label for="csat-comment">${s.t('csat.comment')}</label>
<textarea id="csat-comment" name="comment" maxlength="2000"></textarea>
<p><button type="submit" class="primary">${s.t('csat.submit')}</button></p>
</form></section>`;
      // A link in a mail: keep the token out of Referer headers and caches.
      c.header('Referrer-Policy', 'no-referrer');
      c.header('Cache-Control', 'no-store');
      return c.html(page(c, s, { title: s.t('csat.title'), body }));
    });

    app.post('/rate', async (c) => {
      const s = webStrings(c.get('locale'));
      const type = c.req.header('content-type') ?? '';
      if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) throw webError(415, 'send the form as application/x-www-form-urlencoded', 'UNSUPPORTED_MEDIA_TYPE');
      const form = await c.req.parseBody();
      const token = typeof form.t === 'string' ? form.t : undefined;
      const comment = typeof form.comment === 'string' ? form.comment.trim().slice(0, 2000) : '';
      const claims = await check(c, links, token);
      if (claims instanceof Response) return claims;
      const t = await ticketOf(c, ctx, claims.t);
      if (t instanceof Response) return t;
      try {
        await ctx.helpdesk.handle({ type: 'ticket.rate', eventId: `csat-link:${t.id}`, actor: t.requester, ticket: { id: t.id }, score: claims.s, comment: comment || undefined });
      } catch (err) {
        if (!isHelpdeskError(err)) throw err;
        const now = await loadTicket(ctx.deps, { id: t.id });
        if (err.code === 'TICKET.ALREADY_RATED' && now.csat) return c.html(messagePage(c, s, s.t('csat.thanks_title'), s.t('csat.already', { number: t.number, score: now.csat.score })), 409);
        if (err.code === 'TICKET.ILLEGAL_TRANSITION') return c.html(messagePage(c, s, s.t('csat.invalid_title'), s.t('csat.not_now', { number: t.number })), 409);
        throw err;
      }
      const after = await loadTicket(ctx.deps, { id: t.id });
      const score = after.csat?.score ?? claims.s;
      if (score !== claims.s) return c.html(messagePage(c, s, s.t('csat.thanks_title'), s.t('csat.already', { number: t.number, score })), 409);
      return c.html(messagePage(c, s, s.t('csat.thanks_title'), s.t('csat.thanks', { number: t.number, score })));
    });
  };
