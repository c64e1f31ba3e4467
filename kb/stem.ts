/**
 * A light, language-agnostic stemmer for folded English and Spanish words.
 *
 * One function serves both languages (queries are often mixed: `vpn en el movl`, `outlook se cierra`),
 * so it only strips inflections that are safe in either: plurals, `-ing`/`-ed`, Spanish gender and
 * verb endings, `-cion(es)`, `-mente`, superlatives (`lentisima`). It is applied identically to
 * articles and queries, so an occasional over-stem (`printer` → `print`) only merges related words.
 */

/** Suffixes tried longest first; `min` is the shortest stem left behind. */
const RULES: Array<[suffix: string, replacement: string, min: number]> = [
  ['isimos', '', 3], ['isimas', '', 3], ['isimo', '', 3], ['isima', '', 3],
  ['ciones', 'c', 4], ['cion', 'c', 4],
  ['amente', '', 4], ['mente', '', 4],
  ['amientos', '', 4], ['amiento', '', 4], ['imientos', '', 4], ['imiento', '', 4],
  ['andolo', '', 3], ['iendolo', '', 3], ['ando', '', 3], ['iendo', '', 3],
  ['adores', '', 4], ['adoras', '', 4], ['ador', '', 4], ['adora', '', 4],
  ['ados', '', 4], ['adas', '', 4], ['idos', '', 4], ['idas', '', 4],
  ['ado', '', 4], ['ada', '', 4], ['ido', '', 4], ['ida', '', 4],
  ['arlo', '', 3], ['erlo', '', 3], ['irlo', '', 3], ['arla', '', 3], ['erla', '', 3], ['irla', '', 3],
  ['ies', 'y', 3], ['ied', 'y', 3], ['sses', 'ss', 3],
  ['ings', '', 3], ['ing', '', 3], ['edly', '', 3], ['ed', '', 3],
  ['ers', '', 4], ['er', '', 4], ['ar', '', 4], ['ir', '', 4],
  ['es', '', 3], ['as', '', 3], ['os', '', 3],
  ['s', '', 3],
  ['a', '', 3], ['o', '', 3], ['e', '', 3], ['y', '', 4],
];

const cache = new Map<string, string>();

/** The stem of one folded token. Numbers and words of 3 letters or fewer are kept as they are. */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  let out = word;
  for (const [suf, rep, min] of RULES) {
    if (word.endsWith(suf) && word.length - suf.length + rep.length >= min) {
      // Keep double letters that are part of the word (`address` → `address`, not `addre`).
      if (suf === 's' && /(ss|us|is)$/.test(word)) break;
      out = word.slice(0, word.length - suf.length) + rep;
      break;
    }
  }
  // Undo doubled consonants left by -ing/-ed (`spinning` → `spinn` → `spin`).
  if (out.length > 3 && out !== word && /([bdgmnprt])\1$/.test(out)) out = out.slice(0, -1);
  if (cache.size > 50_000) cache.clear();
  cache.set(word, out);
  return out;
}
