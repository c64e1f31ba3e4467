import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Env, Hono } from 'hono';
import { html } from 'hono/html';
import type { Desk } from '../../../core/domain/desk.js';

// Served as they are (no build step): vanilla ES modules and one stylesheet, read once at start.
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
const FILES: Record<string, string> = { 'chat-client.js': 'text/javascript', 'chat-i18n.js': 'text/javascript', 'chat-page.js': 'text/javascript', 'widget.js': 'text/javascript', 'chat.css': 'text/css' };
const assets = new Map(Object.entries(FILES).map(([name, type]) => [name, { type: `${type}; charset=utf-8`, body: readFileSync(path.join(dir, name), 'utf8') }]));

/** Content-Security-Policy of the chat page: only this origin's scripts, styles and connections. */
export const CHAT_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The static files; cross-origin readable (the widget imports them into other sites' pages). */
export function chatAssets<E extends Env>(app: Hono<E>): void {
  const serve = (c: Context, name: string) => {
    const a = assets.get(name);
    if (!a) return c.json({ error: 'no such file' }, 404);
    return c.body(a.body, 200, { 'content-type': a.type, 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' });
  };
  app.get('/widget.js', (c) => serve(c, 'widget.js'));
  app.get('/assets/:file', (c) => serve(c, c.req.param('file')));
}

/** The full-page chat for one desk (text escaped by hono/html). */
export function chatPage(c: Context, desk: Desk, lang: 'en' | 'es', csrfToken: string) {
  const title = lang === 'es' ? `Chat de ayuda · ${desk.name}` : `Help chat · ${desk.name}`;
  c.header('content-security-policy', CHAT_PAGE_CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  return c.html(html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${csrfToken}">
<title>${title}</title>
<link rel="stylesheet" href="/chat/assets/chat.css">
<script type="module" src="/chat/assets/chat-page.js"></script>
</head>
<body>
<main id="chat" data-desk="${desk.id}" data-heading="${title}" data-kind="${desk.kind}"></main>
</body>
</html>`);
}
