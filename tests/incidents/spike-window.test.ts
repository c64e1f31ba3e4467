import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClient, type RedisClient } from '../../jobs/connection.js';
import { RedisSpikeWindow } from '../../jobs/spike-window.redis.js';
import { openKnowledgeBase, type OpenKb } from '../../kb/open-kb.js';
import { randomId, testRedisUrl } from '../support/services.js';

/**
 * The spike window on a real Redis, as two replicas would use it (two connections): similarity by
 * the KB analyzer's signatures, counting and claiming in one Lua script, so concurrent observers
 * produce exactly one spike per group of similar tickets.
 */
describe('spike window (Redis, two replicas)', () => {
  let kb: OpenKb;
  let a: RedisClient;
  let b: RedisClient;
  const prefix = `t${randomId()}`;
  beforeAll(async () => {
    kb = await openKnowledgeBase({ dir: path.resolve('kb/articles') });
    a = redisClient(testRedisUrl());
    b = redisClient(testRedisUrl());
  });
  afterAll(async () => {
    await kb?.close();
    await a?.quit();
    await b?.quit();
  });

  const similar = ['la impresora de la planta 3 imprime hojas en blanco', 'printer on floor 3 prints blank pages', 'impresora planta 3 saca hojas en blanco', 'the floor 3 printer prints blank pages', 'blank pages from the printer on floor 3', 'impresora de la planta 3: hojas en blanco'];
  const other = ['my vpn disconnects every hour', 'outlook asks for my password again and again', 'need access to the finance sharepoint site'];

  it('N similar tickets observed concurrently on two replicas make exactly one spike; unrelated ones none', async () => {
    const wa = new RedisSpikeWindow(a, prefix);
    const wb = new RedisSpikeWindow(b, prefix);
    // 0.25: Spanish and English phrasings share only the glossary's concepts (printer, blank): Dice ≈ 0.27–0.31.
    const obs = (w: RedisSpikeWindow, id: string, text: string) => w.observe({ deskId: 'it', ticketId: id, signature: kb.kb.signature(text), windowMs: 600_000, minSimilarity: 0.25, threshold: 5 });
    const results = await Promise.all([
      ...other.map((t, i) => obs(i % 2 ? wa : wb, `o${i}`, t)),
      ...similar.slice(0, 5).map((t, i) => obs(i % 2 ? wa : wb, `s${i}`, t)),
    ]);
    const spikes = results.filter((r) => r !== null);
    expect(spikes).toHaveLength(1);
    const spike = spikes[0]!;
    expect(spike.kind).toBe('new');
    const ids = spike.kind === 'new' ? spike.ticketIds : [];
    expect([...ids].sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    // A sixth similar ticket joins that spike (no second one); a replay of one adds nothing.
    expect(await obs(wa, 's5', similar[5]!)).toMatchObject({ kind: 'join', firstTicketId: ids[0] });
    expect(await obs(wb, 's0', similar[0]!)).toBeNull();
  });

  it('a storm of 60 similar tickets on two replicas: one spike, the rest join it with few renders; another group still makes its own', async () => {
    const p = `${prefix}-storm`;
    const timing = { debounceMs: 200, everyMs: 1_000 };
    const wa = new RedisSpikeWindow(a, p, timing);
    const wb = new RedisSpikeWindow(b, p, timing);
    const obs = (w: RedisSpikeWindow, id: string, text: string) => w.observe({ deskId: 'it', ticketId: id, signature: kb.kb.signature(text), windowMs: 600_000, minSimilarity: 0.25, threshold: 5 });
    const storm = Array.from({ length: 60 }, (_, i) => similar[i % similar.length]!);
    const results = await Promise.all(storm.map((t, i) => obs(i % 2 ? wa : wb, `st${i}`, t)));
    const made = results.filter((r) => r?.kind === 'new');
    expect(made).toHaveLength(1);
    const first = made[0]!.kind === 'new' ? made[0]!.ticketIds[0] : '';
    const joins = results.filter((r) => r?.kind === 'join');
    // Every ticket of the storm is on the spike: it made it, or joined it.
    expect((made[0]!.kind === 'new' ? made[0]!.ticketIds.length : 0) + joins.length).toBe(60);
    expect(joins.every((r) => r?.kind === 'join' && r.firstTicketId === first)).toBe(true);
    // The whole burst took well under `everyMs`: one render handed out, at once-per-period.
    const renders = joins.filter((r) => r?.kind === 'join' && r.renderInMs !== undefined);
    expect(renders.length).toBeLessThanOrEqual(2);
    expect(renders.length).toBeGreaterThanOrEqual(1);
    // A different problem: five of them make their own spike, not a join.
    const vpn = ['my vpn disconnects every hour', 'vpn keeps disconnecting every hour', 'the vpn disconnects each hour', 'vpn connection drops every hour', 'every hour my vpn disconnects'];
    const other = await Promise.all(vpn.map((t, i) => obs(i % 2 ? wa : wb, `v${i}`, t)));
    expect(other.filter((r) => r?.kind === 'new')).toHaveLength(1);
    expect(other.filter((r) => r?.kind === 'join')).toHaveLength(0);
    // Forgotten (linked to an incident): nothing joins them any more.
    await wa.forget('it', storm.map((_, i) => `st${i}`));
    expect(await obs(wb, 'late', similar[0]!)).toBeNull();
  });

  it('tickets outside the window do not count', async () => {
    const w = new RedisSpikeWindow(a, `${prefix}-w`);
    const obs = (id: string, text: string, windowMs: number) => w.observe({ deskId: 'it', ticketId: id, signature: kb.kb.signature(text), windowMs, minSimilarity: 0.3, threshold: 3 });
    await obs('x1', similar[1]!, 600_000);
    await obs('x2', similar[3]!, 600_000);
    await new Promise((r) => setTimeout(r, 300));
    // Window now 200 ms: the two earlier tickets have left it.
    expect(await obs('x3', similar[4]!, 200)).toBeNull();
  });
});
