import { afterEach, describe, expect, it } from 'vitest';
import { defaultDictionary, isDictionaryWord } from '../../kb/dictionary.js';
import { buildIndex } from '../../kb/search-index.js';
import { MODE } from '../../kb/search.js';
import type { Article } from '../../kb/types.js';
import { article, reachedTerms, shownIds } from './helpers.js';


const ARTICLES: Article[] = [
  article('password-reset', 'en', 'Reset your password', ['password', 'account'], 'If you forgot your password, reset it in the self-service portal.\nThe new password must have 12 characters.'),
  article('correo-entrar', 'es', 'No puedo entrar al correo', ['correo', 'entrar'], 'Si no puedes entrar al correo, comprueba la contraseña.\nSi la cuenta queda bloqueada, llama a IT.'),
  article('printer-offline', 'en', 'Office printer offline', ['printer', 'offline'], 'The printer shows as offline.\nSwitch it off and on again.'),
];
const saved = { ...MODE };
afterEach(() => Object.assign(MODE, saved));

const ids = shownIds;
const targets = reachedTerms;

describe('a real word is not a typo (sixth session)', () => {
  it('recognises words of either language, inflected forms too, and not misspellings', () => {
    const d = defaultDictionary();
    for (const w of ['passport', 'passports', 'rueda', 'ruedas', 'scanner']) expect(isDictionaryWord(d, w)).toBe(true);
    for (const w of ['pasword', 'printr', 'contrasenya']) expect(isDictionaryWord(d, w)).toBe(false);
  });

  it('does not correct a dictionary word the knowledge base lacks into a neighbour', () => {
    const ix = buildIndex(ARTICLES);
    // `passport` is one letter pair away from `password`, `rueda` one letter from `queda`.
    expect(targets(ix, 'passport')).toEqual([]);
    expect(targets(ix, 'rueda')).toEqual([]);
    expect(ids(ix, 'how do I renew my passport')).toEqual([]);
    // The old behaviour (the switch off) corrected both.
    MODE.realWordsNotTypos = false;
    expect(targets(ix, 'passport').length).toBeGreaterThan(0);
    expect(targets(ix, 'rueda').length).toBeGreaterThan(0);
  });

  it('still corrects misspellings', () => {
    const ix = buildIndex(ARTICLES);
    expect(targets(ix, 'pasword').length).toBeGreaterThan(0);
    expect(ids(ix, 'forgot my pasword')[0]).toBe('password-reset');
    expect(ids(ix, 'printr ofline')[0]).toBe('printer-offline');
  });

  it('lets a real word reach another form of itself (`entran` → `entrar`), not an unrelated neighbour', () => {
    const ix = buildIndex(ARTICLES);
    expect(isDictionaryWord(defaultDictionary(), 'entran')).toBe(true);
    expect(targets(ix, 'entran').length).toBeGreaterThan(0);
    // Without the other-forms rule (and without the seventh session's heading neighbours, which reach
    // `entrar` too: one edit, in a title) it gets nothing.
    MODE.realWordInflections = false;
    MODE.realWordNeighbours = false;
    expect(targets(ix, 'entran')).toEqual([]);
  });
});
