/**
 * Text → search terms, identical for articles and queries: fold, tokenise, stem, find glossary
 * concepts (stop words still present, so phrases like `log in` match), then drop stop words.
 */
import { conceptsIn, type Glossary } from './glossary.js';
import { stem } from './stem.js';
import { isStopWord } from './stopwords.js';
import { words } from './text.js';

export interface Token {
  /** Folded surface form (`contrasena`). */
  surface: string;
  stem: string;
  /** Glossary concepts this token is part of. */
  concepts: string[];
}

const isContent = (w: string): boolean => w.length > 1 && !isStopWord(w);

/** Content tokens of a text with the concepts each belongs to. */
export function analyze(text: string, glossary: Glossary): Token[] {
  const surfaces = words(text);
  const stems = surfaces.map(stem);
  const conceptsAt: string[][] = surfaces.map(() => []);
  for (const hit of conceptsIn(stems, glossary)) {
    for (let j = hit.start; j < hit.start + hit.length; j++) {
      const list = conceptsAt[j]!;
      if (!list.includes(hit.concept)) list.push(hit.concept);
    }
  }
  const out: Token[] = [];
  for (let i = 0; i < surfaces.length; i++) {
    const s = surfaces[i]!;
    const concepts = conceptsAt[i]!;
    // A stop word that is part of a glossary phrase (`se cierra`) still lends its concept.
    if (isContent(s) || concepts.length) out.push({ surface: s, stem: isContent(s) ? stems[i]! : '', concepts });
  }
  return out;
}
