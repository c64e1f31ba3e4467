/**
 * The new part of a reply: quoted history and signatures cut off. Line by line with plain string
 * tests (no regular expressions on user text), so the cost is linear in the input, which is bounded first.
 */
const MAX_INPUT = 200_000;

const QUOTE_HEADERS_END = ['wrote:', 'escribió:', 'a écrit :', 'a écrit:', 'schrieb:'];
const QUOTE_HEADERS_START = ['on ', 'el ', 'le ', 'am '];
const SEPARATORS = ['-----original message-----', '-----mensaje original-----', '----- original message -----', '-----ursprüngliche nachricht-----'];
const MOBILE_SIGNATURES = ['sent from my ', 'enviado desde mi ', 'get outlook for ', 'obtener outlook para '];

function isQuoteHeader(lower: string): boolean {
  return QUOTE_HEADERS_START.some((s) => lower.startsWith(s)) && QUOTE_HEADERS_END.some((e) => lower.endsWith(e));
}

/** Outlook's "From: … / Sent: …" block after a rule of underscores, or "De: … Enviado: …". */
function isOutlookHeader(lower: string, next: string | undefined): boolean {
  const n = (next ?? '').trim().toLowerCase();
  return (lower.startsWith('from:') && (n.startsWith('sent:') || n.startsWith('date:'))) || (lower.startsWith('de:') && (n.startsWith('enviado:') || n.startsWith('fecha:')));
}

const isUnderscoreRule = (line: string): boolean => line.length >= 10 && [...line].every((c) => c === '_');

export function stripReply(text: string): string {
  const lines = text.slice(0, MAX_INPUT).split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    const trimmed = line.trim();
    const lower = trimmed.toLowerCase();
    if (line === '-- ' || trimmed === '--' || trimmed === '—') break; // RFC 3676 signature delimiter
    if (SEPARATORS.includes(lower) || isUnderscoreRule(trimmed)) break;
    if (isQuoteHeader(lower)) break;
    // A quote header folded over two lines: "On Mon, 1 Jan 2026, Ana <a@b>" / "wrote:".
    if (QUOTE_HEADERS_START.some((s) => lower.startsWith(s)) && i + 1 < lines.length && QUOTE_HEADERS_END.some((e) => lines[i + 1]!.trim().toLowerCase().endsWith(e)) && lines[i + 1]!.trim().length < 100) break;
    if (isOutlookHeader(lower, lines[i + 1])) break;
    if (MOBILE_SIGNATURES.some((s) => lower.startsWith(s)) && lower.length < 80) break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line.trimEnd());
  }
  // Collapse runs of blank lines and trim.
  const out: string[] = [];
  for (const l of kept) if (l !== '' || (out.length > 0 && out[out.length - 1] !== '')) out.push(l);
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

/** The first word of a reply, lowercased, without punctuation: "Solved!" → "solved". */
export function firstWord(text: string): string {
  const t = text.trim().slice(0, 40).toLowerCase();
  let w = '';
  for (const ch of t) {
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') break;
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || 'áéíóúñü'.includes(ch)) w += ch;
  }
  return w;
}
