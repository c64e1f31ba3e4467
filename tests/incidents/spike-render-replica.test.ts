import path from 'node:path';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Platform } from '../../core/domain/identity.js';
import type { ChatPlatform } from '../../core/ports/chat-platform.port.js';
import { spikeIdOf } from '../../core/use-cases/fanout/detect-spike.js';
import { createJobsClient, RedisSpikeWindow, startWorkers, type JobsClient, type RunningWorkers } from '../../jobs/index.js';
import { openKnowledgeBase, type OpenKb } from '../../kb/open-kb.js';
import { FakePlatform, waitFor } from '../jobs/harness.js';
import { person, testDesk } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';

/** Limits the test never reaches (workers and the channel ledger). */
const LIMITS = { slack: { perChannel: { rate: 200, burst: 200 }, global: { rate: 2000, burst: 2000 } } };
const SIMILAR = ['the printer on floor 3 prints blank pages', 'printer floor 3 prints only blank pages', 'floor 3 printer prints blank pages again', 'blank pages from the floor 3 printer', 'the floor 3 printer prints blank pages', 'printer on floor 3 prints blank pages today'];

/**
 * A spike card's count edit is a delayed job, not a timer in the replica that saw the join
 * (docs/incidents.md, issue 12): replica A (web: files tickets, detects the spike) stops right after a
 * join was handed the next render; replica B's workers still edit the card to the new count.
 */
describe('spike card count edit survives the replica that queued it', () => {
  let kb: OpenKb;
  let db: Awaited<ReturnType<typeof freshDb>>;
  let connA: Connection;
  let clientA: JobsClient;
  let clientB: JobsClient;
  let hdA: Composed;
  let hdB: Composed;
  let workersB: RunningWorkers;
  const slack = new FakePlatform('slack');
  const desk = testDesk({
    tiers: [
      { level: 1, name: 'Tier 1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } },
      { level: 2, name: 'Tier 2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } },
    ],
    spike: { enabled: true, threshold: 5, windowMinutes: 10, minSimilarity: 0.5 },
  });
  /** Renders at most once per 1.5 s per spike, 1.5 s after the join that was handed one. */
  const timing = { debounceMs: 1_500, everyMs: 1_500 };

  beforeAll(async () => {
    kb = await openKnowledgeBase({ dir: path.resolve('kb/articles') });
    db = await freshDb();
    connA = await mongoose.createConnection(db.uri).asPromise();
    const prefix = `t${randomId()}`;
    clientA = createJobsClient({ connection: testRedisUrl(), prefix, storm: { limits: LIMITS } });
    clientB = createJobsClient({ connection: testRedisUrl(), prefix, storm: { limits: LIMITS } });
    const common = { desks: [desk], agents: [], kb: kb.kb };
    hdB = await composeHelpdesk({ ...common, connection: db.connection, platforms: new Map<Platform, ChatPlatform>([['slack', slack]]), delivery: () => clientB.delivery, spikeWindow: new RedisSpikeWindow(clientB.queues.redis, clientB.queues.prefix, timing), spikeRenders: clientB.spikeRenders });
    workersB = await startWorkers({ connection: testRedisUrl(), prefix: clientB.queues.prefix, deps: hdB.deps, platforms: hdB.platforms, spikes: hdB.spikes, delivery: { backoffBaseMs: 20, backoffMaxMs: 200, limits: LIMITS }, tuning: { drainDelay: 1 } });
    // Replica A: the web role (no workers), its own database connection and queues.
    hdA = await composeHelpdesk({ ...common, connection: connA, delivery: () => clientA.delivery, spikeWindow: new RedisSpikeWindow(clientA.queues.redis, clientA.queues.prefix, timing), spikeRenders: clientA.spikeRenders });
  });

  afterAll(async () => {
    await workersB?.close(true).catch(() => {});
    await clientB?.close();
    await clientA?.close().catch(() => {});
    await connA?.close().catch(() => {});
    await db?.drop();
    await kb?.close();
  });

  const cardShows = (n: number) => slack.sent.filter((s) => s.channel === 'C_TIER2' && JSON.stringify(s.view).includes(`${n} similar tickets`));
  const file = (hd: Composed, i: number) => hd.helpdesk.handle({ type: 'help.request', eventId: `sp-${i}`, request: { idempotencyKey: `sp-${i}`, requester: person('slack', `USP${i}`, 'T1'), text: SIMILAR[i]!, origin: { platform: 'slack', workspace: 'T1', channel: 'C_ANY' }, skipSuggestions: true } });

  it('replica A stops right after a join; B edits the card to the new count (once)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await file(hdA, i);
      if (r.kind === 'opened') ids.push(r.ticket.id);
    }
    expect(ids).toHaveLength(5);
    const posted = await waitFor(() => cardShows(5)[0], 20_000, 'the spike card (5)');
    expect(posted.kind).toBe('post');
    // Past the spike's render period: the next join is handed a render, 1.5 s later.
    await new Promise((r) => setTimeout(r, timing.everyMs + 200));
    const spikeId = spikeIdOf(ids[0]!);
    expect((await hdB.spikes.get(spikeId))!.ticketIds).toHaveLength(5);
    await file(hdA, 5);
    expect((await hdB.spikes.get(spikeId))!.ticketIds).toHaveLength(6);
    // Replica A stops now, before its render was due: its queues and database connection are gone.
    await clientA.close();
    await connA.close();
    const edit = await waitFor(() => cardShows(6)[0], 20_000, 'the card edited to 6 by replica B');
    expect(edit.kind).toBe('update');
    expect(edit.message).toBe(posted.message);
    // One render for that join: the job is keyed by spike and render version.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(cardShows(6)).toHaveLength(1);
  });
});
