import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { compareIds, type LiveBus, type LiveEvent, type LiveMessage } from './live-bus.js';

export interface LiveStreamOptions {
  topics: readonly string[];
  /**
   * `requester`: internal notes are never sent (a visitor's stream). `agent`: everything.
   */
  audience: 'agent' | 'requester';
  /** Further filter (e.g. only this visitor's tickets). */
  filter?: (e: LiveEvent) => boolean;
  /** @defaultValue 25 s */
  heartbeatMs?: number;
}

const isStreamId = (v: string): boolean => {
  if (v.length > 40) return false;
  const dash = v.indexOf('-');
  if (dash <= 0) return false;
  const digits = (s: string) => s.length > 0 && [...s].every((ch) => ch >= '0' && ch <= '9');
  return digits(v.slice(0, dash)) && digits(v.slice(dash + 1));
};

/** Drops what an audience must not see. */
export function visibleTo(audience: LiveStreamOptions['audience'], e: LiveEvent): LiveEvent | undefined {
  if (audience === 'agent') return e;
  if (e.entry?.visibility === 'internal') return undefined;
  return e;
}

/**
 * A Server-Sent Events response following `topics` on the live bus. A reconnecting browser sends
 * `Last-Event-ID` (EventSource does this by itself); what it missed is replayed from the topic's
 * history before live events, each event at most once per connection.
 */
export function liveStream(c: Context, live: LiveBus, o: LiveStreamOptions): Response {
  const header = c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? '';
  const lastId = isStreamId(header) ? header : undefined;
  c.header('X-Accel-Buffering', 'no');
  return streamSSE(c, async (stream) => {
    const sent = new Map<string, string>();
    const queue: LiveMessage[] = [];
    let replaying = true;
    const send = async (m: LiveMessage) => {
      const prev = sent.get(m.topic);
      if (prev && compareIds(m.id, prev) <= 0) return;
      sent.set(m.topic, m.id);
      const ev = visibleTo(o.audience, m.event);
      if (!ev || (o.filter && !o.filter(ev))) return;
      await stream.writeSSE({ id: m.id, event: 'ticket', data: JSON.stringify({ topic: m.topic, ...ev }) });
    };
    let chain = Promise.resolve();
    const onMessage = (m: LiveMessage) => {
      if (replaying) queue.push(m);
      else chain = chain.then(() => send(m)).catch(() => {});
    };
    const unsubs = o.topics.map((t) => live.subscribe(t, onMessage));
    const done = new Promise<void>((resolve) => stream.onAbort(() => resolve()));
    const beat = setInterval(() => void stream.write(': ping\n\n').catch(() => {}), o.heartbeatMs ?? 25_000);
    try {
      await stream.write('retry: 2000\n\n');
      if (lastId) {
        const missed = (await Promise.all(o.topics.map((t) => live.since(t, lastId)))).flat().sort((a, b) => compareIds(a.id, b.id));
        for (const m of missed) await send(m);
      }
      replaying = false;
      for (const m of queue.splice(0)) await send(m);
      await stream.writeSSE({ event: 'ready', data: '{}' });
      await done;
    } finally {
      clearInterval(beat);
      unsubs.forEach((u) => u());
    }
  });
}
