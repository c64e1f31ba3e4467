/**
 * False-correction risk of the typo matcher (fitting sets only): the words of one fitting set's titles and
 * tags that are not dictionary words (product names, jargon: `macos`, `drone`, `1password`) and that another
 * set's index has never seen are looked up as query words in that index. Each one the index then "knows"
 * (through a typo correction, the glossary or a translation) is a foreign name taken for something of this
 * knowledge base — what a question about a product the knowledge base lacks risks. Compares the typo
 * switches of the eighth session; prints the words each variant newly knows against `off`.
 * Ninth session (h-typo2): each word is also looked up **in context** — as a word of its own article's title
 * (the title, plus the word when it stands only in the tags), as a question about that product would carry
 * it — since the loose tier's context confirmation (`MODE.typoLooseContext`) only ever keeps a correction
 * another query word confirms (alone, a word has no context and is never loosely corrected).
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
  'typo-loose': { typoLoose: true, typoLooseContext: 'off', digitNames: false },
  'digit-names': { typoLoose: false, digitNames: true },
  both: { typoLoose: true, typoLooseContext: 'off', digitNames: true },
  'typo-loose, one word in a passage': { typoLoose: true, typoLooseContext: 'passage', typoLooseShare: 0, digitNames: false },
  'typo-loose, half the rest in an article': { typoLoose: true, typoLooseContext: 'article', typoLooseShare: 0.5, digitNames: false },
  'typo-loose, half the rest in a passage': { typoLoose: true, typoLooseContext: 'passage', typoLooseShare: 0.5, digitNames: false },
};
const saved = { ...MODE };
const known: Record<string, Set<string>> = {};
const inContext: Record<string, Set<string>> = {};
for (const [name, v] of Object.entries(variants)) {
  Object.assign(MODE, saved, v);
  let tried = 0;
  known[name] = new Set();
  inContext[name] = new Set();
  for (let a = 0; a < kbs.length; a++) {
    // Each foreign word with the first title that carries it (its context in the `in context` lookup).
    const foreign = new Map<string, string>();
    for (const art of kbs[a]!.articles) {
      const inTitle = new Set(words(art.title));
      for (const w of words(`${art.title} ${art.tags.join(' ')}`)) if (w.length >= 4 && !isDictionaryWord(dict, w) && !foreign.has(w)) foreign.set(w, inTitle.has(w) ? art.title : `${art.title} ${w}`);
    }
    for (let b = 0; b < kbs.length; b++) {
      const ix = indexes[b]!;
      if (a === b) continue;
      const termOf = new Map([...ix.termIds].map(([t, i]) => [i, t]));
      for (const [w, title] of foreign) {
        if (ix.surfaceStem.has(w)) continue;
        tried++;
        const u = queryUnits(ix, w)[0];
        if (u?.known) known[name]!.add(`${w} → ${kbs[b]!.name}: ${u.expansions.map((e) => termOf.get(e.term)).join('/')}`);
        const c = queryUnits(ix, title).find((x) => x.surface === w);
        if (c?.known) inContext[name]!.add(`${w} → ${kbs[b]!.name}: ${c.expansions.map((e) => termOf.get(e.term)).join('/')}  (in "${title}")`);
      }
    }
  }
  console.log(`${name}: ${known[name]!.size} of ${tried} foreign words known alone, ${inContext[name]!.size} in their title`);
}
Object.assign(MODE, saved);
for (const name of Object.keys(variants).slice(1)) {
  console.log(`\nnew with ${name}:\n  ${[...known[name]!].filter((x) => !known.off!.has(x)).join('\n  ')}`);
  const offCtx = new Set([...inContext.off!].map((x) => x.split(':')[0]));
  console.log(`new with ${name}, in context:\n  ${[...inContext[name]!].filter((x) => !offCtx.has(x.split(':')[0])).join('\n  ')}`);
}
