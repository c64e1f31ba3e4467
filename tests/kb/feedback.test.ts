import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoKbFeedbackStore } from '../../core/store/kb-feedback.store.js';
import { kbFeedbackModel } from '../../core/store/kb-feedback.model.js';
import { MongoKbArticleStore } from '../../core/store/kb-article.store.js';
import { boostsFrom, MAX_BOOST, queryKey } from '../../kb/feedback.js';
import { DEFAULT_CALIBRATION } from '../../kb/calibration.js';
import { SearchKnowledgeBase } from '../../kb/knowledge-base.js';
import { openKnowledgeBase } from '../../kb/open-kb.js';
import { buildIndex } from '../../kb/search-index.js';
import type { Article } from '../../kb/types.js';
import { freshDb } from '../support/services.js';
import { md, tempKb } from './helpers.js';

let db: Awaited<ReturnType<typeof freshDb>>;
beforeAll(async () => {
  db = await freshDb();
});
afterAll(async () => {
  await db.drop();
});

const art = (id: string, title: string, body: string): Article => ({ id, title, lang: 'en', tags: [], summary: '', body, source: id });
// Two articles that answer "reset my password" about equally well.
const twins = [
  art('password-reset-portal', 'Reset your password', 'Reset your password in the self-service portal when you forgot it.'),
  art('password-reset-desk', 'Reset your password', 'Reset your password at the service desk when you forgot it.'),
];

describe('kb feedback (MongoDB)', () => {
  it('records events and per-article tallies; a helpful answer tied to a ticket is a deflection', async () => {
    const store = new MongoKbFeedbackStore(db.connection);
    const kb = new SearchKnowledgeBase(buildIndex(twins), { feedback: store });
    await kb.recordFeedback({ articleId: 'password-reset-desk', query: 'Reset my password!', helpful: true, deskId: 'it', ticketId: 'IT-1' });
    await kb.recordFeedback({ articleId: 'password-reset-desk', query: 'reset password', helpful: true, deskId: 'it' });
    await kb.recordFeedback({ articleId: 'password-reset-portal', query: 'reset my password', helpful: false, deskId: 'it', ticketId: 'IT-2' });

    expect(await kbFeedbackModel(db.connection).countDocuments({ deskId: 'it' })).toBe(3);
    const report = await store.report('it');
    expect(report).toEqual([
      { articleId: 'password-reset-desk', queryKey: '', helpful: 2, unhelpful: 0, deflections: 1 },
      { articleId: 'password-reset-portal', queryKey: '', helpful: 0, unhelpful: 1, deflections: 0 },
    ]);
    // Rewordings with the same words share the per-query tally.
    const key = queryKey('reset my password');
    expect(queryKey('Reset PASSWORD, please')).toBe(key);
    const t = await store.tallies(['password-reset-desk'], key, 'it');
    expect(t.find((x) => x.queryKey === key)).toMatchObject({ helpful: 2 });
    expect(await store.report('other-desk')).toEqual([]);
  });

  it('lets feedback reorder close results, within a bounded boost', async () => {
    const store = new MongoKbFeedbackStore(db.connection);
    // Two identical articles: the per-slot cut-off would hide the second one, and this is about feedback.
    const kb = new SearchKnowledgeBase(buildIndex(twins), { feedback: store, calibration: { ...DEFAULT_CALIBRATION, slotStep: 0, slotRatio: 0 } });
    const before = (await kb.suggest('reset my password', { deskId: 'hr' })).map((s) => s.id);
    const loser = before[1]!;
    expect(before).toHaveLength(2);
    for (let i = 0; i < 5; i++) {
      await kb.recordFeedback({ articleId: loser, query: 'reset my password', helpful: true, deskId: 'hr' });
      await kb.recordFeedback({ articleId: before[0]!, query: 'reset my password', helpful: false, deskId: 'hr' });
    }
    const after = await kb.suggest('reset my password', { deskId: 'hr' });
    expect(after[0]!.id).toBe(loser);
    // Other desks are not affected.
    expect((await kb.suggest('reset my password', { deskId: 'finance' })).map((s) => s.id)).toEqual(before);

    const key = queryKey('reset my password');
    const boosts = boostsFrom(await store.tallies(before, key, 'hr'), key);
    for (const b of boosts.values()) expect(Math.abs(b)).toBeLessThanOrEqual(MAX_BOOST);
    // Even a thousand votes cannot push the boost past the bound.
    const huge = boostsFrom([{ articleId: 'x', queryKey: '', helpful: 1000, unhelpful: 0, deflections: 0 }, { articleId: 'x', queryKey: key, helpful: 1000, unhelpful: 0, deflections: 0 }], key);
    expect(huge.get('x')).toBeLessThanOrEqual(MAX_BOOST);
    expect(huge.get('x')).toBeGreaterThan(MAX_BOOST * 0.9);
  });

  it('indexes articles saved from tickets next to the folder ones', async () => {
    const articles = new MongoKbArticleStore(db.connection);
    await articles.save({ id: 'teams-camera-black', title: 'Teams camera shows a black screen', lang: 'en', tags: ['teams', 'camera'], body: 'Close other apps that use the camera, then restart Teams.', ticketId: 'IT-9' });
    await articles.save({ id: 'dup-folder', title: 'Duplicate of a folder article', lang: 'en', tags: [], body: 'x' });
    const k = await tempKb({ 'dup-folder.md': md({ title: 'Folder article' }, 'Printer toner is low: replace the cartridge.') });
    try {
      const open = await openKnowledgeBase({ dir: k.dir, savedArticles: () => articles.list() });
      expect(open.kb.search('teams camera black')[0]?.id).toBe('teams-camera-black');
      expect(open.issues).toEqual([{ path: 'db:dup-folder', reason: expect.stringMatching(/duplicate id/) }]);
      expect((await open.kb.article('dup-folder'))?.title).toBe('Folder article');
      await open.close();
    } finally {
      await k.cleanup();
    }
  });
});
