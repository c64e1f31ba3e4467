import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { WebEnv } from './web.context.js';
import type { WebStrings } from './web.i18n.js';
import { CSRF_FIELD } from './auth/middleware.js';

/** Escaped HTML (hono's `html` tag escapes every interpolated value unless wrapped in `raw`). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageOptions {
  title: string;
  body: Html;
  /** Module scripts under /assets/ (no inline script: the CSP forbids it). */
  scripts?: string[];
  /** Extra stylesheets under /assets/. */
  styles?: string[];
  /** `wide` for the console. */
  layout?: 'narrow' | 'wide';
  /** Which nav item is current. */
  current?: 'home' | 'chat' | 'console' | 'incidents' | 'reports';
  /** Hide the site navigation (the embeddable chat). */
  bare?: boolean;
}

/** A hidden CSRF field for a form. */
export const csrfField = (c: Context<WebEnv>): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${c.get('csrfToken')}">`;

/** The page shell: language, landmarks, skip link, navigation, sign-out. */
export function page(c: Context<WebEnv>, s: WebStrings, o: PageOptions): Html {
  const session = c.get('session');
  const agent = session?.person.kind === 'agent' ? session.person : undefined;
  const nav = (key: NonNullable<PageOptions['current']>, href: string, label: string) =>
    html`<li><a href="${href}"${o.current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="${s.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${c.get('csrfToken')}">
<title>${o.title} · ${s.t('app.name')}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/web.css">
${(o.styles ?? []).map((f) => html`<link rel="stylesheet" href="/assets/${f}">`)}
${(o.scripts ?? []).map((f) => html`<script type="module" src="/assets/${f}"></script>`)}
</head>
<body class="${o.layout === 'wide' ? 'wide' : 'narrow'}">
<a class="skip" href="#main">${s.t('nav.skip')}</a>
${o.bare
  ? ''
  : html`<header class="site">
<a class="brand" href="/">${s.t('app.name')}</a>
<nav aria-label="${s.t('app.name')}"><ul>
${nav('chat', '/chat', s.t('nav.chat'))}${nav('console', '/console', s.t('nav.console'))}${agent ? nav('incidents', '/console/incidents', s.core('fanout.console_title')) : ''}${nav('reports', '/console/reports', s.t('nav.reports'))}
</ul></nav>
<div class="who">${agent
      ? html`<span>${s.t('nav.signed_in_as', { name: agent.name })}</span>
<form method="post" action="/auth/signout">${csrfField(c)}<button type="submit" class="link">${s.t('nav.signout')}</button></form>`
      : html`<a href="/auth/signin">${s.t('nav.signin')}</a>`}</div>
</header>`}
<main id="main" tabindex="-1">
${o.body}
</main>
</body>
</html>`;
}

/** A short message page (errors, sign-in results). */
export function messagePage(c: Context<WebEnv>, s: WebStrings, title: string, message: string, extra: Html | string = ''): Html {
  return page(c, s, { title, body: html`<section class="card"><h1>${title}</h1><p>${message}</p>${extra}<p><a href="/">${s.t('error.back')}</a></p></section>` });
}
