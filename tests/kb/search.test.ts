import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchKnowledgeBase } from '../../kb/knowledge-base.js';
import { loadKbDir } from '../../kb/loader.js';
import { buildIndex } from '../../kb/search-index.js';
import { SAMPLE, tempKb } from './helpers.js';

let kb: SearchKnowledgeBase;
let cleanup: () => Promise<void>;
const top = (q: string): string | undefined => kb.search(q)[0]?.id;

beforeAll(async () => {
  const k = await tempKb(SAMPLE);
  cleanup = k.cleanup;
  const { articles, issues } = await loadKbDir(k.dir);
  expect(issues).toEqual([]);
  kb = new SearchKnowledgeBase(buildIndex(articles));
});
afterAll(() => cleanup());

describe('kb search', () => {
  it('finds the article for chat-style text', () => {
    expect(top('hey <@U02>, since this morning the vpn says auth failed :sob:')).toBe('vpn-auth-failed');
    expect(top('hola, no me deja entrar al correo')).toBe('correo-no-entra');
  });

  it('tolerates typos', () => {
    expect(top('printr offline')).toBe('printer-offline');
    expect(top('labtop batery drains')).toBe('laptop-battery');
    expect(top('atasco de papell en la impresroa')).toBe('impresora-atasco');
  });

  it('ignores accents and case', () => {
    expect(top('ATASCO DE PAPEL EN LA IMPRESORA')).toBe('impresora-atasco');
    expect(top('no puedo entrar al correo, contrasena caducada')).toBe('correo-no-entra');
  });

  it('crosses languages through the glossary', () => {
    // Spanish words, English article; English words, Spanish article.
    expect(top('la batería del portátil dura muy poco')).toBe('laptop-battery');
    expect(kb.search('paper jam in the printer').map((s) => s.id)).toContain('impresora-atasco');
    expect(top('impresora desconectada, offline')).toBe('printer-offline');
  });

  it('answers nothing when nothing fits', () => {
    expect(kb.search('what is on the canteen menu this week')).toEqual([]);
    expect(kb.search('quien se apunta al afterwork del jueves?')).toEqual([]);
    expect(kb.search(':wave: hi!')).toEqual([]);
    expect(kb.search('')).toEqual([]);
  });

  it('returns score, title, summary and language, best first, within the limit', () => {
    const res = kb.search('printer offline print queue', { limit: 2 });
    expect(res.length).toBeGreaterThan(0);
    expect(res.length).toBeLessThanOrEqual(2);
    expect(res[0]).toMatchObject({ id: 'printer-offline', title: 'Office printer shows as offline', lang: 'en', category: 'printing' });
    expect(res[0]!.summary).toMatch(/print jobs stay in the queue/);
    for (const r of res) expect(r.score).toBeGreaterThan(0);
    for (const r of res) expect(r.score).toBeLessThanOrEqual(1);
    expect([...res].sort((a, b) => b.score - a.score)).toEqual(res);
    expect(kb.search('impresora atasco')[0]!.summary).toBe('Cómo quitar un atasco de papel sin romper la impresora.');
  });

  it('serves the full article through the port', async () => {
    expect((await kb.article('laptop-battery'))?.body).toMatch(/battery health report/);
    expect(await kb.article('nope')).toBeNull();
    expect((await kb.suggest('printer offline'))[0]?.id).toBe('printer-offline');
  });
});
