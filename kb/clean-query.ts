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

/**
 * Greetings that open a message (`hi there,`, `Hola equipo!`, `buenos dias a todos`), several in a
 * row too, each optionally followed by who is greeted. Matched word by word: as one regular
 * expression this takes recheck over 20 s to prove linear, which would make lint time out.
 */
const GREETINGS: ReadonlyArray<readonly string[]> = [
  ['good', 'morning'], ['good', 'afternoon'], ['good', 'evening'], ['buenas', 'tardes'], ['buenas', 'noches'], ['buenos', 'dias'], ['buen', 'dia'],
  ['hi'], ['hey'], ['hello'], ['hiya'], ['heya'], ['howdy'], ['yo'], ['morning'], ['hola+'], ['holi'], ['buenas'], ['saludos'],
];
const ADDRESSEES: ReadonlyArray<readonly string[]> = [
  ['a', 'todos'], ['there'], ['all'], ['team'], ['everyone'], ['folks'], ['guys'], ['it'], ['equipo'], ['chicos'], ['chicas'],
];
const GREETING_SEPARATORS: ReadonlySet<string> = new Set([...',!.:;-']);

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);
/** ASCII word characters, as `\b` sees them. */
const isWordChar = (ch: string | undefined): boolean => ch !== undefined && /\w/.test(ch);
/** `hola+` stands for `hola`, `holaa`, `holaaa`…; every other entry is the word itself. */
const sameWord = (word: string, entry: string): boolean =>
  entry.endsWith('+') ? word.startsWith(entry.slice(0, -2)) && word.length >= entry.length - 1 && [...word.slice(entry.length - 2)].every((c) => c === entry.at(-2)) : word === entry;

/** End of the first phrase (words separated by whitespace) found at `i`, or -1. */
function phraseEnd(s: string, i: number, phrases: ReadonlyArray<readonly string[]>): number {
  for (const phrase of phrases) {
    let pos = i;
    let ok = true;
    for (let k = 0; k < phrase.length && ok; k++) {
      if (k > 0) {
        const start = pos;
        while (isSpace(s[pos])) pos++;
        if (pos === start) ok = false;
      }
      const start = pos;
      while (isWordChar(s[pos])) pos++;
      ok &&= pos > start && sameWord(s.slice(start, pos).toLowerCase(), phrase[k]!);
    }
    if (ok) return pos;
  }
  return -1;
}

/** The text without its leading greetings (replaced by one space), or unchanged. */
function stripGreeting(s: string): string {
  let pos = 0;
  while (isSpace(s[pos])) pos++;
  let end = -1;
  for (;;) {
    let e = phraseEnd(s, pos, GREETINGS);
    if (e < 0) break;
    let p = e;
    while (isSpace(s[p])) p++;
    const addressee = p > e ? phraseEnd(s, p, ADDRESSEES) : -1;
    if (addressee >= 0) e = addressee;
    while (isSpace(s[e]) || GREETING_SEPARATORS.has(s[e] ?? '')) e++;
    end = pos = e;
  }
  return end < 0 ? s : ` ${s.slice(end)}`;
}

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
  s = stripGreeting(s);
  s = s.replace(/\s+/g, ' ').trim();
  return isAcknowledgement(s) ? '' : s;
}
