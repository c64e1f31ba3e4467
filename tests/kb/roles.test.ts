import { afterEach, describe, expect, it } from 'vitest';
import { evaluate, MODE, roleFeatures } from '../../kb/search.js';
import { buildIndex } from '../../kb/search-index.js';
import type { Article } from '../../kb/types.js';
import { article as testArticle } from './helpers.js';

const article = (id: string, lang: string, title: string, tags: string[], body: string): Article => testArticle(id, lang, title, tags, body, '');

const ARTICLES: Article[] = [
  article('shared-mailbox', 'en', 'Shared mailbox not showing in Outlook', ['mailbox', 'outlook'],
    'A shared mailbox you were given access to does not appear in Outlook.\nRestart Outlook and wait an hour.\nTo reassign access, ask the mailbox owner.'),
  article('work-orders', 'en', 'Work orders do not sync to the tablet', ['tablet', 'sync'],
    'Open the work order list and pull to refresh.\nIf a technician is missing, sign out and in.'),
  article('vpn', 'en', 'VPN says authentication failed', ['vpn'], 'Check your password and your token.'),
];
const saved = { ...MODE };
afterEach(() => Object.assign(MODE, saved));

const roles = (ix: ReturnType<typeof buildIndex>, q: string, id: string): ReturnType<typeof roleFeatures> => {
  const out = evaluate(ix, q);
  return roleFeatures(ix, out, ix.articles.findIndex((a) => a.id === id));
};

describe('the roles of the query words (seventh session, h-neg)', () => {
  it('tells a leading word the article has only in its body, apart from the rest of the question', () => {
    const ix = buildIndex(ARTICLES);
    // `reassign` stands in a body sentence with none of the question's other words; `shared mailbox` is the title.
    const r = roles(ix, 'reassign a shared mailbox', 'shared-mailbox');
    expect(r.leadBody).toBe(1);
    expect(r.leadApart).toBe(1); // a title word stands with every sentence: it does not make `reassign` less apart
    // `restart` and `wait` share a body sentence: the action is said together with the rest.
    expect(roles(ix, 'restart outlook and wait', 'shared-mailbox')).toMatchObject({ leadBody: 1, leadApart: 0 });
    expect(roles(ix, 'shared mailbox not showing', 'shared-mailbox').leadBody).toBe(0); // in the title
  });

  it('flags a leading word that is a real word the knowledge base lacks', () => {
    const ix = buildIndex(ARTICLES);
    expect(roles(ix, 'export the vpn logs', 'vpn').leadUnknown).toBe(1);
    expect(roles(ix, 'vpn authentication failed', 'vpn').leadUnknown).toBe(0);
  });

  it('measures how much of the article title the question has', () => {
    const ix = buildIndex(ARTICLES);
    expect(roles(ix, 'shared mailbox not showing in outlook', 'shared-mailbox').headCover).toBe(1);
    expect(roles(ix, 'create a shared mailbox', 'shared-mailbox').headCover).toBeCloseTo(2 / 4);
  });

  it('is all zero with the switch off', () => {
    const ix = buildIndex(ARTICLES);
    MODE.roleFeatures = false;
    expect(roles(ix, 'reassign a shared mailbox', 'shared-mailbox')).toEqual({ leadBody: 0, leadApart: 0, leadUnknown: 0, headCover: 0, missedElsewhere: 0 });
  });
});
