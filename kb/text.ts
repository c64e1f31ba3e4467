/**
 * Text normalisation shared by indexing and querying: case and accent folding, tokenising.
 * Both sides must go through exactly these functions so that tokens line up.
 */

const COMBINING = /[\u0300-\u036f]/g;

/** Lower-cases and strips accents (`Contraseña` → `contrasena`, `MÓVIL` → `movil`). */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING, '').toLowerCase();
}

const TOKEN = /[a-z0-9]+(?:['’][a-z]+)?/g;

/** Splits folded text into word tokens; apostrophe suffixes (`won't`, `user's`) are dropped. */
export function tokenize(folded: string): string[] {
  const out: string[] = [];
  for (const m of folded.matchAll(TOKEN)) {
    let t = m[0];
    const apo = t.search(/['’]/);
    if (apo > 0) t = t.slice(0, apo);
    out.push(t);
  }
  return out;
}

/** Folds then tokenises. */
export const words = (text: string): string[] => tokenize(fold(text));

/** Where a sentence ends (article bodies): `.`, `!`, `?`, `;`, `:` or a line break (Markdown lists and paragraphs). */
const SENTENCE_END = new Set(['.', '!', '?', ';', ':', '\n']);

/**
 * The segment of each word of `words(text)` (same order and count): a new segment starts at the first word
 * after an `ends` character, or at a word in `openers`; numbers stop at `cap`. One pass: linear.
 */
function segmentOfWords(text: string, ends: ReadonlySet<string>, openers?: ReadonlySet<string>, cap = Infinity, joinHyphen = false): number[] {
  const folded = fold(text);
  const of: number[] = [];
  let segment = 0;
  let inSegment = 0;
  let last = 0;
  for (const m of folded.matchAll(TOKEN)) {
    if (inSegment) {
      let cut = openers?.has(m[0]) ?? false;
      // A hyphen straight between two words (`out-of-office`, `usb-c`) joins a compound: not a clause dash.
      const hyphen = joinHyphen && m.index === last + 1 && HYPHENS.has(folded[last]!);
      for (let i = last; !cut && !hyphen && i < m.index; i++) if (ends.has(folded[i]!)) cut = true;
      if (cut && segment < cap) {
        segment++;
        inSegment = 0;
      }
    }
    of.push(segment);
    inSegment++;
    last = m.index + m[0].length;
  }
  return of;
}

/**
 * The sentence of each word of `words(text)` (same order and count), and how many sentences have a word:
 * a sentence ends at a sentence-end character, and one without words is not counted. One pass: linear.
 */
export function sentenceOfWords(text: string): { of: number[]; count: number } {
  const of = segmentOfWords(text, SENTENCE_END);
  return { of, count: of.length ? of[of.length - 1]! + 1 : 0 };
}

/** Where a clause ends (queries, eighth session): a sentence end, a comma, a bracket or a dash between words. */
const CLAUSE_END = new Set([...SENTENCE_END, ',', '(', ')', '-', '–', '—']);
/** Dashes that join a compound when they stand between two words with no space (`self-service`, `wi-fi`). */
const HYPHENS = new Set(['-', '‐', '‑']);
/** Words that open a new clause (general conjunctions of both languages, folded). */
const CLAUSE_OPENERS = new Set('and but so because though although while since or then y e pero porque aunque mientras pues entonces o u ni'.split(' '));

/**
 * The clause of each word of `words(text)` (same order and count): a clause ends at a sentence end, a
 * comma, a bracket or a dash, and a conjunction (`and`, `but`, `y`, `pero`, `porque`) opens a new one.
 * One pass: linear. Clause numbers are capped at 31 (a bit mask per query word).
 */
export function clauseOfWords(text: string, conjunctions = true, joinHyphen = false): number[] {
  return segmentOfWords(text, CLAUSE_END, conjunctions ? CLAUSE_OPENERS : undefined, 31, joinHyphen);
}
