import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKbDir, parseArticle } from '../../kb/loader.js';
import { deriveSummary } from '../../kb/summary.js';
import { md, tempKb } from './helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('kb loader', () => {
  it('loads good files and reports broken ones with path and reason', async () => {
    const k = await tempKb({
      'good.md': md({ title: 'Reset your password', lang: 'en', tags: ['password'] }, 'Use the self-service portal.'),
      'bad-yaml.md': '---\ntitle: "unterminated\ntags: [a, b\n---\nbody\n',
      'no-title.md': md({ lang: 'en' }, 'A body without a title.'),
      'no-front-matter.md': '# Just markdown\n',
      'z-dup.md': md({ id: 'good', title: 'Same id as good.md' }, 'body'),
      'notes.txt': 'ignored',
    });
    cleanup = k.cleanup;
    const { articles, issues } = await loadKbDir(k.dir);
    expect(articles.map((a) => a.id)).toEqual(['good']);
    const byFile = Object.fromEntries(issues.map((i) => [i.path.split('/').pop(), i.reason]));
    expect(byFile['bad-yaml.md']).toMatch(/bad YAML/);
    expect(byFile['no-title.md']).toBe('missing title');
    expect(byFile['no-front-matter.md']).toMatch(/front matter/);
    expect(byFile['z-dup.md']).toMatch(/duplicate id "good"/);
    expect(issues).toHaveLength(4);
  });

  it('defaults the id to the file name and derives a summary from the body', async () => {
    const k = await tempKb({
      'wifi-drops.md': md({ title: 'Wi-Fi keeps dropping', lang: 'EN', category: 'network', tags: ['wifi'] }, '# Wi-Fi keeps dropping\n\n## Symptoms\n- Your laptop **loses** the office Wi-Fi every few minutes.\n- Calls freeze.\n\n## Steps\n1. Forget the network.'),
    });
    cleanup = k.cleanup;
    const { articles } = await loadKbDir(k.dir);
    expect(articles[0]).toMatchObject({ id: 'wifi-drops', lang: 'en', category: 'network', tags: ['wifi'] });
    expect(articles[0]!.summary).toBe('Your laptop loses the office Wi-Fi every few minutes. Calls freeze.');
  });

  it('keeps the front-matter summary and accepts comma-separated tags', () => {
    const a = parseArticle('/x/y.md', '---\ntitle: T\nsummary: Short one.\ntags: a, b\n---\nLong body text.');
    expect(a).toMatchObject({ id: 'y', summary: 'Short one.', tags: ['a', 'b'], lang: 'und' });
  });

  it('loads subfolders and picks up a file written later on the next load', async () => {
    const k = await tempKb({ 'a.md': md({ title: 'A' }, 'alpha') });
    cleanup = k.cleanup;
    await writeFile(join(k.dir, 'b.md'), md({ title: 'B' }, 'beta'));
    expect((await loadKbDir(k.dir)).articles.map((a) => a.id).sort()).toEqual(['a', 'b']);
  });

  it('summaries are cut at a sentence when the first paragraph is long', () => {
    const long = `${'Word '.repeat(30)}ends here. ${'More words follow '.repeat(20)}`;
    const s = deriveSummary(long, 200);
    expect(s.length).toBeLessThanOrEqual(201);
    expect(s.endsWith('.') || s.endsWith('…')).toBe(true);
  });
});
