import { describe, expect, it } from 'vitest';
import { analyze } from '../../kb/analyze.js';
import { cleanQuery } from '../../kb/clean-query.js';
import { editDistance } from '../../kb/fuzzy.js';
import { defaultGlossary } from '../../kb/glossary.js';
import { stemEn, stemEs, stemsOf } from '../../kb/stem.js';
import { fold, words } from '../../kb/text.js';

describe('query cleaning', () => {
  it('drops slash commands, greetings, mentions, emoji codes and emoji', () => {
    expect(cleanQuery('/help hey <@U123ABC> :wave: my vpn says auth failed 😭')).toBe('my vpn says auth failed');
    expect(cleanQuery('Hola @maria, buenos dias! no me deja entrar al correo :sweat_smile:')).toBe('no me deja entrar al correo');
    expect(cleanQuery('hi there, <#C01|it-help> printer offline')).toBe('printer offline');
  });

  it('keeps the host of a URL as words and drops the rest of it', () => {
    expect(cleanQuery('https://wiki.intra.example/page?id=3 does not load')).toBe('wiki.intra.example does not load');
    expect(cleanQuery('<https://jira.example.com/browse/IT-1|IT-1> broken')).toBe('jira.example.com broken');
  });

  it('a message that only thanks or confirms asks nothing', () => {
    for (const q of ['thanks, that fixed it!', 'ok ya funciona, gracias', 'Perfecto, me sirvió 👍', 'gracias! ya está solucionado']) expect(cleanQuery(q)).toBe('');
    // …but a thank-you with a problem in it is still a question.
    expect(cleanQuery('thanks but the printer is still offline')).toBe('thanks but the printer is still offline');
    expect(cleanQuery('it works on wifi but not on vpn')).toBe('it works on wifi but not on vpn');
  });

  it('leaves a query without chat noise alone', () => {
    expect(cleanQuery('outlook crashes on startup')).toBe('outlook crashes on startup');
  });
});

describe('folding and stemming', () => {
  it('folds case and accents', () => {
    expect(fold('Contraseña MÓVIL Configuración')).toBe('contrasena movil configuracion');
    expect(words("Can't open the user's ¿Teléfono?")).toEqual(['can', 'open', 'the', 'user', 'telefono']);
  });

  it('maps inflections of one word to one stem in each language (Snowball)', () => {
    expect(new Set(['printing', 'prints', 'print'].map(stemEn)).size).toBe(1);
    expect(new Set(['printer', 'printers'].map(stemEn)).size).toBe(1);
    expect(new Set(['impresora', 'impresoras'].map(stemEs)).size).toBe(1);
    // Folded input: the accent Snowball needs on -ción is put back.
    expect(stemEs('configuracion')).toBe(stemEs('configuraciones'));
    expect(stemEs('sincronizacion')).toBe(stemEs('sincronizaciones'));
    expect(new Set(['lento', 'lenta', 'lentisima', 'lentisimo'].map(stemEs)).size).toBe(1);
    expect(stemEn('address')).toBe('address');
    expect(stemEn('vpn')).toBe('vpn');
    expect(stemsOf('conectado')).toEqual([stemEn('conectado'), stemEs('conectado')]);
    expect(stemsOf('vpn')).toEqual(['vpn']);
  });

  it('drops stop words and greetings but keeps glossary phrases made of stop words', () => {
    const toks = analyze('hola, outlook se cierra nada mas abrirlo', defaultGlossary());
    expect(toks.map((t) => t.surface)).toContain('outlook');
    expect(toks.some((t) => t.surface === 'hola')).toBe(false);
    expect(toks.flatMap((t) => t.concepts)).toContain('~crash');
  });

  it('finds bilingual concepts', () => {
    const g = defaultGlossary();
    const concepts = (s: string): string[] => analyze(s, g).flatMap((t) => t.concepts);
    expect(concepts('contraseña')).toEqual(concepts('password'));
    expect(concepts('impresora')).toContain('~printer');
    expect(concepts('impresoras')).toEqual(concepts('printers'));
    expect(concepts('correo electrónico')).toContain('~email');
    expect(concepts('escritorio remoto')).toEqual(expect.arrayContaining(concepts('remote desktop')));
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('slwo', 'slow', 2)).toBe(1);
    expect(editDistance('movl', 'movil', 2)).toBe(1);
    expect(editDistance('abc', 'xyz', 1)).toBe(2);
  });
});

describe('query language', () => {
  it("tells a query's language by the function words of the maintained stop-word lists, not only the hand-written markers", async () => {
    const { detectLang } = await import('../../kb/analyze.js');
    // None of these words is a hand-written marker: `before`, `will`, `has`, `un`, `nuevo` come from the lists.
    expect(detectLang(words('computer wants a long number before windows will start'))).toBe('en');
    expect(detectLang(words('room phone has no dial tone'))).toBe('en');
    expect(detectLang(words('pasar Authenticator a un móvil nuevo'))).toBe('es');
    // `doesn't` loses its `'t` in tokenising: the stem still says English.
    expect(detectLang(words("card payment terminal won't connect"))).toBe('en');
    // Nothing to tell by: product names and nouns only.
    expect(detectLang(words('vpn slow'))).toBeUndefined();
    expect(detectLang(words('Outlook SharePoint OneDrive'))).toBeUndefined();
  });
});
