import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { Platform } from '../../core/domain/identity.js';
import type { WebContext, WebEnv } from './web.context.js';
import { webStrings } from './web.i18n.js';
import { page } from './web.layout.js';
import { publicStatus, type PublicIncident } from '../../core/use-cases/fanout/public-status.js';

/** How to enable each chat platform (what the start page tells an operator). */
export const PLATFORM_SETUP: Array<{ platform: Platform; label: string; vars: string; doc: string }> = [
  { platform: 'slack', label: 'Slack', vars: 'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET', doc: 'docs/slack.md' },
  { platform: 'teams', label: 'Microsoft Teams', vars: 'TEAMS_APP_ID, TEAMS_APP_PASSWORD', doc: 'docs/teams.md' },
  { platform: 'discord', label: 'Discord', vars: 'DISCORD_TOKEN, DISCORD_APPLICATION_ID', doc: 'docs/discord.md' },
];

/** `GET /`: what this is, where to go next, which platforms are on and how to turn on the others. */
export function registerStartRoutes(app: Hono<WebEnv>, ctx: WebContext): void {
  app.get('/', async (c) => {
    const s = webStrings(c.get('locale'));
    const enabled = new Set(ctx.config.enabledPlatforms);
    // The status banner: open incidents of desks that publish them (public facts only).
    const banners: Array<{ desk: (typeof ctx.desks)[number]; incidents: PublicIncident[] }> = [];
    for (const desk of ctx.desks) {
      const incidents = await publicStatus(ctx.deps, desk, { withUpdates: false }).catch(() => null);
      if (incidents?.length) banners.push({ desk, incidents });
    }
    const body = html`
${banners.map(
  (b) => html`<section class="card status-banner" role="status" aria-label="${s.core('fanout.status_page_title', { desk: b.desk.name })}">
${b.incidents.map((i) => html`<p><strong>${s.core('fanout.banner', { title: i.title, status: s.core(`fanout.status.${i.status}`) })}</strong> (${b.desk.name}, ${i.number})</p>`)}
${b.desk.kind === 'external' ? html`<p><a href="/status/${b.desk.id}">${s.core('fanout.status_page_title', { desk: b.desk.name })}</a></p>` : ''}
</section>`,
)}
<section class="hero">
<h1>${s.t('start.title')}</h1>
<p class="lead">${s.t('start.lead')}</p>
</section>
<ul class="tiles">
<li class="tile"><h2><a href="/chat">${s.t('start.chat')}</a></h2><p>${s.t('start.chat_desc')}</p></li>
<li class="tile"><h2><a href="/console">${s.t('start.console')}</a></h2><p>${s.t('start.console_desc')}</p></li>
<li class="tile"><h2><a href="/console/reports">${s.t('start.reports')}</a></h2><p>${s.t('start.reports_desc')}</p></li>
</ul>
<section class="card" aria-labelledby="platforms-h">
<h2 id="platforms-h">${s.t('start.platforms')}</h2>
<p>${s.t('start.web_always')}</p>
<ul class="platforms">
${PLATFORM_SETUP.map(
  (p) => html`<li><strong>${p.label}</strong> <span class="${enabled.has(p.platform) ? 'badge on' : 'badge off'}">${enabled.has(p.platform) ? s.t('start.enabled') : s.t('start.disabled')}</span>
${enabled.has(p.platform) ? '' : html`<br><span class="hint">${s.t('start.enable_hint', { vars: p.vars, doc: p.doc })}</span>`}</li>`,
)}
</ul>
</section>
<section class="card" aria-labelledby="desks-h">
<h2 id="desks-h">${s.t('start.desks')}</h2>
<ul class="desks">${ctx.desks.map((d) => html`<li><strong>${d.name}</strong> (${d.prefix}, ${d.kind})</li>`)}</ul>
</section>`;
    return c.html(page(c, s, { title: s.t('start.title'), body, current: 'home' }));
  });
}
