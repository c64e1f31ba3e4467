/**
 * Text normalisation shared by indexing and querying: case and accent folding, tokenising.
 * Both sides must go through exactly these functions so that tokens line up.
 */

const COMBINING = /[\u0300-\u036f]/g;

/** Lower-cases and strips accents (`Contraseña` → `contrasena`, `MÓVIL` → `movil`). */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING, '').toLowerCase();
}

const TOKEN = /[a-z0-9]+(?:['’][a-z]+)?/g;

/** Splits folded text into word tokens; apostrophe suffixes (`won't`, `user's`) are dropped. */
export function tokenize(folded: string): string[] {
  const out: string[] = [];
  for (const m of folded.matchAll(TOKEN)) {
    let t = m[0];
    const apo = t.search(/['’]/);
    if (apo > 0) t = t.slice(0, apo);
    out.push(t);
  }
  return out;
}

/** Folds then tokenises. */
export const words = (text: string): string[] => tokenize(fold(text));
