import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { MongoKbFeedbackStore } from '../../core/store/kb-feedback.store.js';
import { MongoMetricsStore } from '../../core/store/metrics-rollup.model.js';
import { summarizeRollups } from '../../core/use-cases/desk-report.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testDesk } from '../support/fixtures.js';

// FerretDB 1.24 runs `$inc` as read-then-write, so concurrent increments of one document can be
// lost there; rollups and KB tallies are written as per-process shards and must stay exact.
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({ connection: db.connection, desks: [testDesk()], agents: [], kb: new KeywordKb([]) });
});
afterAll(async () => db.drop());

const today = () => new Date().toISOString().slice(0, 10);

describe('exact rollups under concurrency', () => {
  it('500 concurrent ticket events (250 opens, each created + routed) are all counted', { timeout: 120_000 }, async () => {
    await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        openTicket(hd.deps, { idempotencyKey: `burst-${i}`, requester: person('slack', `U${i}`), text: 'printer on fire', origin: { platform: 'slack', workspace: 'T1', channel: 'C1' } }),
      ),
    );
    // Subscribers run after the use case returns: wait until the recorder has written everything.
    let r = summarizeRollups('it', today(), today(), await hd.metrics.read('it', today(), today()));
    for (let i = 0; i < 50 && (r.opened < 250 || r.routed < 250); i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      r = summarizeRollups('it', today(), today(), await hd.metrics.read('it', today(), today()));
    }
    expect(r).toMatchObject({ opened: 250, routed: 250 });
  });

  it('two writers (two processes) incrementing one day concurrently lose nothing', async () => {
    const a = new MongoMetricsStore(db.connection);
    const b = new MongoMetricsStore(db.connection);
    await Promise.all(Array.from({ length: 500 }, (_, i) => (i % 2 ? a : b).increment('hr', '2026-01-02', { opened: 1, csatSum: i % 5 })));
    const [day] = await a.read('hr', '2026-01-02', '2026-01-02');
    expect(day).toMatchObject({ deskId: 'hr', day: '2026-01-02', opened: 500, csatSum: 2 * (0 + 1 + 2 + 3 + 4) * 50 });
    // Each writer's burst was combined into few round trips, one shard per writer.
    expect(await db.connection.collection('metric_rollups').countDocuments({ deskId: 'hr' })).toBe(2);
  });

  it('KB feedback tallies stay exact under 400 concurrent answers from two writers', async () => {
    const a = new MongoKbFeedbackStore(db.connection);
    const b = new MongoKbFeedbackStore(db.connection);
    await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        (i % 2 ? a : b).record({ articleId: 'vpn', query: 'vpn down', queryKey: 'vpn down', helpful: i % 4 !== 0, deskId: 'it', ...(i % 8 === 1 ? { ticketId: `t${i}` } : {}), at: new Date() }),
      ),
    );
    const [all] = await a.report('it');
    expect(all).toMatchObject({ articleId: 'vpn', queryKey: '', helpful: 300, unhelpful: 100, deflections: 50 });
    const perQuery = await b.tallies(['vpn'], 'vpn down', 'it');
    expect(perQuery.find((t) => t.queryKey === 'vpn down')).toMatchObject({ helpful: 300, unhelpful: 100, deflections: 50 });
    expect(perQuery.find((t) => t.queryKey === '')).toMatchObject({ helpful: 300 });
  });
});
