/**
 * The one policy for long text, on every platform (docs/long-text.md):
 *
 * 1. **Stored.** A request's or a message's text is kept in full on the ticket and its timeline up to
 *    {@link STORED_TEXT_MAX} characters. Longer text is never refused and never cut silently: the ticket
 *    keeps the first part (cut at a safe boundary) followed by the marker, the timeline entry records
 *    the original length (`clippedFrom`), and the author is told where they wrote.
 * 2. **Shown.** Where a platform's own limit is lower than the text (Slack blocks, Discord content and
 *    embeds, the size of a Teams activity), its renderer keeps what fits, cut at a safe boundary, and
 *    appends the visible marker `text.truncated` ("[truncated — full text in the ticket]") in the
 *    view's language. The timeline still holds the full text.
 * 3. **Safe boundary.** A cut never splits a surrogate pair, prefers a line break or a space near the
 *    limit, does not end inside a `<…>` mention/link token, a `[label](url)` link or an `&amp;`
 *    entity, and closes an unbalanced ``` code fence.
 *
 * Every function here is one bounded pass over the text: no regular expression touches user text.
 */

/** Longest request or message text a ticket keeps, in characters (UTF-16 code units). */
export const STORED_TEXT_MAX = 100_000;

/**
 * Longest transcript built from a timeline (escalation file, Discord log post, the transcript entry
 * stored on the timeline): far under MongoDB's 16 MB document and Discord's upload limits.
 */
export const TRANSCRIPT_MAX = 1_000_000;

/** How much of a view's text a ticket card previews (the rest: the ticket, the escalation transcript). */
export const CARD_PREVIEW_MAX = 2_500;

/**
 * What one UTF-16 code unit costs against a limit. Characters (Slack, Discord) cost 1; a platform
 * that limits the serialized payload in bytes (Teams) uses {@link jsonPayloadWeight}. At least 1.
 */
export type UnitWeight = (code: number) => number;

export const charWeight: UnitWeight = () => 1;

/**
 * Bytes one code unit of a string costs once JSON-encoded, counted both as UTF-8 and as UTF-16
 * (Microsoft documents the Teams message limit "encoded as UTF-16"), whichever is larger: ASCII 2,
 * U+0080–U+07FF 2, the rest of the BMP 3, each half of a surrogate pair 2 (4 per astral character).
 * JSON escapes (`\"`, `\\`, `\n`, `\u0001`) are counted at their escaped length.
 */
export const jsonPayloadWeight: UnitWeight = (c) => {
  if (c === 0x22 || c === 0x5c) return 4;
  if (c < 0x20) return c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08 || c === 0x0c ? 4 : 12;
  if (c < 0x800 || (c >= 0xd800 && c <= 0xdfff)) return 2;
  return 3;
};

/** The cost of a whole string under a weight. One pass. */
export function measure(text: string, weight: UnitWeight = charWeight): number {
  if (weight === charWeight) return text.length;
  let n = 0;
  for (let i = 0; i < text.length; i++) n += weight(text.charCodeAt(i));
  return n;
}

/** Whether `text` costs more than `max`: stops counting as soon as it does (O(max), not O(text)). */
export function exceeds(text: string, max: number, weight: UnitWeight = charWeight): boolean {
  if (weight === charWeight || text.length > max) return text.length > max; // every unit costs at least 1
  let n = 0;
  for (let i = 0; i < text.length; i++) if ((n += weight(text.charCodeAt(i))) > max) return true;
  return false;
}

/** Bytes of a serialized JSON payload as {@link jsonPayloadWeight} counts them (the string is already JSON). */
export function payloadBytes(json: string): number {
  let n = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return n;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/** How far back a cut looks for an open token or a nicer break. Bounds the work per cut. */
const TOKEN_LOOKBACK = 256;
const ENTITY_LOOKBACK = 8;
const BREAK_LOOKBACK = 200;
/** The most a safe cut can fall short of the limit it was given (for sizing pieces). */
export const MAX_CUT_SHORTFALL = TOKEN_LOOKBACK + ENTITY_LOOKBACK + BREAK_LOOKBACK;

/**
 * The index at or before `end` where `text` can be cut: not between the halves of a surrogate pair,
 * not inside a `<…>` token (Slack `<@U1|name>`, `<https://x|label>`, Discord `<@123>`, Teams
 * `<at>`), a `[label](url)` Markdown link or an `&…;` entity, and, when one is near, at a line break
 * or space. Looks back at most a few hundred characters.
 */
export function safeCut(text: string, end: number): number {
  if (end >= text.length) return text.length;
  if (end <= 0) return 0;
  let cut = end;
  // An open `<` or `[` (no closing `>` / `)` after it) on the same line, not far back: cut before it.
  for (let i = cut - 1, stop = Math.max(0, cut - TOKEN_LOOKBACK); i >= stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x3e /* > */ || c === 0x29 /* ) */ || c === 0x0a) break;
    if (c === 0x3c /* < */ || c === 0x5b /* [ */) {
      cut = i;
      break;
    }
  }
  // An entity such as `&amp;` cut before its `;`.
  for (let i = cut - 1, stop = Math.max(0, cut - ENTITY_LOOKBACK); i >= stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x3b /* ; */ || isSpace(c)) break;
    if (c === 0x26 /* & */) {
      cut = i;
      break;
    }
  }
  // A line break, else a space, close to the cut (within 20 % of it, at most BREAK_LOOKBACK).
  const stop = Math.max(0, cut - Math.min(BREAK_LOOKBACK, Math.floor(cut * 0.2)));
  let space = -1;
  for (let i = cut; i > stop; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      space = i;
      break;
    }
    if (space < 0 && isSpace(c)) space = i;
  }
  if (space > 0) cut = space;
  if (cut > 0 && cut < text.length && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
  return cut;
}

/**
 * What a ticket keeps of a written text: all of it up to {@link STORED_TEXT_MAX}, else the first part
 * and `marker`, with the original length to record on the timeline entry (`clippedFrom`).
 */
export function clipStored(text: string, marker: string): { text: string; clippedFrom?: number } {
  const r = clipText(text, STORED_TEXT_MAX, marker);
  return r.clipped ? { text: r.text, clippedFrom: text.length } : { text };
}

/** Number of ``` fences in `text` (one pass with indexOf). */
function fenceCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('```'); i >= 0; i = text.indexOf('```', i + 3)) n++;
  return n;
}

export interface Clipped {
  text: string;
  /** True when the text was cut and the marker appended. */
  clipped: boolean;
}

const FENCE_CLOSE = '\n```';

/**
 * `text` unchanged when it costs at most `max`; otherwise its longest safe prefix followed by a
 * line break and `marker`, the whole costing at most `max` (an unbalanced ``` fence is closed first).
 */
export function clipText(text: string, max: number, marker: string, weight: UnitWeight = charWeight): Clipped {
  if (!exceeds(text, max, weight)) return { text, clipped: false };
  const tail = `\n${marker}`;
  const budget = max - measure(tail, weight) - measure(FENCE_CLOSE, weight);
  if (budget <= 0) return { text: hardPrefix(marker, max, weight), clipped: true };
  let end = 0;
  if (weight === charWeight) end = budget;
  else for (let used = 0; end < text.length && used + weight(text.charCodeAt(end)) <= budget; end++) used += weight(text.charCodeAt(end));
  let cut = safeCut(text, end);
  if (cut === 0) cut = end > 0 && isHighSurrogate(text.charCodeAt(end - 1)) ? end - 1 : end;
  const kept = text.slice(0, cut).trimEnd();
  return { text: `${kept}${fenceCount(kept) % 2 === 1 ? FENCE_CLOSE : ''}${tail}`, clipped: true };
}

/** The longest prefix costing at most `max`, not splitting a surrogate pair (for tiny limits). */
function hardPrefix(text: string, max: number, weight: UnitWeight): string {
  let end = 0;
  for (let used = 0; end < text.length && used + weight(text.charCodeAt(end)) <= max; end++) used += weight(text.charCodeAt(end));
  if (end > 0 && end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end);
}

/**
 * Splits `text` into pieces of at most `max` characters, each cut at a safe boundary (for
 * platforms whose blocks are smaller than the message: Slack sections). At most `limit` pieces.
 */
export function splitText(text: string, max: number, limit = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max && out.length < limit - 1) {
    let cut = safeCut(rest, max);
    if (cut <= 0) cut = isHighSurrogate(rest.charCodeAt(max - 1)) ? max - 1 : max;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}
