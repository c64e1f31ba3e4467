/**
 * Derives kb/data/lexicon-freedict.tsv from the FreeDict English–Spanish and Spanish–English
 * dictionaries (https://freedict.org/, GPL-2.0-or-later, edition 0.3.1) as Debian packages them
 * (`apt-get install dict-freedict-eng-spa dict-freedict-spa-eng`, dictd format in /usr/share/dictd).
 *
 *   npx tsx scripts/kb-freedict-lexicon.ts [/usr/share/dictd]
 *
 * Keeps single-word entries and single-word translations only (phrases are the glossary's job),
 * lower-case headwords (capitalised ones are places and names), at least 3 letters, no stop words,
 * no translation identical to its headword once folded (cognates already match), at most 5
 * translations per headword. The output is a data file under the dictionary's own licence
 * (GPL-2.0-or-later, header kept in the file); the search reads it as data (kb/dictionary.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isStopWord } from '../kb/stopwords.js';
import { fold, words } from '../kb/text.js';

const dir = process.argv[2] ?? '/usr/share/dictd';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const dec = (s: string): number => [...s].reduce((n, c) => n * 64 + B64.indexOf(c), 0);
const MAX_TRANSLATIONS = 5;

/** dictd entries: headword and its translations, one per comma, semicolon or numbered line. */
function entries(pair: string): Array<{ head: string; trans: string[] }> {
  const index = readFileSync(join(dir, `freedict-${pair}.index`), 'utf8').split('\n').filter(Boolean);
  // .dict.dz is gzip with random-access chunks; gunzip reads it whole.
  const dict = gunzipSync(readFileSync(join(dir, `freedict-${pair}.dict.dz`)));
  const out: Array<{ head: string; trans: string[] }> = [];
  for (const line of index) {
    const [head, off, len] = line.split('\t');
      if (!head || !off || !len || !/^\p{L}/u.test(head)) continue;
    const body = dict.subarray(dec(off), dec(off) + dec(len)).toString('utf8').split('\n');
    const trans = body
      .slice(1)
      .map((l) => l.replace(/^\s*\d+\.\s*/, '').trim())
      .flatMap((l) => l.split(/[,;]/))
      .map((t) => t.trim())
      .filter(Boolean);
    out.push({ head, trans });
  }
  return out;
}

const single = (w: string): boolean => w === w.toLowerCase() && words(w).length === 1 && words(w)[0]!.length >= 3 && !isStopWord(words(w)[0]!);

const lines: string[] = [];
let pairs = 0;
for (const [pair, from] of [['eng-spa', 'en'], ['spa-eng', 'es']] as const) {
  const merged = new Map<string, string[]>();
  for (const e of entries(pair)) {
    if (!single(e.head)) continue;
    const head = fold(e.head);
    const l = merged.get(head) ?? [];
    for (const t of e.trans) {
      if (!single(t) || fold(t) === head || l.includes(fold(t))) continue;
      l.push(fold(t));
    }
    merged.set(head, l);
  }
  for (const [head, trans] of [...merged].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (!trans.length) continue;
    lines.push(`${from}\t${head}\t${trans.slice(0, MAX_TRANSLATIONS).join(',')}`);
    pairs += Math.min(trans.length, MAX_TRANSLATIONS);
  }
}
const header = [
  '# Spanish <-> English single-word translations derived from the FreeDict dictionaries eng-spa and',
  '# spa-eng, edition 0.3.1 (https://freedict.org/, Debian packages dict-freedict-eng-spa and',
  '# dict-freedict-spa-eng 2022.04.21). Copyright (C) 1999-2019 the FreeDict contributors. Licensed under',
  '# the GNU General Public License, version 2 or (at your option) any later version; this file keeps',
  '# that licence. Regenerate with: npx tsx scripts/kb-freedict-lexicon.ts',
  '# Format: source language (en|es) TAB folded headword TAB folded translations, comma-separated.',
];
writeFileSync(new URL('../kb/data/lexicon-freedict.tsv', import.meta.url), `${[...header, ...lines].join('\n')}\n`);
console.log(`${lines.length} headwords, ${pairs} translations`);
