import type { Hono } from 'hono';
import { html } from 'hono/html';
import { rateLimit } from '../security/rate-limit.js';
import type { WebContext, WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { consoleIdentity, emailIdentity } from '../web.identity.js';
import { webStrings } from '../web.i18n.js';
import { csrfField, messagePage, page } from '../web.layout.js';
import { endSession, startSession } from './middleware.js';

/** A same-site path to return to after sign-in; anything else becomes `/console`. */
export function safeNext(v: string | undefined): string {
  if (!v || v.length > 200 || !v.startsWith('/') || v.startsWith('//') || v.includes('\\')) return '/console';
  return v;
}

/** Redis flag: someone has signed in at least once (the start log stops printing the first-admin link). */
export const firstSigninKey = (ctx: Pick<WebContext, 'keyPrefix'>) => `${ctx.keyPrefix}web:signed-in-once`;

export function registerAuthRoutes(app: Hono<WebEnv>, ctx: WebContext): void {
  const limited = rateLimit(ctx.rateLimiter, { name: 'auth', limit: 30, windowMs: 60_000 });

  app.get('/auth/signin', (c) => {
    const s = webStrings(c.get('locale'));
    const next = safeNext(c.req.query('next'));
    const body = html`<section class="card narrow-card"><h1>${s.t('signin.title')}</h1>
${ctx.oidc ? html`<p><a class="button primary" href="/auth/oidc/start?next=${encodeURIComponent(next)}">${s.t('signin.oidc')}</a></p>` : ''}
<p>${s.t('signin.magic_help')}</p></section>`;
    return c.html(page(c, s, { title: s.t('signin.title'), body }));
  });

  const refusal = (reason: string) => (reason === 'expired' ? 'signin.expired' : reason === 'used' ? 'signin.used' : 'signin.invalid');

  app.get('/auth/magic', limited, async (c) => {
    const s = webStrings(c.get('locale'));
    const token = c.req.query('t');
    const v = ctx.magicLinks.verify(token);
    if (!v.ok) return c.html(messagePage(c, s, s.t('signin.title'), s.t(refusal(v.reason))), v.reason === 'expired' ? 410 : 400);
    const agent = await ctx.deps.directory.agentByIdentity(consoleIdentity(v.claims.agentId));
    if (!agent) return c.html(messagePage(c, s, s.t('signin.title'), s.t('signin.unknown_agent')), 404);
    // A confirmation step: link previews and scanners that GET the link do not use it up.
    const body = html`<section class="card narrow-card"><h1>${s.t('signin.confirm_title', { name: agent.name })}</h1>
<form method="post" action="/auth/magic">${csrfField(c)}<input type="hidden" name="t" value="${token}">
<input type="hidden" name="next" value="${safeNext(c.req.query('next'))}">
<button type="submit" class="button primary">${s.t('signin.confirm')}</button></form></section>`;
    return c.html(page(c, s, { title: s.t('signin.title'), body }));
  });

  app.post('/auth/magic', limited, async (c) => {
    const s = webStrings(c.get('locale'));
    const form = await c.req.parseBody();
    const token = typeof form.t === 'string' ? form.t : undefined;
    const v = await ctx.magicLinks.consume(token);
    if (!v.ok) return c.html(messagePage(c, s, s.t('signin.title'), s.t(refusal(v.reason))), v.reason === 'expired' || v.reason === 'used' ? 410 : 400);
    const agent = await ctx.deps.directory.agentByIdentity(consoleIdentity(v.claims.agentId));
    if (!agent) return c.html(messagePage(c, s, s.t('signin.title'), s.t('signin.unknown_agent')), 404);
    await startSession(c, ctx, { kind: 'agent', agentId: agent.id, name: agent.name, identity: consoleIdentity(agent.id, agent.name) }, `magic-link:${v.claims.p}`);
    await ctx.redis.set(firstSigninKey(ctx), new Date().toISOString());
    ctx.log.info({ agent: agent.id, via: v.claims.p }, 'agent signed in with a magic link');
    return c.redirect(safeNext(typeof form.next === 'string' ? form.next : undefined), 303);
  });

  app.get('/auth/oidc/start', limited, async (c) => {
    if (!ctx.oidc) throw webError(404, 'OpenID Connect is not configured', 'NOT_FOUND');
    const url = await ctx.oidc.start(safeNext(c.req.query('next')));
    return c.redirect(url.toString(), 302);
  });

  app.get('/auth/oidc/callback', limited, async (c) => {
    const s = webStrings(c.get('locale'));
    if (!ctx.oidc) throw webError(404, 'OpenID Connect is not configured', 'NOT_FOUND');
    // The identity provider redirects to the public URL; rebuild it from there, not from Host.
    const here = new URL(c.req.url);
    const callback = new URL(`${ctx.config.publicBaseUrl}/auth/oidc/callback${here.search}`);
    let done;
    try {
      done = await ctx.oidc.finish(callback);
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'OpenID Connect sign-in failed');
      return c.html(messagePage(c, s, s.t('signin.title'), s.t('signin.oidc_failed')), 400);
    }
    const { person } = done;
    const agent = person.email && person.emailVerified ? await ctx.deps.directory.agentByIdentity(emailIdentity(person.email)) : null;
    if (agent) {
      await startSession(c, ctx, { kind: 'agent', agentId: agent.id, name: agent.name, identity: consoleIdentity(agent.id, agent.name) }, 'oidc');
      await ctx.redis.set(firstSigninKey(ctx), new Date().toISOString());
      ctx.log.info({ agent: agent.id }, 'agent signed in with OpenID Connect');
      return c.redirect(done.next, 303);
    }
    // Not an agent: a signed-in visitor (an employee using the internal desk's chat).
    await startSession(c, ctx, { kind: 'visitor', name: person.name, email: person.email, identity: { platform: 'web', workspace: 'oidc', user: person.subject, ...(person.name ? { name: person.name } : {}) } }, 'oidc');
    if (done.next.startsWith('/console')) return c.html(messagePage(c, s, s.t('signin.title'), s.t('signin.oidc_no_agent', { email: person.email ?? person.subject })), 403);
    return c.redirect(done.next, 303);
  });

  app.post('/auth/signout', async (c) => {
    const s = webStrings(c.get('locale'));
    await endSession(c, ctx);
    return c.html(messagePage(c, s, s.t('nav.signout'), s.t('signout.done')));
  });
}
