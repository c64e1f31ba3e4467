import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import { stripBrackets } from './email.tokens.js';

/** A received message as the inbound worker needs it, after MIME parsing and charset decoding. */
export interface InboundMail {
  messageId?: string;
  /** In-Reply-To first, then References (newest last), without brackets, at most 50. */
  refs: string[];
  subject: string;
  from?: { address: string; name?: string };
  /** Plain text: the text part, or the HTML part converted to text. */
  text: string;
  /** Why this message must never get an automatic answer (auto-reply, list, bulk…), if it must not. */
  automatic?: string;
  /** A delivery status notification (bounce): the recipients that failed. */
  bounce?: { failed: string[]; original: string[] };
  /** Content-Language or a guess from the headers, if any. */
  language?: string;
  /** Files (not the delivery-status parts of a bounce), at most 100, with their content. */
  attachments: Array<{ filename?: string; contentType: string; size: number; content: Buffer }>;
}

const MAX_SUBJECT = 500;
const MAX_REFS = 50;

/** Removes CR, LF and other control characters (a CRLF in a subject or a name never reaches a header we write). */
export function oneLine(s: string, max: number): string {
  let out = '';
  for (const ch of s.slice(0, max * 2)) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || c === 0x7f ? ' ' : ch;
    if (out.length >= max) break;
  }
  return out.trim();
}

const headerText = (v: HeaderValue | undefined): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(String).join(' ');
  if (typeof v === 'object' && 'value' in v && typeof v.value === 'string') return v.value;
  return String(v as unknown);
};

/** Why a message is an automatic one (RFC 3834 and common practice), or undefined for a person's mail. */
export function automaticReason(headers: Map<string, HeaderValue>, keys: ReadonlySet<string>, envelopeFrom: string, fromAddress: string | undefined): string | undefined {
  const h = (k: string) => headerText(headers.get(k))?.trim().toLowerCase();
  const autoSubmitted = h('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return `auto-submitted: ${autoSubmitted.slice(0, 40)}`;
  const precedence = h('precedence');
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return `precedence: ${precedence}`;
  // mailparser folds List-* headers into one `list` object: look at the raw header names.
  if (keys.has('list-id')) return 'list-id';
  if (keys.has('x-autoreply') || keys.has('x-autorespond') || keys.has('x-autoresponder')) return 'x-autoreply';
  if (envelopeFrom === '') return 'null sender';
  const local = (fromAddress ?? envelopeFrom).split('@')[0]!.toLowerCase();
  if (local === 'mailer-daemon' || local === 'postmaster') return 'mailer-daemon';
  return undefined;
}

/** Linear scan of a delivery-status part for `Final-Recipient:` / `Original-Recipient:` fields with a failed `Action`. */
export function dsnRecipients(status: string): string[] {
  const failed: string[] = [];
  let current: string | undefined;
  for (const rawLine of status.slice(0, 100_000).split('\n')) {
    const line = rawLine.trim();
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'final-recipient' || key === 'original-recipient') {
      const semi = value.indexOf(';');
      current = (semi >= 0 ? value.slice(semi + 1) : value).trim().toLowerCase().slice(0, 254);
    } else if (key === 'action' && current && value.toLowerCase().startsWith('failed')) {
      if (!failed.includes(current)) failed.push(current);
    }
  }
  return failed;
}

/** Message-IDs in a header value (`<a@b> <c@d>`), by a linear scan. */
export function messageIds(v: string | string[] | undefined): string[] {
  if (!v) return [];
  const s = Array.isArray(v) ? v.join(' ') : v;
  const out: string[] = [];
  let i = 0;
  while (i < s.length && out.length < MAX_REFS) {
    const open = s.indexOf('<', i);
    if (open < 0) break;
    const close = s.indexOf('>', open + 1);
    if (close < 0) break;
    const id = s.slice(open + 1, close).trim();
    if (id && id.length <= 250) out.push(id);
    i = close + 1;
  }
  // mailparser already strips brackets from a single id
  if (out.length === 0 && s.trim() && !s.includes('<')) for (const p of s.trim().split(/\s+/).slice(0, MAX_REFS)) out.push(stripBrackets(p));
  return out;
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined): { address: string; name?: string } | undefined => {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  for (const o of list) for (const v of o.value) if (v.address) return { address: v.address.toLowerCase().slice(0, 254), name: v.name ? oneLine(v.name, 100) || undefined : undefined };
  return undefined;
};

/** Parses raw MIME with mailparser (charsets such as ISO-8859-1 and Windows-1252 decoded, HTML turned into text). */
export async function parseMail(raw: Buffer, envelopeFrom: string): Promise<InboundMail> {
  const m: ParsedMail = await simpleParser(raw, { skipImageLinks: true, maxHtmlLengthToParse: 2_000_000 });
  const from = firstAddress(m.from);
  const refs = [...messageIds(m.inReplyTo), ...messageIds(m.references).reverse()];
  const isReport = (() => {
    const ct = m.headers.get('content-type');
    return typeof ct === 'object' && ct !== null && 'value' in ct && ct.value === 'multipart/report' && String((ct as { params?: Record<string, string> }).params?.['report-type'] ?? '').toLowerCase() === 'delivery-status';
  })();
  let bounce: InboundMail['bounce'];
  if (isReport) {
    const status = m.attachments.find((a) => a.contentType === 'message/delivery-status')?.content.toString('utf8') ?? m.text ?? '';
    const headersPart = m.attachments.find((a) => a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822')?.content.toString('latin1') ?? '';
    bounce = { failed: dsnRecipients(status), original: messageIds(extractHeader(headersPart, 'message-id')) };
  }
  const lang = headerText(m.headers.get('content-language'))?.trim().slice(0, 5).toLowerCase();
  return {
    messageId: m.messageId ? stripBrackets(m.messageId).slice(0, 250) : undefined,
    refs: [...new Set(refs)].slice(0, MAX_REFS),
    subject: oneLine(m.subject ?? '', MAX_SUBJECT),
    from,
    text: m.text ?? '',
    automatic: automaticReason(m.headers, new Set(m.headerLines.map((l) => l.key.toLowerCase())), envelopeFrom, from?.address),
    bounce,
    language: lang || undefined,
    attachments: m.attachments
      .filter((a) => a.contentType !== 'message/delivery-status' && a.contentType !== 'text/rfc822-headers')
      .slice(0, 100)
      .map((a) => ({ filename: a.filename ?? undefined, contentType: a.contentType, size: a.content.length, content: a.content })),
  };
}

/** One header's value from a raw header block (first occurrence; linear). */
function extractHeader(block: string, name: string): string | undefined {
  const want = `${name}:`;
  for (const line of block.slice(0, 65_536).split('\n')) {
    if (line.length > want.length && line.slice(0, want.length).toLowerCase() === want) return line.slice(want.length).trim();
  }
  return undefined;
}
