/**
 * False-correction risk of the typo matcher (fitting sets only): the words of one fitting set's titles and
 * tags that are not dictionary words (product names, jargon: `macos`, `drone`, `1password`) and that another
 * set's index has never seen are looked up as query words in that index. Each one the index then "knows"
 * (through a typo correction, the glossary or a translation) is a foreign name taken for something of this
 * knowledge base — what a question about a product the knowledge base lacks risks. Compares the typo
 * switches of the eighth session; prints the words each variant newly knows against `off`.
 *
 *   npx tsx bench/kb-foreign-names.ts --dev /work/shared/kb-dev
 */
import { defaultDictionary, isDictionaryWord } from '../kb/dictionary.js';
import { loadKbDir } from '../kb/loader.js';
import { buildIndex } from '../kb/search-index.js';
import { MODE, queryUnits } from '../kb/search.js';
import { words } from '../kb/text.js';
import { devDir, kbSets } from './kb-sets.js';

const sets = kbSets(devDir()).filter((s) => s.fitting);
const kbs = await Promise.all(sets.map(async (s) => ({ name: s.name, articles: (await loadKbDir(s.articles)).articles })));
const indexes = kbs.map((k) => buildIndex(k.articles));
const dict = defaultDictionary();
const variants: Record<string, Partial<typeof MODE>> = {
  off: { typoLoose: false, digitNames: false },
  'typo-loose': { typoLoose: true, digitNames: false },
  'digit-names': { typoLoose: false, digitNames: true },
  both: { typoLoose: true, digitNames: true },
};
const saved = { ...MODE };
const known: Record<string, Set<string>> = {};
for (const [name, v] of Object.entries(variants)) {
  Object.assign(MODE, saved, v);
  let tried = 0;
  known[name] = new Set();
  for (let a = 0; a < kbs.length; a++) {
    const foreign = new Set<string>();
    for (const art of kbs[a]!.articles) for (const w of words(`${art.title} ${art.tags.join(' ')}`)) if (w.length >= 4 && !isDictionaryWord(dict, w)) foreign.add(w);
    for (let b = 0; b < kbs.length; b++) {
      const ix = indexes[b]!;
      if (a === b) continue;
      const termOf = new Map([...ix.termIds].map(([t, i]) => [i, t]));
      for (const w of foreign) {
        if (ix.surfaceStem.has(w)) continue;
        tried++;
        const u = queryUnits(ix, w)[0];
        if (u?.known) known[name]!.add(`${w} → ${kbs[b]!.name}: ${u.expansions.map((e) => termOf.get(e.term)).join('/')}`);
      }
    }
  }
  console.log(`${name}: ${known[name]!.size} of ${tried} foreign words known`);
}
Object.assign(MODE, saved);
for (const name of Object.keys(variants).slice(1)) console.log(`\nnew with ${name}:\n  ${[...known[name]!].filter((x) => !known.off!.has(x)).join('\n  ')}`);
