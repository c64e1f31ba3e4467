import { analyze } from './analyze.js';
import { defaultGlossary, type Glossary } from './glossary.js';

/** Longest text analysed for grouping (a subject is ≤ 120 characters). */
const MAX_CHARS = 400;

/**
 * The terms reports group unanswered questions by: the KB's own analyzer (folding, stemming, stop
 * words), with a glossary concept standing for all its synonyms (`impresora` and `printer` → `~print`),
 * so questions the search would treat as the same land in one group. Linear in the text's length.
 */
export function gapTerms(text: string, glossary: Glossary = defaultGlossary()): string[] {
  const out: string[] = [];
  for (const tok of analyze(text.slice(0, MAX_CHARS), glossary)) {
    const term = tok.concepts[0] ?? tok.stem;
    if (term && !out.includes(term)) out.push(term);
  }
  return out;
}
