import { describe, expect, it } from 'vitest';
import { missingTranslations, nearDuplicates, neverRetrieved } from '../../kb/authoring.js';
import { loadKbDir, parseArticle } from '../../kb/loader.js';
import { buildIndex } from '../../kb/search-index.js';
import type { Article } from '../../kb/types.js';
import { md, SAMPLE } from './helpers.js';

const extra = (name: string, text: string): Article => {
  const r = parseArticle(name, text);
  if ('error' in r) throw new Error(`fixture ${name}: ${r.error}`);
  return r;
};
const sample = (): Article[] => Object.entries(SAMPLE).map(([name, text]) => extra(name, text));

describe('kb authoring checks', () => {
  it('lists the articles that none of the queries retrieved', () => {
    const ix = buildIndex(sample());
    const found = neverRetrieved(ix, ['printer offline', 'no puedo entrar al correo', 'vpn authentication failed']).map((f) => f.id).sort();
    expect(found).toEqual(['impresora-atasco', 'laptop-battery']);
    expect(neverRetrieved(ix, []).length).toBe(5);
  });

  it('reports same-language near-duplicates, not merely related articles', () => {
    const copy = extra('printer-offline-2.md', md({ title: 'Printer is offline in the office', lang: 'en', tags: ['printer', 'offline'] },
      'Your print jobs stay in the queue and the office printer is listed as offline.\n\n1. Check that the printer is switched on and connected to the network.\n2. Remove and re-add the printer from the print server.\n3. Clear the print queue and print a test page.'));
    const ix = buildIndex([...sample(), copy]);
    const dups = nearDuplicates(ix);
    expect(dups).toHaveLength(1);
    const [, other] = dups[0]!.message.split('near-duplicate of ');
    expect([dups[0]!.id, other!.split(' ')[0]].sort()).toEqual(['printer-offline', 'printer-offline-2']);
    expect(nearDuplicates(buildIndex(sample()))).toEqual([]);
  });

  it('flags an article with no counterpart in the other language, and not a translated one', () => {
    const en = extra('paper-jam.md', md({ title: 'Paper jam in the printer', lang: 'en', tags: ['printer', 'paper', 'jam'] },
      'The printer shows a paper jam warning and does not print.\n\n1. Open the tray shown on the screen.\n2. Pull the jammed paper gently towards you.\n3. Close the tray and print again.'));
    const ix = buildIndex([...sample(), en]);
    const flagged = missingTranslations(ix).map((f) => f.id);
    expect(flagged).not.toContain('paper-jam');
    expect(flagged).not.toContain('impresora-atasco');
    expect(flagged).toContain('laptop-battery');
    expect(missingTranslations(buildIndex(sample().filter((a) => a.lang === 'en')))).toEqual([]);
  });
});

describe('missing translations on a real bilingual knowledge base', () => {
  it('recognises every translated pair of kb-fit5, including one whose shared words only the open dictionary knows (expense claims / gastos y dietas)', async () => {
    const ix = buildIndex((await loadKbDir('bench/kb-fit5/articles')).articles);
    const flagged = new Set(missingTranslations(ix).map((f) => f.id));
    // kb-fit5/README.md: 8 topics in both languages, 12 only in English, 12 only in Spanish.
    const pairs = [['expense-claims', 'gastos-dietas'], ['remote-vpn', 'vpn-remota'], ['bitlocker-recovery', 'clave-bitlocker'], ['tablet-sync', 'sincronizar-tablet']];
    for (const [en, es] of pairs) {
      expect(flagged.has(en!), en).toBe(false);
      expect(flagged.has(es!), es).toBe(false);
    }
    expect(flagged.size).toBe(24);
  });
});
