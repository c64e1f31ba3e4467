/**
 * Derives kb/data/lexicon-apertium.tsv from the bilingual dictionaries of Apertium's English–Spanish
 * pair (https://apertium.org/, GPL-2.0; Debian package apertium-eng-spa 0.8.1), read with lttoolbox's
 * `lt-print` (Debian package lttoolbox-dev):
 *
 *   apt-get install apertium-eng-spa lttoolbox-dev
 *   npx tsx scripts/kb-apertium-lexicon.ts [/usr/share/apertium/apertium-eng-spa]
 *
 * The compiled bilingual transducers (eng-spa.autobil.bin, spa-eng.autobil.bin) map a lemma with its
 * tags to its translations (`printer<n>` → `impresora<n><f>`); every path is listed (cycles, which
 * only number patterns have, are not followed). Kept: nouns, verbs, adjectives and adverbs whose
 * lemma and translation are single lower-case words of at least 3 letters and not stop words, and
 * not identical once folded (cognates already match); at most 6 translations per lemma. The output
 * is a data file under the dictionary's licence (GPL-2.0; header kept in the file); the search reads
 * it as data (kb/dictionary.ts).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isStopWord } from '../kb/stopwords.js';
import { fold, words } from '../kb/text.js';

const dir = process.argv[2] ?? '/usr/share/apertium/apertium-eng-spa';
const POS = new Set(['n', 'vblex', 'adj', 'adv']);
const MAX_TRANSLATIONS = 6;

/** All (input, output) label paths of the first section of an ATT listing, without cycles. */
function paths(att: string): Array<[string, string]> {
  const trans = new Map<number, Array<[number, string, string]>>();
  const finals = new Set<number>();
  for (const line of att.split('\n')) {
    if (line.startsWith('--')) break;
    const f = line.split('\t');
    if (f.length >= 4) {
      const from = Number(f[0]);
      const l = trans.get(from) ?? [];
      l.push([Number(f[1]), f[2]!, f[3]!]);
      trans.set(from, l);
    } else if (/^\d+$/.test(f[0]!.trim())) finals.add(Number(f[0]));
  }
  const eps = (x: string): string => (x === 'ε' || x === '@0@' ? '' : x);
  const out: Array<[string, string]> = [];
  const onPath = new Set<number>();
  const walk = (st: number, i: string, o: string): void => {
    if (finals.has(st)) out.push([i, o]);
    onPath.add(st);
    for (const [to, a, b] of trans.get(st) ?? []) {
      // Digits and spaces start number patterns and multi-word entries, which are not kept.
      if (onPath.has(to) || /^[\d ]$/.test(a)) continue;
      walk(to, i + eps(a), o + eps(b));
    }
    onPath.delete(st);
  };
  walk(0, '', '');
  return out;
}

const lemma = (s: string): { word: string; pos: string } | undefined => {
  const m = /^([^<]+)<([a-z]+)>/.exec(s);
  return m ? { word: m[1]!, pos: m[2]! } : undefined;
};
const single = (w: string): boolean => w === w.toLowerCase() && /^\p{L}+$/u.test(w) && words(w).length === 1 && w.length >= 3 && !isStopWord(fold(w));

const lines: string[] = [];
let pairs = 0;
for (const [pair, from] of [['eng-spa', 'en'], ['spa-eng', 'es']] as const) {
  const att = execFileSync('lt-print', [join(dir, `${pair}.autobil.bin`)], { maxBuffer: 1 << 28 }).toString('utf8');
  const merged = new Map<string, string[]>();
  for (const [i, o] of paths(att)) {
    const a = lemma(i);
    const b = lemma(o);
    if (!a || !b || !POS.has(a.pos) || !single(a.word) || !single(b.word)) continue;
    const head = fold(a.word);
    const t = fold(b.word);
    if (t === head) continue;
    const l = merged.get(head) ?? [];
    if (!l.includes(t)) l.push(t);
    merged.set(head, l);
  }
  for (const [head, trans] of [...merged].sort((x, y) => x[0].localeCompare(y[0]))) {
    lines.push(`${from}\t${head}\t${trans.slice(0, MAX_TRANSLATIONS).join(',')}`);
    pairs += Math.min(trans.length, MAX_TRANSLATIONS);
  }
}
const header = [
  '# Spanish <-> English single-word translations derived from the bilingual dictionaries of the Apertium',
  '# English-Spanish pair (https://apertium.org/, Debian package apertium-eng-spa 0.8.1). Copyright 2005-2009',
  "# Universitat d'Alacant (Transducens group), Generalitat de Catalunya, Universitat Pompeu Fabra (IULA),",
  '# Universitat Politecnica de Catalunya, Jimmy O\'Regan, Paul Breen. Licensed under the GNU General Public',
  '# License, version 2; this file keeps that licence. Regenerate with: npx tsx scripts/kb-apertium-lexicon.ts',
  '# Format: source language (en|es) TAB folded lemma TAB folded translations, comma-separated.',
];
writeFileSync(new URL('../kb/data/lexicon-apertium.tsv', import.meta.url), `${[...header, ...lines].join('\n')}\n`);
console.log(`${lines.length} lemmas, ${pairs} translations`);
