import { afterEach, describe, expect, it } from 'vitest';
import { defaultDictionary, isDictionaryWord } from '../../kb/dictionary.js';
import { buildFuzzyVocab, fuzzyLookup } from '../../kb/fuzzy.js';
import { buildIndex } from '../../kb/search-index.js';
import { MODE, queryUnits } from '../../kb/search.js';
import type { Article } from '../../kb/types.js';
import { article, reachedTerms, shownIds } from './helpers.js';


/** Written for these tests (not taken from any evaluation set). */
const ARTICLES: Article[] = [
  article('laptop-charging', 'en', 'Laptop not charging', ['laptop', 'battery', 'charger'], 'If your laptop does not charge, check the charger cable.\nTry another wall socket.'),
  article('mailbox-full', 'en', 'Mailbox is full', ['mailbox', 'quota', 'storage'], 'When your mailbox is full you cannot send mail.\nArchive old messages.'),
  article('wifi-guest', 'en', 'Guest wifi access', ['wifi', 'guest'], 'Visitors connect to the guest wifi with a daily code.\nAsk reception for it.'),
  article('cuenta-bloqueada', 'es', 'Cuenta bloqueada', ['cuenta', 'bloqueo'], 'Si tu cuenta queda bloqueada tras varios intentos, espera quince minutos.\nLuego vuelve a entrar.'),
  article('zentro-en', 'en', 'Sign in to Zentrova', ['zentrova', 'login'], 'Open Zentrova and sign in with your work account.\nUse the company single sign-on.'),
  article('zentro-es', 'es', 'Entrar en Zentrova', ['zentrova', 'acceso'], 'Abre Zentrova y entra con tu cuenta del trabajo.\nUsa el inicio de sesión único.'),
];
const saved = { ...MODE };
afterEach(() => Object.assign(MODE, saved));

const ids = shownIds;
const targets = reachedTerms;
const SIXTH = { typoTranspositions: false, typoThreeLetters: false, realWordNeighbours: false, typoBothStems: false, typoLoose: false, digitNames: false };

describe('typos as fuse.js would take them (seventh session)', () => {
  it('counts a swap of neighbouring letters as one edit, short words too', () => {
    const v = buildFuzzyVocab(new Map([['laptop', 3], ['full', 2], ['lapdog', 0]]));
    expect(fuzzyLookup(v, 'lpatop', 3, { transpositions: true })[0]?.word).toBe('laptop');
    // `flul` shares no trigram with `full`: the same letters bring it into the pool.
    expect(fuzzyLookup(v, 'flul', 3, { transpositions: true })[0]?.word).toBe('full');
    // fuse.js alone scores a swap as two errors (0.33 per letter in a 6-letter word) and rejects it.
    expect(fuzzyLookup(v, 'lpatop')).toEqual([]);
    const ix = buildIndex(ARTICLES);
    expect(ids(ix, 'lpatop not charging')[0]).toBe('laptop-charging');
    expect(ids(ix, 'lpatop')[0]).toBe('laptop-charging');
    Object.assign(MODE, SIXTH);
    expect(ids(ix, 'lpatop')).toEqual([]);
  });

  it('lets a 3-letter word reach a 4-letter one by a missing letter', () => {
    const ix = buildIndex(ARTICLES);
    expect(ids(ix, 'guest wii')[0]).toBe('wifi-guest');
    expect(ids(ix, 'wii')[0]).toBe('wifi-guest');
    Object.assign(MODE, SIXTH);
    expect(ids(ix, 'wii')).toEqual([]);
  });

  it('lets a misspelling that is itself a word reach a heading word one edit away (`cuneta` → `cuenta`)', () => {
    const ix = buildIndex(ARTICLES);
    expect(isDictionaryWord(defaultDictionary(), 'cuneta')).toBe(true);
    expect(ids(ix, 'cuneta bloqueada')[0]).toBe('cuenta-bloqueada');
    // …at a lower weight than a plain correction, and never to a word only a body or summary sentence has
    // (`rueda` is one letter from `queda`, in the summary of `cuenta-bloqueada`).
    expect(targets(ix, 'cuneta').length).toBeGreaterThan(0);
    const u = queryUnits(ix, 'cuneta')[0]!;
    expect(Math.max(...u.expansions.map((e) => e.w))).toBeLessThanOrEqual(MODE.realWordNeighbourWeight);
    expect(targets(ix, 'rueda')).toEqual([]);
    Object.assign(MODE, SIXTH);
    expect(targets(ix, 'cuneta')).toEqual([]);
  });

  it("reaches the corrected word's stems in both languages, as the word itself would", () => {
    const ix = buildIndex(ARTICLES);
    const right = targets(ix, 'zentrova');
    expect(right.length).toBe(2);
    expect(targets(ix, 'zentorva').sort()).toEqual(right.sort());
    Object.assign(MODE, SIXTH);
    expect(targets(ix, 'zentorva').length).toBeLessThan(2);
  });
});

describe('heavier typos towards what the knowledge base is about (eighth session)', () => {
  const MORE: Article[] = [
    ...ARTICLES,
    article('vault-en', 'en', 'Unlock 1Password vault', ['1password', 'vault'], 'Open 1Password and unlock the vault with your master password.\nUse the recovery kit if you forgot it.'),
    article('error-code', 'en', 'Update error 0x80070005', ['update', 'error'], 'Error 0x80070005 means access was denied during an update.\nRun the update as an administrator.'),
  ];

  it('reaches a heading word two edits away when nothing closer exists (`zntrva`, `chrgr`), when switched on', () => {
    const ix = buildIndex(MORE);
    MODE.typoLoose = true;
    expect(ids(ix, 'cant sign in to zntrva')[0]).toBe('zentro-en');
    expect(ids(ix, 'laptop chrgr')[0]).toBe('laptop-charging');
    MODE.typoLoose = false;
    expect(targets(ix, 'zntrva')).toEqual([]);
    expect(targets(ix, 'chrgr')).toEqual([]);
  });

  it('keeps a loose correction only when an article has it with the rest of the question (ninth session: on by default)', () => {
    const ix = buildIndex(MORE);
    const v = buildFuzzyVocab(new Map([['charger', 1]]));
    expect(fuzzyLookup(v, 'chrgr', 3, { transpositions: true, loose: () => true })).toMatchObject([{ word: 'charger', loose: true }]);
    // `laptop` and `charger` share the title of an article: the misspelt subject of a real question.
    expect(ids(ix, 'laptop chrgr')[0]).toBe('laptop-charging');
    expect(targets(ix, 'laptop chrgr').length).toBeGreaterThan(targets(ix, 'laptop').length);
    // No article has `charger` with `mailbox`, nor with nothing at all: a name this knowledge base lacks stays unknown.
    expect(targets(ix, 'mailbox chrgr')).toEqual(targets(ix, 'mailbox'));
    expect(targets(ix, 'chrgr')).toEqual([]);
    expect(queryUnits(ix, 'mailbox chrgr').find((u) => u.surface === 'chrgr')?.known).toBe(false);
    // One word of a long message is not enough: the article must have at least half of the rest of it.
    const long = 'mailbox full, quota and storage, archive the laptop chrgr';
    expect(targets(ix, long)).toEqual(targets(ix, long.replace(' chrgr', '')));
    MODE.typoLooseShare = 0;
    expect(targets(ix, long).length).toBeGreaterThan(targets(ix, long.replace(' chrgr', '')).length);
    // Without the confirmation (the eighth session's loose tier) both are corrected.
    MODE.typoLooseContext = 'off';
    expect(targets(ix, 'mailbox chrgr').length).toBeGreaterThan(targets(ix, 'mailbox').length);
    expect(targets(ix, 'chrgr')).not.toEqual([]);
  });

  it('never takes a body-only word two edits away, nor a dictionary word', () => {
    const ix = buildIndex(MORE);
    MODE.typoLoose = true;
    // `soket` → `socket` is one edit (any word); `sokcte` is two from `socket`, which only a body sentence has.
    expect(targets(ix, 'sokcte')).toEqual([]);
    // `bitter` is two edits from the tag `battery`, but a dictionary word: the real-word gate still holds.
    expect(isDictionaryWord(defaultDictionary(), 'bitter')).toBe(true);
    expect(targets(ix, 'bitter')).toEqual([]);
  });

  it('treats a mostly-letters word with digits as a name (typo-corrected), a code as a code', () => {
    const ix = buildIndex(MORE);
    expect(ids(ix, 'unlock 1pasword')[0]).toBe('vault-en');
    expect(ids(ix, '1pasword')[0]).toBe('vault-en');
    // An error code is never "corrected" into a neighbouring code.
    expect(targets(ix, '0x80070006')).toEqual([]);
    MODE.digitNames = false;
    expect(ids(ix, '1pasword')).toEqual([]);
  });
});
