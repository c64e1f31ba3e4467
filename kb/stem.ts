/**
 * Stemming with the Snowball stemmers (English and Spanish) from `@orama/stemmers` (Apache-2.0),
 * applied to folded words (no accents, lower case).
 *
 * Articles are stemmed in their own language (Spanish for `es`, English otherwise). A query's
 * language is often unknown or mixed (`vpn en el movl`, `outlook se cierra`), so a query word is
 * looked up under both its English and its Spanish stem. Snowball's Spanish rules expect accents on
 * a few suffixes (`-ción`, `-sión`); folded words get them back before stemming so that
 * `sincronizacion` and `sincronización` stem alike, and superlatives (`lentísima`) lose their ending.
 */
import { stemmer as snowballEn } from '@orama/stemmers/english';
import { stemmer as snowballEs } from '@orama/stemmers/spanish';

export type StemLang = 'en' | 'es';

const cacheEn = new Map<string, string>();
const cacheEs = new Map<string, string>();

const keep = (word: string): boolean => word.length <= 3 || /\d/.test(word);

function cached(cache: Map<string, string>, word: string, f: (w: string) => string): string {
  const hit = cache.get(word);
  if (hit !== undefined) return hit;
  const out = f(word);
  if (cache.size > 50_000) cache.clear();
  cache.set(word, out);
  return out;
}

/** Folded word → the accented form Snowball's Spanish suffix rules expect (`-cion` → `-ción`). */
function reaccent(w: string): string {
  if (w.endsWith('cion') || w.endsWith('sion')) return `${w.slice(0, -3)}ión`;
  // Snowball leaves superlatives alone; chat is full of them (`lentísimo` → `lento`).
  const sup = /isim[oa]s?$/.exec(w);
  if (sup && sup.index >= 3) return `${w.slice(0, sup.index)}o`;
  return w;
}

/** English Snowball stem of a folded word (numbers and words of 3 letters or fewer are kept). */
export const stemEn = (word: string): string => (keep(word) ? word : cached(cacheEn, word, snowballEn));

/** Spanish Snowball stem of a folded word, folded again (`contraseñas` is never seen: input is folded). */
export const stemEs = (word: string): string => (keep(word) ? word : cached(cacheEs, word, (w) => snowballEs(reaccent(w)).normalize('NFD').replace(/[\u0300-\u036f]/g, '')));

/** The stem of a folded word in an article language (`es` → Spanish, anything else → English). */
export const stemIn = (lang: string | undefined): ((word: string) => string) => (lang === 'es' ? stemEs : stemEn);

/** Both stems of a folded word, English first, without duplicates. */
export function stemsOf(word: string): string[] {
  const en = stemEn(word);
  const es = stemEs(word);
  return en === es ? [en] : [en, es];
}
