import { describe, expect, it } from 'vitest';
import { calibratedScore, DEFAULT_CALIBRATION } from '../../kb/calibration.js';
import { parseArticle } from '../../kb/loader.js';
import { rank } from '../../kb/rank.js';
import { buildIndex } from '../../kb/search-index.js';
import { evaluate, leadWord } from '../../kb/search.js';
import { words } from '../../kb/text.js';
import type { Article } from '../../kb/types.js';
import { md, SAMPLE } from './helpers.js';

const lead = (q: string): string | undefined => leadWord(words(q));

describe('the query\'s leading word (round 6)', () => {
  it('is the first content word of a request or of a how-to question', () => {
    expect(lead('rename a shared drive')).toBe('rename');
    expect(lead('printer offline')).toBe('printer');
    expect(lead('how do I refund a guest on the card terminal')).toBe('refund');
    expect(lead('How can we record a meeting?')).toBe('record');
    expect(lead('¿Cómo se configura la firma en Gmail?')).toBe('configura');
    expect(lead('cómo puedo cambiar la contraseña')).toBe('cambiar');
  });

  it('is none when chat context or a statement comes first', () => {
    expect(lead('someone stole my phone on the bus')).toBeUndefined();
    expect(lead('I think I left my phone in a taxi')).toBeUndefined();
    expect(lead('the printer is offline')).toBeUndefined();
    expect(lead('can I get a standing desk')).toBeUndefined(); // no `how`: a yes/no question, not a how-to
    expect(lead('')).toBeUndefined();
  });

  it('costs one pass over the words, whatever they are', () => {
    const many = Array.from({ length: 100_000 }, () => 'how').join(' ');
    const t0 = performance.now();
    expect(leadWord(words(many))).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

const art = (name: string, text: string): Article => {
  const r = parseArticle(name, text);
  if ('error' in r) throw new Error(`fixture ${name}: ${r.error}`);
  return r;
};

describe('leadMissed: an action the knowledge base has no article for, on an object it has', () => {
  const terminal = art('card-terminal.md', md({ title: 'Card terminal does not connect', lang: 'en', tags: ['card', 'terminal', 'payment'] },
    '# Card terminal does not connect\n\nThe card terminal shows "no connection" and payments fail.\n\n1. Restart the card terminal.\n2. Check the network cable.\n3. Call the payment provider if it still fails.'));
  const refunds = art('refunds.md', md({ title: 'Refund a payment', lang: 'en', tags: ['refund', 'payment'] },
    '# Refund a payment\n\nTo refund a guest, open the payment in the back office and choose Refund. The money returns to the card in 3 to 5 days.'));
  const articles = [...Object.entries(SAMPLE).map(([n, t]) => art(n, t)), terminal];

  it('is 1 for every article without the leading word, 0 for one about it, and absent without a leading word', () => {
    const ix = buildIndex([...articles, refunds]);
    const out = evaluate(ix, 'how do I refund a guest on the card terminal');
    expect(out.leadUnit).toBeGreaterThanOrEqual(0);
    const byId = new Map(rank(ix, 'how do I refund a guest on the card terminal', { keepBelowThreshold: true, limit: 10 }).map((r) => [ix.articles[r.doc]!.id, r.features.leadMissed]));
    expect(byId.get('refunds')).toBe(0);
    expect(byId.get('card-terminal')).toBe(1);
    const none = rank(ix, 'the card terminal does not connect', { keepBelowThreshold: true });
    expect(none.every((r) => r.features.leadMissed === 0)).toBe(true);
  });

  it('lowers the score of an article that has the object but not the action', () => {
    const ix = buildIndex([...articles, refunds]);
    const [top] = rank(ix, 'how do I restart the card terminal', { keepBelowThreshold: true });
    const f = top!.features;
    expect(ix.articles[top!.doc]!.id).toBe('card-terminal');
    expect(calibratedScore({ ...f, leadMissed: 1 })).toBeLessThan(calibratedScore({ ...f, leadMissed: 0 }));
    expect(DEFAULT_CALIBRATION.weights.leadMissed).toBeLessThan(0);
  });

  it('an unknown leading word says nothing about one article (no leading unit)', () => {
    const ix = buildIndex(articles);
    expect(evaluate(ix, 'how do I zorbify the card terminal').leadUnit).toBe(-1);
  });
});
