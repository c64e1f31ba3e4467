/**
 * Turns what people type in chat into search text: drops slash commands, mentions (`<@U123>`,
 * `@name`, `<#C123|general>`), emoji codes (`:smile:`) and emoji, URLs and e-mail addresses'
 * angle-bracket wrappers, and leading greetings. Hostnames inside URLs are kept as words
 * (`wiki.intra.example` → `wiki intra example`) because they often name the system at fault.
 */

const SLASH = /^\s*\/[a-z][\w-]*\s+/i;
const SLACK_REF = /<[@#!][^>]*>/g;
const MENTION = /(^|\s)@[\w.-]+/g;
const EMOJI_CODE = /:[a-z0-9_+-]+:/gi;
const EMOJI = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\u200d\ufe0f]/gu;
const URL_RE = /<?\b(?:https?:\/\/|www\.)([^\s/>|]+)[^\s>]*>?/gi;
const GREETING =
  /^\s*(?:(?:hi|hey|hello|hiya|heya|howdy|yo|good\s+(?:morning|afternoon|evening)|morning|hola+|holi|buenas(?:\s+(?:tardes|noches))?|buenos\s+dias|buen\s+dia|saludos)(?:\s+(?:there|all|team|everyone|folks|guys|it|equipo|a\s+todos|chicos|chicas))?\b[\s,!.:;-]*)+/i;

/**
 * A whole message that only thanks or confirms (`thanks, that fixed it!`, `ok ya funciona, gracias`)
 * asks nothing: it must get no suggestion rather than an article that mentions "fixed".
 */
const ACKNOWLEDGEMENT =
  /^(?:(?:thanks?|thank\s+you|thx|ty|cheers|great|perfect|awesome|cool|nice|ok(?:ay)?|yes|yep|sure|got\s+it|that|this|it|all|now|(?:has\s+|is\s+)?(?:fixed|solved|resolved|sorted|working|works|worked)|muchas|gracias|genial|perfecto|vale|listo|ya|eso|esto|todo|est[aá]|is|(?:lo\s+)?(?:funciona|arreglado|solucionado|resuelto)|me\s+sirvi[oó]|sirvi[oó])[\s,!.:;¡-]*)+$/i;

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
  return ACKNOWLEDGEMENT.test(s) ? '' : s;
}
