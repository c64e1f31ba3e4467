import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SessionStore } from '../../adapters/web/auth/session.js';
import { testRedisUrl } from '../support/services.js';
import { startWebHarness, WebClient, type WebHarness } from './web.harness.js';

/**
 * The chat in the whole runtime (role all: BullMQ delivery workers, the web app of app/web.ts): a
 * signed-in person asks on the internal desk, an agent answers from the console, and the answer
 * reaches the person's SSE stream through the delivery queue and the web platform; notes never do.
 */
describe('web chat in the runtime, answered from the console', () => {
  let h: WebHarness;
  let ana: WebClient;
  let redis: Redis;
  beforeAll(async () => {
    h = await startWebHarness();
    ana = new WebClient(h.base);
    expect((await ana.signIn(`/auth/magic?t=${h.magic.issue('ana', 60_000)}`)).status).toBe(303);
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.stop();
  });

  it('console reply → delivery queue → web platform → the visitor\'s SSE; internal notes stay out', async () => {
    const s = await new SessionStore(redis, h.keyPrefix).create({ kind: 'visitor', name: 'Rita', email: 'rita@example.com', identity: { platform: 'web', workspace: 'email', user: 'rita@example.com', name: 'Rita' } }, 'test');
    const headers = { cookie: `${SESSION_COOKIE}=${s.id}`, 'x-csrf-token': s.csrf, origin: h.base, 'content-type': 'application/json' };
    const api = `${h.base}/chat/api/it`;
    const opened = await fetch(`${api}/conversations`, { method: 'POST', headers, body: JSON.stringify({ clientId: 'req-rita0001', text: 'the printer on floor 3 shows offline for everyone' }) });
    // Through the durable intake: recorded, 202 at once; the ticket follows on the stream.
    expect(opened.status).toBe(202);
    const pending = ((await opened.json()) as { conversation: { id: string; number: string; status: string; pending?: boolean } }).conversation;
    expect(pending).toMatchObject({ number: '', status: 'new', pending: true });

    const sse = await fetch(`${api}/conversations/${pending.id}/events`, { headers: { cookie: headers.cookie } });
    expect(sse.status).toBe(200);
    const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = '';
    const until = async (text: string, ms = 15_000) => {
      const end = Date.now() + ms;
      while (!seen.includes(text)) {
        const r = await Promise.race([reader.read(), new Promise<{ done: true; value: undefined }>((ok) => setTimeout(() => ok({ done: true, value: undefined }), Math.max(1, end - Date.now())))]);
        if (r.done) throw new Error(`SSE: "${text}" not received; got ${seen.slice(-500)}`);
        seen += r.value;
      }
    };
    await until('"type":"conversation"');
    const line = seen.split('\n').find((l) => l.startsWith('data:') && l.includes('"type":"conversation"'))!;
    const conv = (JSON.parse(line.slice(5)) as { conversation: { id: string; number: string; status: string } }).conversation;
    expect(conv).toMatchObject({ id: pending.id, status: 'open', number: expect.stringMatching(/^IT-\d+$/) });
    await until(`${conv.number} is with the`);

    const act = async (action: string, fields: Record<string, string> = {}) => expect((await ana.post(`/console/tickets/${conv.number}/${action}`, { eventId: `e-${action}-${Math.random()}`, ...fields })).status).toBe(303);
    await act('claim');
    await until('Ana García is working on');
    await act('note', { text: 'SECRET-NOTE probably the toner driver' });
    await act('reply', { text: 'Restarted the print server, try again please' });
    await until('Restarted the print server, try again please');
    expect(seen).not.toContain('SECRET-NOTE');
    await reader.cancel();
  });
});
