import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../app/services/redis.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { testDesk } from '../support/fixtures.js';
import { harness, request, tinySla, waitFor, type Harness } from './harness.js';

let dataDir: string;
let redis: Awaited<ReturnType<typeof startRedis>>;
let h: Harness;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hd-redis-aof-'));
  redis = await startRedis({ dataDir });
  // First response due in 0.03 min (1.8 s): the timers are pending while Redis is down.
  h = await harness(testDesk({ sla: tinySla(0.03, 60, { warnAtPercent: 0 }) }), [], { redisUrl: redis.url });
  await h.start({ tuning: { drainDelay: 1 } });
});
afterAll(async () => {
  await h.close();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Redis restarted while timers are pending', () => {
  it('every pending deadline still fires after Redis comes back (AOF)', async () => {
    const opened = await Promise.all([1, 2, 3, 4, 5].map((i) => openTicket(h.hd.deps, request(`restart-${i}`, `disk full ${i}`))));
    const ids = opened.map((o) => o.ticket.id);
    await waitFor(async () => (await h.client.queues.sla.getDelayedCount()) >= ids.length, 5_000, 'timers stored');
    expect(ids.every((id) => opened.find((o) => o.ticket.id === id)!.ticket.tier === 1)).toBe(true);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    redis = await startRedis({ dataDir, port: redis.port });
    // The tier changes first; the escalation's timeline entry is written last (after its events),
    // so wait for that entry: it marks the whole change as done.
    const escalations = async (id: string) => (await h.hd.store.timeline(id, { includeInternal: true })).filter((e) => e.event === 'escalate').length;
    for (const id of ids) {
      await waitFor(async () => (await h.hd.store.get(id))?.tier === 2 && (await escalations(id)) > 0, 20_000, `escalation of ${id}`);
    }
    for (const id of ids) {
      const tl = await h.hd.store.timeline(id, { includeInternal: true });
      expect(tl.filter((e) => e.event === 'escalate')).toHaveLength(1);
    }
  });
});
