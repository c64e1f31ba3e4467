import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDesk } from '../support/fixtures.js';
import { personalMessage } from './activities.js';
import { cardOf, startTeams, type TeamsHarness } from './harness.js';

/** The Teams deflection card on the real knowledge base (kb/articles): exactly what the KB suggests. */
describe('Teams deflection on the real KB', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [], kb: 'real' });
  });
  afterAll(async () => h?.close());

  it('renders the KB suggestions for the request, or routes it when there are none', async () => {
    const text = 'I forgot my password';
    const expected = await h.core.deps.kb.suggest(text, { limit: 3, lang: 'en-US', deskId: 'it' });
    await h.send(personalMessage(h.connector.url, { id: '29:kim', name: 'Kim' }, text));
    const card = cardOf(h.connector.posted().at(-1)!.activity);
    const [t] = await h.core.store.list({});
    if (expected.length === 0) {
      expect(t!.status).toBe('open');
      return;
    }
    const solved: string[] = [];
    JSON.stringify(card, (_k, v) => (v?.hd?.action === 'solved' ? (solved.push(v.hd.arg), v) : v));
    expect(solved).toEqual(expected.map((s) => s.id));
    expect(JSON.stringify(card)).toContain(expected[0]!.title.replace(/"/g, '\\"'));
    expect(t!.suggestedArticles).toEqual(expected.map((s) => s.id));
  });
});
