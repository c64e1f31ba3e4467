/**
 * Turns what people type in chat into search text: drops slash commands, mentions (`<@U123>`,
 * `@name`, `<#C123|general>`), emoji codes (`:smile:`) and emoji, URLs and e-mail addresses'
 * angle-bracket wrappers, and leading greetings. Hostnames inside URLs are kept as words
 * (`wiki.intra.example` → `wiki intra example`) because they often name the system at fault.
 */

const SLASH = /^\s*\/[a-z][\w-]*\s+/i;
// `[^<>]`, not `[^>]`: an unclosed `<@` must not make every later `<@` rescan to the end (quadratic).
const SLACK_REF = /<[@#!][^<>]*>/g;
const MENTION = /(^|\s)@[\w.-]+/g;
const EMOJI_CODE = /:[a-z0-9_+-]+:/gi;
const EMOJI = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\u200d\ufe0f]/gu;
const URL_RE = /<?\b(?:https?:\/\/|www\.)([^\s/>|]+)[^\s>]*>?/gi;
const GREETING =
  /^\s*(?:(?:hi|hey|hello|hiya|heya|howdy|yo|good\s+(?:morning|afternoon|evening)|morning|hola+|holi|buenas(?:\s+(?:tardes|noches))?|buenos\s+dias|buen\s+dia|saludos)(?:\s+(?:there|all|team|everyone|folks|guys|it|equipo|a\s+todos|chicos|chicas))?\b[\s,!.:;-]*)+/i;

/**
 * A whole message that only thanks or confirms (`thanks, that fixed it!`, `ok ya funciona, gracias`)
 * asks nothing: it must get no suggestion rather than an article that mentions "fixed".
 *
 * Checked word by word, not with one regular expression: an alternation whose branches overlap
 * (`is` / `is fixed` / `fixed`) repeated under `+` backtracks exponentially on a near miss
 * (`'is fixed '.repeat(40) + 'x'` froze the process, issue 10). This is linear in the message.
 */
const ACK_WORDS: ReadonlySet<string> = new Set([
  'thanks', 'thank', 'thx', 'ty', 'cheers', 'great', 'perfect', 'awesome', 'cool', 'nice', 'ok', 'okay', 'yes', 'yep', 'sure',
  'that', 'this', 'it', 'all', 'now', 'is', 'fixed', 'solved', 'resolved', 'sorted', 'working', 'works', 'worked',
  'muchas', 'gracias', 'genial', 'perfecto', 'vale', 'listo', 'ya', 'eso', 'esto', 'todo', 'esta', 'está',
  'funciona', 'arreglado', 'solucionado', 'resuelto', 'sirvio', 'sirvió',
]);
/** Words that acknowledge only as the first of a pair (`thank you`, `got it`, `has fixed`, `lo arreglado`, `me sirvió`). */
const ACK_PAIRS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['thank', new Set(['you'])],
  ['got', new Set(['it'])],
  ['has', new Set(['fixed', 'solved', 'resolved', 'sorted', 'working', 'works', 'worked'])],
  ['lo', new Set(['funciona', 'arreglado', 'solucionado', 'resuelto'])],
  ['me', new Set(['sirvio', 'sirvió'])],
]);
/** What may sit between acknowledgement words (whitespace is already collapsed to one space). */
const ACK_SEPARATORS: ReadonlySet<string> = new Set([...' ,!.:;¡-']);

function isAcknowledgement(s: string): boolean {
  const tokens: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (ACK_SEPARATORS.has(ch)) {
      if (cur) tokens.push(cur);
      cur = '';
    } else cur += ch;
    // A token longer than any acknowledgement word already decides the answer.
    if (cur.length > 12) return false;
  }
  if (cur) tokens.push(cur);
  if (!tokens.length) return false;
  const lower = tokens.map((t) => t.toLowerCase());
  // reach[i]: the first i tokens split into acknowledgement words and pairs.
  const reach = new Array<boolean>(lower.length + 1).fill(false);
  reach[0] = true;
  for (let i = 0; i < lower.length; i++) {
    if (!reach[i]) continue;
    if (ACK_WORDS.has(lower[i]!)) reach[i + 1] = true;
    if (ACK_PAIRS.get(lower[i]!)?.has(lower[i + 1] ?? '')) reach[i + 2] = true;
  }
  return reach[lower.length]!;
}

export function cleanQuery(raw: string): string {
  let s = raw.normalize('NFC');
  s = s.replace(SLASH, ' ');
  s = s.replace(SLACK_REF, ' ');
  s = s.replace(URL_RE, (_m, host: string) => ` ${host} `);
  s = s.replace(MENTION, '$1 ');
  s = s.replace(EMOJI_CODE, ' ');
  s = s.replace(EMOJI, ' ');
  s = s.replace(GREETING, ' ');
  s = s.replace(/\s+/g, ' ').trim();
  return isAcknowledgement(s) ? '' : s;
}
