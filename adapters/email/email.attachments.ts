import { createHash } from 'node:crypto';
import type { AttachmentLimits } from '../../core/domain/desk.js';
import type { Ticket } from '../../core/domain/ticket.js';
import type { AttachmentRecord, AttachmentRefusal, AttachmentStore } from '../../core/ports/attachment-store.port.js';
import type { Delivery } from '../../core/ports/delivery.port.js';
import type { TicketStore } from '../../core/ports/ticket-store.port.js';
import type { View } from '../../core/views/view.js';
import { mailText } from './email.renderer.js';

/** A file as the parser hands it over. */
export interface MailAttachment {
  filename?: string;
  contentType: string;
  size: number;
  content: Buffer;
}

/** The deployment's limits (env); a desk's `channels.email.attachments` overrides each field. */
export interface AttachmentDefaults {
  /** @defaultValue 10 MiB */
  maxFileBytes: number;
  /** @defaultValue 25 MiB */
  maxTicketBytes: number;
  /** @defaultValue 20 */
  maxFiles: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentDefaults = { maxFileBytes: 10 * 1024 * 1024, maxTicketBytes: 25 * 1024 * 1024, maxFiles: 20 };

const MAX_NAME = 150;
const RESERVED = new Set(['<', '>', ':', '"', '|', '?', '*', '\\', '/']);
/** Invisible characters that reorder or hide text (a "gpj.exe" shown as "exe.jpg"). */
const isInvisible = (c: number) => (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff || c === 0x061c;

/**
 * A file name safe to keep and to show: Unicode NFC, no path parts (`../../x` → `x`), no control,
 * bidi or reserved characters, no leading/trailing dots or spaces, at most 150 characters with the
 * extension kept. Linear; never empty.
 */
export function safeFilename(name: string | undefined, fallback: string): string {
  let s = (name ?? '').slice(0, 2000).normalize('NFC');
  const cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  if (cut >= 0) s = s.slice(cut + 1);
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || isInvisible(c)) continue;
    out += RESERVED.has(ch) ? '_' : ch;
  }
  let start = 0;
  let end = out.length;
  while (start < end && (out[start] === '.' || out[start] === ' ')) start++;
  while (end > start && (out[end - 1] === '.' || out[end - 1] === ' ')) end--;
  out = out.slice(start, end);
  const chars = [...out];
  if (chars.length > MAX_NAME) {
    const dot = out.lastIndexOf('.');
    const ext = dot > 0 && out.length - dot <= 12 ? out.slice(dot) : '';
    out = chars.slice(0, MAX_NAME - [...ext].length).join('') + ext;
  }
  return out || fallback;
}

/** `type/subtype` in lowercase when it is one (letters, digits and `!#$&^_.+-`), else application/octet-stream. */
export function safeContentType(t: string): string {
  const v = t.trim().toLowerCase().slice(0, 100);
  const slash = v.indexOf('/');
  if (slash <= 0 || slash === v.length - 1 || v.indexOf('/', slash + 1) >= 0) return 'application/octet-stream';
  for (const ch of v) if (!(ch === '/' || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || '!#$&^_.+-'.includes(ch))) return 'application/octet-stream';
  return v;
}

export const limitsFor = (defaults: AttachmentDefaults, desk?: AttachmentLimits): AttachmentDefaults => ({
  maxFileBytes: desk?.maxFileBytes ?? defaults.maxFileBytes,
  maxTicketBytes: desk?.maxTicketBytes ?? defaults.maxTicketBytes,
  maxFiles: desk?.maxFiles ?? defaults.maxFiles,
});

const human = (n: number): string => (n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.ceil(n / 1024))} KB`);

export interface KeepAttachmentsDeps {
  attachments: AttachmentStore;
  store: TicketStore;
  delivery: Delivery;
}

/**
 * Keeps a message's files with its ticket. Each file is decided on its own, in order: over the
 * per-file limit, or past the ticket's file count or byte total → refused (recorded with the reason,
 * not a byte stored); else stored whole. Ids derive from the message key and position, so a retried
 * job reaches the same decisions and stores nothing twice. The timeline gets one entry listing them,
 * and the requester one mail naming what was refused (through the delivery queue: the email
 * platform's automatic-mail rules and rate limit apply).
 */
export async function keepAttachments(
  d: KeepAttachmentsDeps,
  ticket: Ticket,
  files: readonly MailAttachment[],
  o: { messageKey: string; limits: AttachmentDefaults; requester?: { workspace: string; channel: string; thread?: string; data?: Record<string, unknown> }; locale?: string; deskLocale?: string; now: Date },
): Promise<AttachmentRecord[]> {
  if (files.length === 0) return [];
  const existing = await d.attachments.list(ticket.id);
  const ids = files.map((_, i) => `att_${createHash('sha256').update(`${o.messageKey}\n${i}`).digest('hex').slice(0, 32)}`);
  const mine = new Set(ids);
  let bytes = 0;
  let count = 0;
  for (const r of existing) {
    if (r.status !== 'stored' || mine.has(r.id)) continue;
    bytes += r.size;
    count += 1;
  }
  const byId = new Map(existing.map((r) => [r.id, r]));
  const out: AttachmentRecord[] = [];
  for (const [i, f] of files.entries()) {
    const id = ids[i]!;
    const done = byId.get(id);
    const meta = { id, ticketId: ticket.id, filename: safeFilename(f.filename, `attachment-${i + 1}`), contentType: safeContentType(f.contentType), size: f.content.length, source: { platform: 'email', message: o.messageKey, position: i }, at: o.now };
    let rec: AttachmentRecord;
    if (done) rec = done;
    else {
      let reason: AttachmentRefusal | undefined;
      if (meta.size > o.limits.maxFileBytes) reason = 'file_too_large';
      else if (count + 1 > o.limits.maxFiles) reason = 'ticket_files';
      else if (bytes + meta.size > o.limits.maxTicketBytes) reason = 'ticket_bytes';
      rec = reason ? await d.attachments.refuse(meta, reason) : await d.attachments.store(meta, f.content);
    }
    if (rec.status === 'stored') {
      bytes += rec.size;
      count += 1;
    }
    out.push(rec);
  }

  const stored = out.filter((r) => r.status === 'stored');
  const refused = out.filter((r) => r.status === 'refused');
  const lines = [
    ...stored.map((r) => `📎 ${r.filename} (${human(r.size)})`),
    ...refused.map((r) => `⛔ ${r.filename} (${human(r.size)}): ${mailText(o.deskLocale, `refused_${r.reason!}`, { max: limitText(r.reason!, o.limits) })}`),
  ];
  await d.store.appendTimeline(
    { ticketId: ticket.id, at: o.now, kind: 'system', actor: { kind: 'system', reason: 'email-attachments' }, visibility: 'public', text: `${mailText(o.deskLocale, 'attachments_title')}\n${lines.join('\n')}`, event: 'attachments' },
    { key: `attachments:${o.messageKey}` },
  );
  if (refused.length > 0 && o.requester) {
    const list = refused.map((r) => `- ${r.filename} (${human(r.size)}): ${mailText(o.locale, `refused_${r.reason!}`, { max: limitText(r.reason!, o.limits) })}`).join('\n');
    const text = mailText(o.locale, 'attachments_refused', { list });
    const view: View = { kind: 'notice', fallback: text, title: mailText(o.locale, 'attachments_refused_title'), text };
    await d.delivery.send({ kind: 'post', key: `email-attachments-refused:${o.messageKey}`, platform: 'email', target: o.requester, view, ticketId: ticket.id });
  }
  return out;
}

function limitText(reason: AttachmentRefusal, l: AttachmentDefaults): string {
  if (reason === 'file_too_large') return human(l.maxFileBytes);
  if (reason === 'ticket_bytes') return human(l.maxTicketBytes);
  return String(l.maxFiles);
}
