import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { simpleParser } from 'mailparser';
import type { RouteModule } from '../web.app.js';
import type { WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { webStrings } from '../web.i18n.js';
import { messagePage, page } from '../web.layout.js';
import './email-pages.i18n.js';

const LIST_MAX = 100;
const VIEW_MAX_BYTES = 2 * 1024 * 1024;

/** Names the outbox transport writes (`<ISO time>-<message id>.eml`, characters `A-Za-z0-9._@-`), nothing else. */
export function isOutboxName(name: string): boolean {
  if (name.length < 5 || name.length > 200 || name.startsWith('.') || !name.endsWith('.eml')) return false;
  for (const ch of name) if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === '.' || ch === '_' || ch === '@' || ch === '-')) return false;
  return true;
}

async function readHead(file: string, max: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * The console's view of `<data dir>/outbox/` (agents only: under /console): when no SMTP_URL is set,
 * outgoing mail is written there as .eml files, and a newcomer can see it work here. The list shows
 * the newest 100; a message is shown as escaped text (its text part and its raw source), never as HTML.
 */
export const outboxRoutes =
  (dir: string | undefined): RouteModule =>
  (app: Hono<WebEnv>) => {
    app.get('/console/outbox', async (c) => {
      const s = webStrings(c.get('locale'));
      if (!dir) return c.html(messagePage(c, s, s.t('outbox.title'), s.t('outbox.off')));
      const names = (await readdir(dir).catch(() => [] as string[])).filter(isOutboxName).sort().reverse().slice(0, LIST_MAX);
      const rows = await Promise.all(
        names.map(async (name) => {
          const m = await simpleParser(await readHead(path.join(dir, name), 64 * 1024), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true }).catch(() => undefined);
          const to = m?.to ? (Array.isArray(m.to) ? m.to : [m.to]).map((a) => a.text).join(', ') : '';
          return { name, to, subject: m?.subject ?? '', date: m?.date?.toISOString() ?? name.slice(0, 24) };
        }),
      );
      const body = html`<h1>${s.t('outbox.title')}</h1>
<p>${s.t('outbox.lead', { dir })}</p>
${rows.length === 0
  ? html`<p>${s.t('outbox.empty')}</p>`
  : html`<table class="outbox"><thead><tr><th scope="col">${s.t('outbox.when')}</th><th scope="col">${s.t('outbox.to')}</th><th scope="col">${s.t('outbox.subject')}</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td><time datetime="${r.date}">${r.date}</time></td><td>${r.to}</td><td><a href="/console/outbox/${r.name}">${r.subject || r.name}</a></td></tr>`)}
</tbody></table>`}`;
      return c.html(page(c, s, { title: s.t('outbox.title'), body, layout: 'wide', current: 'outbox' }));
    });

    app.get('/console/outbox/:name', async (c) => {
      const s = webStrings(c.get('locale'));
      const name = c.req.param('name');
      if (!dir || !isOutboxName(name)) throw webError(404, 'no such message', 'NOT_FOUND');
      const raw = await readHead(path.join(dir, name), VIEW_MAX_BYTES).catch(() => undefined);
      if (!raw) throw webError(404, 'no such message', 'NOT_FOUND');
      const m = await simpleParser(raw, { skipHtmlToText: true, skipImageLinks: true }).catch(() => undefined);
      const to = m?.to ? (Array.isArray(m.to) ? m.to : [m.to]).map((a) => a.text).join(', ') : '';
      const body = html`<p><a href="/console/outbox">← ${s.t('outbox.back')}</a></p>
<h1>${m?.subject ?? name}</h1>
<dl class="facts"><dt>From</dt><dd>${m?.from?.text ?? ''}</dd><dt>${s.t('outbox.to')}</dt><dd>${to}</dd><dt>Date</dt><dd>${m?.date?.toISOString() ?? ''}</dd></dl>
<section class="card"><pre class="mail-text">${m?.text ?? ''}</pre></section>
<details><summary>${name}</summary><pre class="mail-raw">${raw.toString('utf8')}</pre></details>`;
      return c.html(page(c, s, { title: m?.subject ?? name, body, layout: 'wide', current: 'outbox' }));
    });
  };
