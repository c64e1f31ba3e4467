import type { Hono } from 'hono';
import { openAttachment } from '../../../core/use-cases/ticket-attachments.js';
import type { WebContext, WebEnv } from '../web.context.js';
import { webError } from '../web.errors.js';
import { consoleIdentity } from '../web.identity.js';

/** `filename="ascii"; filename*=UTF-8''…` (RFC 6266 / 8187): no quote, backslash, CR or LF can reach the header. */
export function contentDisposition(name: string): string {
  let ascii = '';
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    ascii += c >= 0x20 && c < 0x7f && ch !== '"' && ch !== '\\' && ch !== '%' ? ch : '_';
  }
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii || 'attachment'}"; filename*=UTF-8''${encoded}`;
}

/**
 * `GET /attachments/:id`: a file kept with a ticket, for agents of its desk and for its requester
 * (core decides: anyone else gets 403). Always a download (`Content-Disposition: attachment`), with
 * the declared type, `nosniff` and a sandboxing CSP, so an HTML or SVG file never runs in our origin.
 */
export function registerAttachmentRoutes(app: Hono<WebEnv>, ctx: WebContext): void {
  app.get('/attachments/:id', async (c) => {
    const session = c.get('session');
    if (!session) {
      if ((c.req.header('accept') ?? '').includes('text/html')) return c.redirect(`/auth/signin?next=${encodeURIComponent(c.req.path)}`, 303);
      throw webError(401, 'sign in first', 'UNAUTHENTICATED');
    }
    const who = session.person.kind === 'agent' ? consoleIdentity(session.person.agentId, session.person.name) : session.person.identity;
    const found = await openAttachment(ctx.deps, c.req.param('id'), who);
    if (!found) throw webError(404, 'no such file', 'NOT_FOUND');
    const { record, content } = found;
    return new Response(ReadableStream.from(content) as ReadableStream<Uint8Array>, {
      status: 200,
      headers: {
        'Content-Type': record.contentType,
        'Content-Length': String(record.size),
        'Content-Disposition': contentDisposition(record.filename),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-store',
      },
    });
  });
}
