import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareIds, LiveBus, type LiveEvent } from '../../adapters/web/live/live-bus.js';
import { liveStream } from '../../adapters/web/live/live-sse.js';
import { RateLimiter } from '../../adapters/web/security/rate-limit.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { randomId, testRedisUrl } from '../support/services.js';

/**
 * Two "replicas" (two LiveBus instances, two Redis connections each) on the real Redis: an event
 * published on one reaches SSE subscribers of the other; a reconnect with Last-Event-ID gets exactly
 * what it missed; a requester stream never carries internal notes. Rate limits hold across replicas.
 */
const prefix = `lb${randomId()}:`;
const redisA = new Redis(testRedisUrl());
const redisB = new Redis(testRedisUrl());
const busA = new LiveBus({ redis: redisA, keyPrefix: prefix, log: silentLogger });
const busB = new LiveBus({ redis: redisB, keyPrefix: prefix, log: silentLogger });
let server: Server;
let base: string;

const ev = (n: number, o: Partial<LiveEvent> = {}): LiveEvent => ({
  type: 'ticket.message', ticketId: 't1', number: 'IT-1', deskId: 'it', tier: 1, status: 'claimed', priority: 'P3', subject: 's', at: new Date().toISOString(),
  entry: { id: `e${n}`, kind: 'message', visibility: 'public', text: `message ${n}`, author: 'Ana', authorIsAgent: true, at: new Date().toISOString() },
  ...o,
});

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens an SSE connection and collects events until `close()`. */
function openSse(path: string, lastEventId?: string) {
  const events: SseEvent[] = [];
  const ctrl = new AbortController();
  const done = (async () => {
    const res = await fetch(`${base}${path}`, { headers: lastEventId ? { 'last-event-id': lastEventId } : {}, signal: ctrl.signal });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const e: SseEvent = {};
        for (const line of block.split('\n')) {
          const c = line.indexOf(':');
          if (c <= 0) continue;
          const k = line.slice(0, c);
          const v = line.slice(c + 1).trimStart();
          if (k === 'id' || k === 'event' || k === 'data') e[k] = v;
        }
        if (e.event) events.push(e);
      }
    }
  })().catch(() => {});
  return {
    events,
    messages: () => events.filter((e) => e.event === 'ticket').map((e) => JSON.parse(e.data!) as LiveEvent & { topic: string }),
    ready: () => expect.poll(() => events.some((e) => e.event === 'ready')).toBe(true),
    close: async () => {
      ctrl.abort();
      await done;
    },
  };
}

beforeAll(async () => {
  await busA.start();
  await busB.start();
  // Replica B serves browsers; replica A only publishes (like a worker or another web replica).
  const app = new Hono();
  app.get('/agent', (c) => liveStream(c, busB, { topics: ['ticket:t1'], audience: 'agent' }));
  app.get('/requester', (c) => liveStream(c, busB, { topics: ['ticket:t1'], audience: 'requester' }));
  app.get('/desks', (c) => liveStream(c, busB, { topics: ['desk:it', 'desk:hr'], audience: 'agent', coalesceMs: 400 }));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve()) as Server;
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await busA.close();
  await busB.close();
  redisA.disconnect();
  redisB.disconnect();
});

describe('live bus', () => {
  it('fans an event published on one replica out to the other replica’s listeners', async () => {
    const got: string[] = [];
    const off = busB.subscribe('desk:it', (m) => got.push(m.event.entry!.text));
    await busA.publish('desk:it', ev(0));
    await expect.poll(() => got).toEqual(['message 0']);
    off();
    expect(busB.listenerCount()).toBe(0);
  });

  it('publishes one event to several topics in one script: each topic gets it live and in its history', async () => {
    const got: string[] = [];
    const offs = ['desk:many', 'ticket:many'].map((t) => busB.subscribe(t, (m) => got.push(`${m.topic} ${m.event.entry!.text}`)));
    const ids = await busA.publishMany(['desk:many', 'ticket:many'], ev(7));
    expect(ids).toHaveLength(2);
    await expect.poll(() => [...got].sort()).toEqual(['desk:many message 7', 'ticket:many message 7']);
    for (const [i, t] of ['desk:many', 'ticket:many'].entries()) {
      const h = await busB.since(t, '0-0');
      expect(h.map((m) => [m.id, m.event.entry!.text])).toEqual([[ids[i], 'message 7']]);
    }
    offs.forEach((off) => off());
  });

  it('resumes with Last-Event-ID: nothing lost, nothing doubled', async () => {
    const first = openSse('/agent');
    await first.ready();
    await busA.publish('ticket:t1', ev(1));
    await busA.publish('ticket:t1', ev(2));
    await expect.poll(() => first.messages().length).toBe(2);
    const lastId = first.events.filter((e) => e.event === 'ticket').at(-1)!.id!;
    await first.close();
    // While disconnected:
    await busA.publish('ticket:t1', ev(3));
    await busA.publish('ticket:t1', ev(4));
    const again = openSse('/agent', lastId);
    await again.ready();
    await busA.publish('ticket:t1', ev(5));
    await expect.poll(() => again.messages().map((m) => m.entry!.text)).toEqual(['message 3', 'message 4', 'message 5']);
    await new Promise((r) => setTimeout(r, 200));
    expect(again.messages()).toHaveLength(3);
    await again.close();
  });

  it('orders ids across topics, so one Last-Event-ID resumes every topic of a stream without a gap', async () => {
    // Two topics published in turn, many per millisecond: with one sequence per stream, `ms-0` of one
    // topic sorted before `ms-3` of the other although published after it, and a browser resuming
    // after `ms-3` never got it.
    const topics = ['desk:ord1', 'desk:ord2'];
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(await busA.publish(topics[i % 2]!, ev(i)));
    const many = await busA.publishMany(topics, ev(200));
    expect(many[0]).toBe(many[1]); // one event, one id in each of its topics
    ids.push(many[0]!);
    for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i]!, ids[i - 1]!), `${ids[i - 1]} then ${ids[i]}`).toBeGreaterThan(0);
    // Resuming both topics after any id gets exactly what was published after it.
    for (const k of [17, 100, 150]) {
      const missed = (await Promise.all(topics.map((t) => busB.since(t, ids[k]!)))).flat().map((m) => m.event.entry!.text);
      const expected = [...Array.from({ length: 200 - k - 1 }, (_, j) => `message ${k + 1 + j}`), 'message 200', 'message 200'];
      expect(missed.sort()).toEqual(expected.sort());
    }
  });

  it('coalesces a burst on a queue stream: the first change at once, the rest in one frame per interval; a resume gets what it missed in one frame', async () => {
    const sse = openSse('/desks');
    await sse.ready();
    const ids = Array.from({ length: 30 }, (_, i) => `tk${i}`);
    const t0 = Date.now();
    const publish = (i: number) => busA.publish(i % 3 ? 'desk:it' : 'desk:hr', ev(i, { ticketId: ids[i], deskId: i % 3 ? 'it' : 'hr' }));
    // The first change goes out alone before the rest are published: the two desks are two streams,
    // read independently, so under load tk1 (desk:it) could otherwise be sent first and the resume
    // point below would depend on which stream was read first (the resume id is a single stream id).
    await publish(0);
    await expect.poll(() => sse.events.some((e) => e.event === 'ticket')).toBe(true);
    for (let i = 1; i < ids.length; i++) await publish(i);
    const named = () => sse.events.flatMap((e) => (e.event === 'ticket' ? [(JSON.parse(e.data!) as LiveEvent).ticketId] : e.event === 'tickets' ? (JSON.parse(e.data!) as { ticketIds: string[] }).ticketIds : []));
    await expect.poll(() => named().sort()).toEqual([...ids].sort());
    const frames = sse.events.filter((e) => e.event === 'ticket' || e.event === 'tickets');
    expect(frames[0]!.event).toBe('ticket');
    // 30 changes within well under a second: one frame at once, the rest after 400 ms (at most one more if the burst straddled it).
    expect(frames.length).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - t0) / 400));
    const batch = JSON.parse(frames[1]!.data!) as { count: number; events: number; topics: string[] };
    expect(batch.topics.sort()).toEqual(['desk:hr', 'desk:it']);
    const firstId = frames[0]!.id!;
    await sse.close();
    // Reconnecting after the first frame: the other 29 come back in one frame, before `ready`.
    const again = openSse('/desks', firstId);
    await again.ready();
    const replay = again.events.filter((e) => e.event === 'ticket' || e.event === 'tickets');
    expect(replay.map((e) => e.event)).toEqual(['tickets']);
    expect((JSON.parse(replay[0]!.data!) as { ticketIds: string[] }).ticketIds.sort()).toEqual(ids.slice(1).sort());
    expect(replay[0]!.id).toBe(frames.at(-1)!.id);
    await again.close();
  });

  it('never sends internal notes to a requester stream', async () => {
    const agent = openSse('/agent');
    const requester = openSse('/requester');
    await agent.ready();
    await requester.ready();
    await busA.publish('ticket:t1', ev(6, { entry: { id: 'n1', kind: 'note', visibility: 'internal', text: 'secret note', author: 'Ana', authorIsAgent: true, at: new Date().toISOString() } }));
    await busA.publish('ticket:t1', ev(7));
    await expect.poll(() => agent.messages().map((m) => m.entry!.text)).toEqual(['secret note', 'message 7']);
    await expect.poll(() => requester.messages().map((m) => m.entry!.text)).toEqual(['message 7']);
    await agent.close();
    await requester.close();
  });

  it('ignores a malformed Last-Event-ID (no replay, no error)', async () => {
    const s = openSse('/agent', '1-1-1;DROP');
    await s.ready();
    expect(s.messages()).toEqual([]);
    await s.close();
  });
});

describe('rate limits', () => {
  it('hold across replicas (counted in Redis)', async () => {
    const a = new RateLimiter(redisA, prefix);
    const b = new RateLimiter(redisB, prefix);
    const results: boolean[] = [];
    for (let i = 0; i < 3; i++) results.push((await a.hit('chat', '10.0.0.1', 5, 60_000)).allowed);
    for (let i = 0; i < 3; i++) results.push((await b.hit('chat', '10.0.0.1', 5, 60_000)).allowed);
    expect(results).toEqual([true, true, true, true, true, false]);
    expect((await b.hit('chat', '10.0.0.2', 5, 60_000)).allowed).toBe(true);
    const short = await a.hit('short', 'k', 1, 300);
    expect(short.allowed).toBe(true);
    expect((await a.hit('short', 'k', 1, 300)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect((await b.hit('short', 'k', 1, 300)).allowed).toBe(true);
  });
});
