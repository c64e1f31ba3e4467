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
  /**
   * At most one frame per this many ms: the first event after a quiet spell is sent at once (a
   * `ticket` frame, as without it); events arriving within the next `coalesceMs` are sent together
   * as one `tickets` frame (`{count, events, ticketIds}`) when it ends. A queue page follows whole
   * desks: in a ticket storm every ticket's creation and routing would otherwise be a frame of its
   * own to every agent's browser (2 per ticket, 600 for a storm of 300), each asking it to re-fetch
   * the queue. 0: every event its own frame (a ticket page, whose events are its conversation).
   * @defaultValue 0
   */
  coalesceMs?: number;
}

/** The payload of a coalesced frame: which tickets changed (distinct, oldest change first). */
export interface CoalescedFrame {
  count: number;
  /** Events behind it (a ticket changed twice counts twice). */
  events: number;
  ticketIds: string[];
  topics: string[];
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
    // What this connection may see of a message (each once per topic, in order), or undefined.
    const accept = (m: LiveMessage): LiveEvent | undefined => {
      const prev = sent.get(m.topic);
      if (prev && compareIds(m.id, prev) <= 0) return undefined;
      sent.set(m.topic, m.id);
      const ev = visibleTo(o.audience, m.event);
      return !ev || (o.filter && !o.filter(ev)) ? undefined : ev;
    };
    const write = async (batch: Array<{ m: LiveMessage; ev: LiveEvent }>) => {
      const last = batch.reduce((a, b) => (compareIds(b.m.id, a.m.id) > 0 ? b : a));
      if (batch.length === 1) return stream.writeSSE({ id: last.m.id, event: 'ticket', data: JSON.stringify({ topic: last.m.topic, ...last.ev }) });
      const ticketIds = [...new Set(batch.map((b) => b.ev.ticketId))];
      const frame: CoalescedFrame = { count: ticketIds.length, events: batch.length, ticketIds, topics: [...new Set(batch.map((b) => b.m.topic))] };
      return stream.writeSSE({ id: last.m.id, event: 'tickets', data: JSON.stringify(frame) });
    };
    const every = Math.max(0, o.coalesceMs ?? 0);
    let pending: Array<{ m: LiveMessage; ev: LiveEvent }> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastWrite = -Infinity;
    let chain = Promise.resolve();
    const flush = () => {
      timer = undefined;
      if (!pending.length) return;
      const batch = pending;
      pending = [];
      lastWrite = Date.now();
      chain = chain.then(() => write(batch)).catch(() => {});
    };
    const offer = (m: LiveMessage) => {
      const ev = accept(m);
      if (!ev) return;
      pending.push({ m, ev });
      // A coalescing stream's replay goes out as one frame, after it (below).
      if (timer || (replaying && every > 0)) return;
      const wait = lastWrite + every - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    };
    const onMessage = (m: LiveMessage) => {
      if (replaying) queue.push(m);
      else offer(m);
    };
    const unsubs = o.topics.map((t) => live.subscribe(t, onMessage));
    const done = new Promise<void>((resolve) => stream.onAbort(() => resolve()));
    const beat = setInterval(() => void stream.write(': ping\n\n').catch(() => {}), o.heartbeatMs ?? 25_000);
    try {
      await stream.write('retry: 2000\n\n');
      if (lastId) {
        const missed = (await Promise.all(o.topics.map((t) => live.since(t, lastId)))).flat().sort((a, b) => compareIds(a.id, b.id));
        for (const m of missed) offer(m);
      }
      for (const m of queue.splice(0)) offer(m);
      replaying = false;
      // What was missed goes out before `ready`, together.
      clearTimeout(timer);
      flush();
      await chain;
      await stream.writeSSE({ event: 'ready', data: '{}' });
      await done;
    } finally {
      clearInterval(beat);
      clearTimeout(timer);
      unsubs.forEach((u) => u());
    }
  });
}
