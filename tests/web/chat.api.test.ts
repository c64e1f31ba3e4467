import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, newVisitor, slackAgent, startChatHarness, type ChatHarness } from './chat-harness.js';

/** Reads an SSE response until `until` says stop (or the timeout), returning the parsed events. */
async function readSse(res: Response, until: (events: Array<{ id?: string; event?: string; data: any }>) => boolean, timeoutMs = 5000) {
  const events: Array<{ id?: string; event?: string; data: any }> = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  const end = Date.now() + timeoutMs;
  try {
    while (!until(events)) {
      const left = end - Date.now();
      if (left <= 0) throw new Error(`SSE: condition not met; got ${JSON.stringify(events)}`);
      const r = await Promise.race([reader.read(), new Promise<{ done: true; value: undefined }>((ok) => setTimeout(() => ok({ done: true, value: undefined }), left))]);
      if (r.done) break;
      buf += r.value;
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const e: { id?: string; event?: string; data: any } = { data: undefined };
        for (const line of block.split('\n')) {
          if (line.startsWith('id: ')) e.id = line.slice(4);
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data = JSON.parse(line.slice(6));
        }
        if (e.data !== undefined) events.push(e);
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return events;
}

describe('web chat API', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness({ allowedOrigins: ['https://shop.example.com'] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const tickets = () => h.core.store.list({ limit: 200 });

  it('suggests articles while typing and opens a routed ticket on "I still need help"', async () => {
    const v = await newVisitor(h);
    const s = await v.call('GET', '/suggest?q=my%20vpn%20drops');
    expect(s.status).toBe(200);
    expect(s.json.suggestions.map((x: { id: string }) => x.id)).toEqual(['vpn-reset']);
    const r = await v.call('POST', '/conversations', { clientId: 'req-000001', text: 'my vpn drops every hour' });
    expect(r.status).toBe(201);
    expect(r.json.conversation).toMatchObject({ status: 'open', subject: 'my vpn drops every hour' });
    expect(r.json.conversation.id).toMatch(/^c[0-9a-f]{24}$/);
    const stored = (await tickets()).find((x) => x.number === r.json.conversation.number)!;
    expect(stored.requester).toMatchObject({ platform: 'web', workspace: 'it', name: 'Vera (vera@example.com)' });
    expect(stored.links.map((l) => `${l.platform}:${l.role}`).sort()).toEqual(['slack:triage', 'web:requester']);
    expect(h.kb.feedback).toContainEqual({ articleId: 'vpn-reset', helpful: false });
    // A retried POST (same client id) creates nothing new.
    const again = await v.call('POST', '/conversations', { clientId: 'req-000001', text: 'my vpn drops every hour' });
    expect(again.status).toBe(200);
    expect(again.json.conversation.number).toBe(r.json.conversation.number);
  });

  it('"This solved it" records the deflection', async () => {
    const v = await newVisitor(h, 'Sol');
    const r = await v.call('POST', '/conversations', { clientId: 'req-solved1', text: 'printer says paper jam', solvedArticleId: 'printer-jam' });
    expect(r.json.conversation.status).toBe('self_service');
    expect(h.kb.feedback).toContainEqual({ articleId: 'printer-jam', helpful: true });
    expect(h.slackApi.callsOf('chat.postMessage').some((c) => JSON.stringify(c.args).includes(r.json.conversation.number))).toBe(false);
  });

  it('relays a Slack agent reply to the visitor stream, and replays after Last-Event-ID exactly once', async () => {
    const v = await newVisitor(h, 'Rita');
    const conv = (await v.call('POST', '/conversations', { clientId: 'req-relay01', text: 'cannot log in to the portal' })).json.conversation;
    const slack = slackAgent(h);
    const card = await slack.card('C_TIER1', conv.number);
    expect(await slack.button(card.blocks, 'claim', BOB, 'C_TIER1', card.ts)).toBe(200);
    expect(await slack.reply(BOB, 'C_TIER1', card.ts, 'Hi Rita, resetting your password now')).toBe(200);
    const sse = await fetch(`${h.api}/conversations/${conv.id}/events`, { headers: v.headers });
    expect(sse.headers.get('content-type')).toContain('text/event-stream');
    const first = await readSse(sse, (es) => es.some((e) => e.data?.msg?.text?.includes('resetting your password')));
    expect(first[0]!.event).toBe('ready');
    const texts = first.filter((e) => e.id).map((e) => e.data.msg.text as string);
    expect(texts.some((t) => t.includes('Bob is working on'))).toBe(true);
    const relay = first.find((e) => e.data?.msg?.text?.includes('resetting your password'))!;
    expect(relay.data.msg).toMatchObject({ kind: 'relay', author: 'Bob (slack)' });

    // The visitor answers; the message reaches the Slack thread once even if the POST is repeated.
    const m1 = await v.call('POST', `/conversations/${conv.id}/messages`, { clientId: 'msg-abcdef01', text: 'thanks, trying now' });
    const m2 = await v.call('POST', `/conversations/${conv.id}/messages`, { clientId: 'msg-abcdef01', text: 'thanks, trying now' });
    expect([m1.status, m2.status]).toEqual([201, 200]);
    expect(m2.json.duplicate).toBe(true);
    await h.slackApi.waitFor(() => h.slackApi.callsOf('chat.postMessage').find((c) => c.args.thread_ts === card.ts && JSON.stringify(c.args).includes('thanks, trying now')));
    expect(h.slackApi.callsOf('chat.postMessage').filter((c) => JSON.stringify(c.args).includes('thanks, trying now'))).toHaveLength(1);

    // Reconnect after the relay: only what came later, once.
    const resumed = await fetch(`${h.api}/conversations/${conv.id}/events`, { headers: { ...v.headers, 'last-event-id': relay.id! } });
    const later = await readSse(resumed, (es) => es.some((e) => e.data?.clientId === 'msg-abcdef01'));
    const ids = later.filter((e) => e.id).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(later.filter((e) => e.id).map((e) => e.data.msg.text)).toEqual(['thanks, trying now']);
  });

  it('a visitor cannot read or write another visitor\'s conversation', async () => {
    const owner = await newVisitor(h, 'Olga');
    const conv = (await owner.call('POST', '/conversations', { clientId: 'req-owner001', text: 'my laptop will not boot' })).json.conversation;
    const other = await newVisitor(h, 'Mallory');
    const before = await h.core.store.timeline((await tickets()).find((t) => t.number === conv.number)!.id);
    expect((await other.call('GET', `/conversations/${conv.id}`)).status).toBe(404);
    expect((await other.call('GET', `/conversations/${conv.id}/events`)).status).toBe(404);
    expect((await other.call('POST', `/conversations/${conv.id}/messages`, { clientId: 'msg-mallory1', text: 'hi' })).status).toBe(404);
    expect((await other.call('POST', `/conversations/${conv.id}/actions`, { clientId: 'act-mallory1', action: 'reopen' })).status).toBe(404);
    expect((await other.call('GET', '/conversations')).json.conversations).toEqual([]);
    const forged = owner.token.slice(0, -4) + (owner.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const r = await fetch(`${h.api}/conversations/${conv.id}`, { headers: { authorization: `Bearer ${forged}` } });
    expect(r.status).toBe(401);
    const after = await h.core.store.timeline((await tickets()).find((t) => t.number === conv.number)!.id);
    expect(after.length).toBe(before.length);
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const v = await newVisitor(h, 'Bea');
    const n = (await tickets()).length;
    const cases: Array<[string, string, unknown, number, RegExp, Record<string, string>?]> = [
      ['POST', '/conversations', { clientId: 'req-bad00001', text: 42 }, 400, /text/],
      ['POST', '/conversations', { clientId: 'x', text: 'hello' }, 400, /clientId/],
      ['POST', '/conversations', { clientId: 'req-bad00002', text: '   ' }, 400, /text: must not be empty/],
      ['POST', '/conversations', { clientId: 'req-bad00003', text: 'a'.repeat(4001) }, 400, /at most 4000/],
      ['POST', '/conversations', { clientId: 'req-bad00004', text: 'hi', admin: true }, 400, /admin|Unrecognized/i],
      ['POST', '/conversations', 'not json', 400, /not valid JSON/],
      ['POST', '/conversations', { clientId: 'req-bad00005', text: 'x'.repeat(20_000) }, 413, /over 16384 bytes/],
      ['POST', '/conversations', { clientId: 'req-bad00006', text: 'hi' }, 400, /content-type/, { 'content-type': 'application/xml' }],
      ['GET', '/conversations/c000000000000000000000000', undefined, 404, /no such conversation/],
      ['GET', '/conversations/../../etc', undefined, 404, /unknown desk|no such/],
      ['POST', '/conversations/c000000000000000000000000/messages', { clientId: 'msg-00000001', text: 'hi' }, 404, /no such conversation/],
      ['GET', '/suggest?q=a', undefined, 400, /at least 3/],
      ['GET', '/suggest?q=vpn&x=1', undefined, 400, /Unrecognized|x/],
    ];
    for (const [method, path, payload, status, msg, extra] of cases) {
      const r = await v.call(method, path, payload, extra);
      expect({ path, status: r.status }).toEqual({ path, status });
      expect(r.text).toMatch(msg);
    }
    const bad = await fetch(`${h.api}/visitor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '', email: 'nope' }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/name: must not be empty/);
    expect((await fetch(`${h.base}/chat/api/nodesk/visitor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    const conv = (await v.call('POST', '/conversations', { clientId: 'req-bad00009', text: 'printer offline' })).json.conversation;
    const rate = await v.call('POST', `/conversations/${conv.id}/actions`, { clientId: 'act-rate0001', action: 'rate', score: 9 });
    expect(rate.status).toBe(400);
    const early = await v.call('POST', `/conversations/${conv.id}/actions`, { clientId: 'act-rate0002', action: 'rate', score: 4 });
    expect(early.status).toBe(409); // not resolved yet
    expect((await tickets()).length).toBe(n + 1);
    const sse = await v.call('GET', `/conversations/${conv.id}/events`, undefined, { 'last-event-id': 'drop table' });
    expect(sse.status).toBe(400);
  });

  it('CORS: only the desk\'s allowed origins; cookie-authenticated writes need this origin', async () => {
    const pre = await fetch(`${h.api}/visitor`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    const evil = await fetch(`${h.api}/visitor`, { method: 'POST', headers: { origin: 'https://evil.example.net', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Eve', mode: 'widget' }) });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toMatch(/origin https:\/\/evil.example.net is not allowed/);

    // The full page: its CSRF token (meta + double-submit cookie), then the visitor in an httpOnly cookie.
    const html = await fetch(`${h.base}/chat`);
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(await html.text())![1]!;
    const csrfCookie = html.headers.getSetCookie().find((c) => c.startsWith('hd_csrf='))!.split(';')[0]!;
    const page = await fetch(`${h.api}/visitor`, { method: 'POST', headers: { origin: h.base, cookie: csrfCookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Paula' }) });
    expect(page.status).toBe(201);
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith('hd_visitor='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(((await page.json()) as Record<string, unknown>).token).toBeUndefined();
    const jar = `${csrfCookie}; ${cookie.split(';')[0]!}`;
    const n = (await tickets()).length;
    const noToken = await fetch(`${h.api}/conversations`, { method: 'POST', headers: { cookie: jar, origin: h.base, 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'req-csrf0001', text: 'vpn help' }) });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toMatch(/CSRF token/);
    const foreign = await fetch(`${h.api}/conversations`, { method: 'POST', headers: { cookie: jar, 'x-csrf-token': csrf, origin: 'https://shop.example.com', 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'req-csrf0003', text: 'vpn help' }) });
    expect(foreign.status).toBe(403); // an allowed widget origin still cannot ride on the page's cookie
    expect((await tickets()).length).toBe(n);
    const ok = await fetch(`${h.api}/conversations`, { method: 'POST', headers: { cookie: jar, 'x-csrf-token': csrf, origin: h.base, 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'req-csrf0002', text: 'need a new mouse' }) });
    expect(ok.status).toBe(201);
  });

  it('rate-limits suggestions per visitor in Redis', async () => {
    const v = await newVisitor(h, 'Speedy');
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) statuses.push((await v.call('GET', `/suggest?q=vpn${i}`)).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('the widget with everything it loads stays under 50 KB gzipped, served as-is', async () => {
    let gz = 0;
    for (const path of ['/chat/widget.js', '/chat/assets/chat-client.js', '/chat/assets/chat-i18n.js', '/chat/assets/chat.css']) {
      const r = await fetch(`${h.base}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      gz += gzipSync(Buffer.from(await r.arrayBuffer())).length;
    }
    expect(gz).toBeGreaterThan(2_000);
    expect(gz).toBeLessThan(50 * 1024);
    expect((await fetch(`${h.base}/chat/assets/..%2Fchat.app.ts`)).status).toBe(404);
  });
});
