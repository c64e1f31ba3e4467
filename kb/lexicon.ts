/**
 * The general bilingual lexicon (`lexicon.yaml`): everyday Spanish ↔ English words. A query word in
 * a group is also looked up as the group's other members (stemmed), at a lower weight than the word
 * itself, so `teléfono perdido` reaches an English article about a lost phone. Query-side only: the
 * index is unchanged, and articles keep their own wording.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { kbDataFile } from './data-file.js';
import { stemsOf } from './stem.js';
import { isStopWord } from './stopwords.js';
import { words } from './text.js';

/** Stem → the stems it translates to (never itself). */
export type Lexicon = ReadonlyMap<string, readonly string[]>;

/** Builds the lookup from groups of single words; phrases and stop words are ignored. */
export function buildLexicon(groups: string[][]): Lexicon {
  const out = new Map<string, string[]>();
  for (const group of groups) {
    const stems = [...new Set(group.map(words).filter((w) => w.length === 1 && !isStopWord(w[0]!)).flatMap((w) => stemsOf(w[0]!)))];
    for (const s of stems) {
      const l = out.get(s) ?? [];
      for (const t of stems) if (t !== s && !l.includes(t)) l.push(t);
      if (l.length) out.set(s, l);
    }
  }
  return out;
}


let cached: Lexicon | undefined;

/** The default lexicon from `kb/data/lexicon.yaml` (read once). */
export function defaultLexicon(): Lexicon {
  if (!cached) {
    const doc = parse(readFileSync(kbDataFile('lexicon.yaml'), 'utf8')) as { groups?: unknown };
    const groups = Array.isArray(doc.groups) ? doc.groups.filter(Array.isArray).map((g: unknown[]) => g.map(String)) : [];
    cached = buildLexicon(groups);
  }
  return cached;
}
