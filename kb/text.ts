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
 * The sentence of each word of `words(text)` (same order and count), and how many sentences have a word:
 * a sentence ends at a sentence-end character, and one without words is not counted. One pass: linear.
 */
export function sentenceOfWords(text: string): { of: number[]; count: number } {
  const folded = fold(text);
  const of: number[] = [];
  let sentence = 0;
  let inSentence = 0;
  let last = 0;
  for (const m of folded.matchAll(TOKEN)) {
    if (inSentence) {
      for (let i = last; i < m.index; i++) {
        if (SENTENCE_END.has(folded[i]!)) {
          sentence++;
          inSentence = 0;
          break;
        }
      }
    }
    of.push(sentence);
    inSentence++;
    last = m.index + m[0].length;
  }
  return { of, count: of.length ? sentence + 1 : 0 };
}
