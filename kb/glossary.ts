/**
 * The bilingual IT glossary (`glossary.yaml`): groups of words and phrases that mean the same thing.
 * Text is matched against it after folding and stemming, so `Contraseñas` and `contrasena` both hit
 * the `password` group. A hit emits a concept token (`~password`) next to the ordinary words, for the
 * article and for the query alike, so concepts match across languages.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { kbDataFile } from './data-file.js';
import { stemEn, stemEs } from './stem.js';
import { words } from './text.js';

export interface Glossary {
  /** Phrases keyed by their first stem; each phrase is a stem sequence and the concepts it means. */
  byFirst: Map<string, Array<{ stems: string[]; concepts: string[] }>>;
  /** Folded single-word members (`contrasena`) and their concepts, for typo lookup. */
  words: Map<string, string[]>;
  size: number;
}

/** Concept tokens start with `~` so they never collide with words. */
export const CONCEPT_PREFIX = '~';

export function buildGlossary(groups: string[][]): Glossary {
  const byFirst = new Map<string, Array<{ stems: string[]; concepts: string[] }>>();
  const seen = new Map<string, { stems: string[]; concepts: string[] }>();
  const single = new Map<string, string[]>();
  for (const group of groups) {
    const head = group[0];
    if (!head) continue;
    const concept = CONCEPT_PREFIX + words(head).map(stemEn).join('_');
    for (const term of group) {
      const surfaces = words(term);
      if (!surfaces.length) continue;
      if (surfaces.length === 1) {
        const l = single.get(surfaces[0]!) ?? [];
        if (!l.includes(concept)) l.push(concept);
        single.set(surfaces[0]!, l);
      }
      // The group's language is not recorded, and text is stemmed in its own language: keep the
      // phrase under its English and its Spanish stems.
      for (const stems of [surfaces.map(stemEn), surfaces.map(stemEs)]) {
      const first = stems[0]!;
      const key = stems.join(' ');
      const existing = seen.get(key);
      if (existing) {
        if (!existing.concepts.includes(concept)) existing.concepts.push(concept);
        continue;
      }
      const entry = { stems, concepts: [concept] };
      seen.set(key, entry);
      const list = byFirst.get(first) ?? [];
      list.push(entry);
      byFirst.set(first, list);
      }
    }
  }
  return { byFirst, words: single, size: groups.length };
}

/** Concepts found in a stem sequence (stop words included, so `se cierra` and `log in` match). */
export function conceptsIn(stems: readonly string[], g: Glossary): Array<{ concept: string; start: number; length: number }> {
  const out: Array<{ concept: string; start: number; length: number }> = [];
  for (let i = 0; i < stems.length; i++) {
    const cands = g.byFirst.get(stems[i]!);
    if (!cands) continue;
    for (const c of cands) {
      let ok = true;
      for (let j = 1; j < c.stems.length; j++) {
        if (stems[i + j] !== c.stems[j]) { ok = false; break; }
      }
      if (ok) for (const k of c.concepts) out.push({ concept: k, start: i, length: c.stems.length });
    }
  }
  return out;
}


let cached: Glossary | undefined;

/** The default glossary from `kb/data/glossary.yaml` (read once). */
export function defaultGlossary(): Glossary {
  if (!cached) {
    const doc = parse(readFileSync(kbDataFile('glossary.yaml'), 'utf8')) as { groups?: unknown };
    const groups = Array.isArray(doc.groups) ? doc.groups.filter(Array.isArray).map((g: unknown[]) => g.map(String)) : [];
    cached = buildGlossary(groups);
  }
  return cached;
}
