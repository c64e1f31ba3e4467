import { t as coreT } from '../../core/i18n/index.js';
import type { View } from '../../core/views/view.js';

/** Mail-only wording (the views carry everything else already translated). */
const CATALOG = {
  en: {
    reply_solved: 'Reply *solved* if one of these fixed it (or *solved 2* for the second); reply with anything else and a person will take it.',
    reply_rate: 'Reply with a number from 1 (bad) to 5 (excellent), optionally followed by a comment.',
    rate_links: 'Rate with one click:',
    footer: 'Reply to this email to add to ticket {number}. Keep the ticket number in the subject.',
    ack: 'We received your request. Your ticket number is {number}.',
    attachments_title: 'Attachments received:',
    attachments_refused_title: 'Some attachments were not kept',
    attachments_refused: 'These files were not kept with your ticket:\n{list}\nNothing else changes: the rest of your message was received. Send the file another way (for example a shared link), or reply to this email to tell the agent.',
    refused_file_too_large: 'larger than the {max} allowed per file',
    refused_ticket_bytes: 'the ticket already holds the {max} of files it can keep',
    refused_ticket_files: 'the ticket already holds the {max} files it can keep',
  },
  es: {
    reply_solved: 'Responde *resuelto* si alguno lo solucionó (o *resuelto 2* para el segundo); con cualquier otra respuesta lo atenderá una persona.',
    reply_rate: 'Responde con un número del 1 (mal) al 5 (excelente), y si quieres un comentario.',
    rate_links: 'Valora con un clic:',
    footer: 'Responde a este correo para añadir al ticket {number}. Mantén el número de ticket en el asunto.',
    ack: 'Hemos recibido tu solicitud. Tu número de ticket es {number}.',
    attachments_title: 'Adjuntos recibidos:',
    attachments_refused_title: 'Algunos adjuntos no se han guardado',
    attachments_refused: 'Estos archivos no se han guardado con tu ticket:\n{list}\nEl resto de tu mensaje sí se ha recibido. Envía el archivo de otra forma (por ejemplo un enlace compartido) o responde a este correo para avisar al agente.',
    refused_file_too_large: 'supera los {max} permitidos por archivo',
    refused_ticket_bytes: 'el ticket ya guarda los {max} de archivos que admite',
    refused_ticket_files: 'el ticket ya guarda los {max} archivos que admite',
  },
} as const;
type Key = keyof (typeof CATALOG)['en'];

export const mailText = (locale: string | undefined, key: Key, vars: Record<string, string> = {}): string => {
  const lang = locale?.toLowerCase().startsWith('es') ? 'es' : 'en';
  let s: string = CATALOG[lang][key];
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(v);
  return s;
};

export function escapeHtml(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#39;';
    else out += ch;
  }
  return out;
}

/** Escaped text with *bold* spans and line breaks (a linear scan; user text never becomes markup). */
function inlineHtml(s: string): string {
  const parts = s.split('*');
  // Only pair asterisks when balanced; otherwise show them as written.
  if (parts.length % 2 === 0) return escapeHtml(s).split('\n').join('<br>\n');
  return parts.map((p, i) => (i % 2 === 1 && p.length > 0 && !p.includes('\n') ? `<strong>${escapeHtml(p)}</strong>` : escapeHtml(p))).join('').split('\n').join('<br>\n');
}

const safeUrl = (u: string | undefined): string | undefined => (u && (u.startsWith('https://') || u.startsWith('http://')) ? u : undefined);

export interface RenderContext {
  locale?: string;
  number?: string;
  /** One-click rating links (signed) when the web server is reachable; else "reply with 1–5". */
  rateUrl?: (score: number) => string | undefined;
  /** Largest body text in characters. @defaultValue 100000 */
  maxText?: number;
}

export interface RenderedMail {
  text: string;
  html: string;
}

/** A neutral view as multipart mail: plain text and HTML built from the same blocks. */
export function renderMail(view: View, ctx: RenderContext = {}): RenderedMail {
  const blocks: Array<{ kind: 'p' | 'h' | 'item' | 'small'; text: string; url?: string }> = [];
  const max = ctx.maxText ?? 100_000;
  if (view.kind === 'relay' && view.author) blocks.push({ kind: 'h', text: `${view.author}:` });
  else if (view.title) blocks.push({ kind: 'h', text: view.title });
  if (view.kind === 'suggestions' && ctx.number) blocks.unshift({ kind: 'p', text: mailText(ctx.locale, 'ack', { number: ctx.number }) });
  let body = view.text ?? (view.title ? '' : view.fallback);
  if (body.length > max) body = `${body.slice(0, max)}\n${view.clipMarker ?? coreT(ctx.locale, 'text.truncated')}`;
  if (body) blocks.push({ kind: 'p', text: body });
  for (const f of view.fields ?? []) blocks.push({ kind: 'p', text: `${f.label}: ${f.value}` });
  (view.items ?? []).forEach((it, i) => blocks.push({ kind: 'item', text: `${i + 1}. ${it.title}${it.text ? ` — ${it.text}` : ''}`, url: safeUrl(it.url) }));
  if (view.kind === 'suggestions') blocks.push({ kind: 'p', text: mailText(ctx.locale, 'reply_solved') });
  if (view.kind === 'csat') {
    const links = [1, 2, 3, 4, 5].map((n) => ({ n, url: ctx.rateUrl?.(n) }));
    if (links.every((l) => l.url)) {
      blocks.push({ kind: 'p', text: mailText(ctx.locale, 'rate_links') });
      for (const l of links) blocks.push({ kind: 'item', text: `${l.n}`, url: l.url });
    } else blocks.push({ kind: 'p', text: mailText(ctx.locale, 'reply_rate') });
  }
  if (view.context && view.kind !== 'suggestions') blocks.push({ kind: 'small', text: view.context });
  if (ctx.number) blocks.push({ kind: 'small', text: mailText(ctx.locale, 'footer', { number: ctx.number }) });

  const text = blocks.map((b) => (b.url ? `${b.text}\n   ${b.url}` : b.text)).join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">',
    ...blocks.map((b) => {
      const inner = b.url ? `<a href="${escapeHtml(b.url)}">${inlineHtml(b.text)}</a>` : inlineHtml(b.text);
      if (b.kind === 'h') return `<p><strong>${inner}</strong></p>`;
      if (b.kind === 'small') return `<p style="color:#666;font-size:small">${inner}</p>`;
      return `<p>${inner}</p>`;
    }),
    '</body></html>',
  ].join('\n');
  return { text, html };
}
