import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { SessionStore, SESSION_COOKIE } from '../../adapters/web/auth/session.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { testRedisUrl } from '../support/services.js';
import { startWebHarness, WEB_SECRET, WebClient, type WebHarness } from './web.harness.js';

/**
 * The web channel over HTTP against the real runtime (FerretDB, Redis, Slack on its fake):
 * sign-in, CSRF, permissions, bad input and escaping. Every refusal is checked to have stored nothing.
 */
let h: WebHarness;
let ana: WebClient;
let ticket: Ticket;

const link = (agentId: string, ttlMs = 60_000) => `/auth/magic?t=${h.magic.issue(agentId, ttlMs)}`;
const timelineSize = async (id: string) => (await h.hd.composed.store.timeline(id, { includeInternal: true })).length;

beforeAll(async () => {
  h = await startWebHarness();
  ana = new WebClient(h.base);
  expect((await ana.signIn(link('ana'))).status).toBe(303);
  ticket = await h.openTicket('My laptop will not boot after the update');
});
afterAll(async () => {
  await h?.stop();
});

describe('start page', () => {
  it('says what this is, links chat, console and reports, and lists platforms with how to enable them', async () => {
    const { res, html } = await new WebClient(h.base).page('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const href of ['/chat', '/console', '/console/reports']) expect(html).toContain(`href="${href}"`);
    expect(html).toMatch(/Slack<\/strong> <span class="badge on">enabled/);
    expect(html).toContain('DISCORD_TOKEN, DISCORD_APPLICATION_ID');
  });

  it('speaks Spanish to a Spanish browser', async () => {
    const res = await fetch(`${h.base}/`, { headers: { accept: 'text/html', 'accept-language': 'es-ES,es;q=0.9,en;q=0.5' } });
    const html = await res.text();
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('Tu helpdesk está en marcha');
  });

  it('answers an unknown path with a 404 (JSON for API clients)', async () => {
    expect((await fetch(`${h.base}/nope`, { headers: { accept: 'text/html' } })).status).toBe(404);
    const r = await fetch(`${h.base}/api/nope`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('keeps the platform receivers and health endpoints on their exact paths', async () => {
    expect((await fetch(`${h.base}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.base}/slack/events`, { method: 'POST', body: 'x' })).status).toBe(401);
  });
});

describe('sign-in', () => {
  it('sends a browser without a session to the sign-in page', async () => {
    const r = await new WebClient(h.base).request('GET', '/console');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/auth/signin?next=%2Fconsole');
    const api = await fetch(`${h.base}/console`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
  });

  it('sets an httpOnly SameSite=Lax session cookie', async () => {
    const c = new WebClient(h.base);
    const u = link('ben');
    await c.page(u);
    const r = await c.post('/auth/magic', { t: new URL(u, h.base).searchParams.get('t')! });
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('a magic link works once: the second use is refused, even from another browser', async () => {
    const u = link('ben');
    expect((await new WebClient(h.base).signIn(u)).status).toBe(303);
    const again = await new WebClient(h.base).signIn(u);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already used');
  });

  it('refuses an expired, a tampered and a foreign-agent link', async () => {
    const expired = await new WebClient(h.base).page(link('ana', -1000));
    expect(expired.res.status).toBe(410);
    expect(expired.html).toContain('expired');
    const good = h.magic.issue('ana', 60_000);
    const tampered = `${good.slice(0, -3)}${good.endsWith('A') ? 'B' : 'A'}xx`;
    expect((await new WebClient(h.base).page(`/auth/magic?t=${tampered}`)).res.status).toBe(400);
    expect((await new WebClient(h.base).page(`/auth/magic?t=${'x'.repeat(5000)}`)).res.status).toBe(400);
    expect((await new WebClient(h.base).page(link('nobody'))).res.status).toBe(404);
  });

  it('the CLI prints a link that signs in', async () => {
    const { Command } = await import('commander');
    const { registerWebCommands } = await import('../../app/cli/web.command.js');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((m) => (out.push(String(m)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const saved = { ...process.env };
    Object.assign(process.env, { HELPDESK_WEB_SECRET: WEB_SECRET, HELPDESK_PUBLIC_URL: h.base, HELPDESK_CONFIG: '' });
    try {
      const program = new Command().exitOverride();
      registerWebCommands(program);
      await program.parseAsync(['node', 'helpdesk', 'web', 'invite', 'ana', '--ttl', '30m']);
      await expect(program.parseAsync(['node', 'helpdesk', 'web', 'invite', 'zed'])).rejects.toThrow('no agent "zed" in the desk file');
      await expect(program.parseAsync(['node', 'helpdesk', 'web', 'invite', 'ana', '--ttl', '90d'])).rejects.toThrow('--ttl can be at most 30d');
    } finally {
      write.mockRestore();
      err.mockRestore();
      process.env = saved;
    }
    expect(out).toHaveLength(1);
    expect(out[0]!.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/magic\?t=/);
    expect((await new WebClient(h.base).signIn(out[0]!.trim())).status).toBe(303);
  });
});

describe('CSRF, permissions and bad input', () => {
  it('refuses a state change without the CSRF token, and stores nothing', async () => {
    const before = await timelineSize(ticket.id);
    const r = await ana.post(`/console/tickets/${ticket.number}/claim`, { eventId: 'e-nocsrf-1' }, { csrf: false });
    expect(r.status).toBe(403);
    expect(await r.text()).toContain('CSRF');
    const wrong = await ana.post(`/console/tickets/${ticket.number}/claim`, { eventId: 'e-nocsrf-2', _csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const json = await ana.request('POST', `/console/tickets/${ticket.number}/claim`, { json: { eventId: 'e-nocsrf-3' }, csrf: false });
    expect(json.status).toBe(403);
    expect((await h.hd.composed.store.get(ticket.id))!.status).toBe('open');
    expect(await timelineSize(ticket.id)).toBe(before);
  });

  it('refuses a form posted from another site (Origin)', async () => {
    const r = await ana.post(`/console/tickets/${ticket.number}/claim`, { eventId: 'e-origin-1' }, { headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(403);
    expect((await h.hd.composed.store.get(ticket.id))!.status).toBe('open');
  });

  it('refuses agent actions to a signed-in visitor and to an agent of another desk', async () => {
    const redis = new Redis(testRedisUrl());
    try {
      // A visitor session as the live chat creates them (same store, same cookie).
      const store = new SessionStore(redis, h.keyPrefix);
      const s = await store.create({ kind: 'visitor', identity: { platform: 'web', workspace: 'site', user: 'v-1' }, name: 'Vera' }, 'visitor');
      const visitor = new WebClient(h.base);
      (visitor as unknown as { cookies: Map<string, string> }).cookies.set(SESSION_COOKIE, s.id);
      visitor.csrf = s.csrf;
      const r = await visitor.post(`/console/tickets/${ticket.number}/claim`, { eventId: 'e-visitor-1' });
      expect(r.status).toBe(403);
      expect((await visitor.request('GET', '/console')).status).toBe(403);
    } finally {
      redis.disconnect();
    }
    const hugo = new WebClient(h.base);
    expect((await hugo.signIn(link('hugo'))).status).toBe(303);
    const before = await timelineSize(ticket.id);
    expect((await hugo.page(`/console/tickets/${ticket.number}`)).res.status).toBe(404);
    expect((await hugo.post(`/console/tickets/${ticket.number}/claim`, { eventId: 'e-hugo-1' })).status).toBe(404);
    expect((await hugo.post(`/console/tickets/${ticket.number}/reply`, { eventId: 'e-hugo-2', text: 'hi' })).status).toBe(404);
    expect((await hugo.request('GET', `/console/live?ticket=${ticket.id}`)).status).toBe(404);
    expect((await hugo.request('GET', '/console?desk=it')).status).toBe(403);
    expect((await h.hd.composed.store.get(ticket.id))!.status).toBe('open');
    expect(await timelineSize(ticket.id)).toBe(before);
  });

  it('answers bad input with a clear 4xx and stores nothing', async () => {
    const before = await timelineSize(ticket.id);
    const big = await ana.post(`/console/tickets/${ticket.number}/reply`, { eventId: 'e-big-1', text: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    const types = await ana.request('POST', `/console/tickets/${ticket.number}/priority`, { json: { eventId: 'e-types-1', priority: 5 }, headers: { accept: 'application/json' } });
    expect(types.status).toBe(400);
    expect(((await types.json()) as { error: string }).error).toMatch(/^priority: one of P1, P2, P3, P4/);
    const notJson = await fetch(`${h.base}/console/tickets/${ticket.number}/priority`, { method: 'POST', headers: { ...ana.headers(), 'content-type': 'application/json', 'x-csrf-token': ana.csrf, accept: 'application/json' }, body: '{"eventId": "e-json-1", "priority": ' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'body: not valid JSON' });
    const plain = await fetch(`${h.base}/console/tickets/${ticket.number}/priority`, { method: 'POST', headers: { ...ana.headers(), 'content-type': 'text/plain', 'x-csrf-token': ana.csrf, accept: 'application/json' }, body: 'priority=P1' });
    expect(plain.status).toBe(415);
    const empty = await ana.post(`/console/tickets/${ticket.number}/reply`, { eventId: 'e-empty-1', text: '   ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('text: write something first');
    expect((await ana.post(`/console/tickets/${ticket.number}/reply`, { text: 'no event id' })).status).toBe(400);
    expect((await ana.post(`/console/tickets/IT-999999/claim`, { eventId: 'e-unknown-1' })).status).toBe(404);
    expect((await ana.post(`/console/tickets/%3Cscript%3E/claim`, { eventId: 'e-unknown-2' })).status).toBe(404);
    expect((await ana.post(`/console/tickets/${ticket.number}/explode`, { eventId: 'e-unknown-3' })).status).toBe(404);
    const cat = await ana.post(`/console/tickets/${ticket.number}/category`, { eventId: 'e-cat-1', category: 'not-a-category' });
    expect(cat.status).toBe(400);
    const catText = await cat.text();
    expect(catText, catText.slice(catText.indexOf('<main'))).toContain('not-a-category');
    const macro = await ana.post(`/console/tickets/${ticket.number}/macro`, { eventId: 'e-macro-1', name: 'nope' });
    expect(macro.status).toBe(400);
    expect((await ana.page('/console?tier=abc')).res.status).toBe(400);
    expect((await ana.page('/console?after=%%%')).res.status).toBe(400);
    expect((await ana.page('/console?status=exploded')).html).toContain('status');
    const t = (await h.hd.composed.store.get(ticket.id))!;
    expect(t.status).toBe('open');
    expect(t.priority).toBe(ticket.priority);
    expect(t.category).toBe(ticket.category);
    expect(await timelineSize(ticket.id)).toBe(before);
  });
});

describe('escaping', () => {
  it('renders script and onerror payloads in subject, name and message as text', async () => {
    const x = await h.openTicket('<script>alert("subject")</script> printer <img src=x onerror=alert(1)>', { user: 'U0EVIL', name: '<img src=x onerror=alert("name")>' });
    await h.hd.composed.helpdesk.handle({ type: 'ticket.message', eventId: 'xss-msg-1', actor: x.requester, ticket: { id: x.id }, text: '</textarea><script>alert("msg")</script>' });
    const queue = (await ana.page('/console')).html;
    const page = (await ana.page(`/console/tickets/${x.number}`)).html;
    for (const html of [queue, page]) {
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).toContain('&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt;');
      expect(html).toContain('&lt;img src=x onerror=alert(&quot;name&quot;)&gt;');
    }
    expect(page).toContain('&lt;/textarea&gt;&lt;script&gt;alert(&quot;msg&quot;)&lt;/script&gt;');
  });
});

describe('console over HTTP', () => {
  it('claim, reply, note, priority, pending, resolve, reopen: through core, visible on the ticket and relayed to Slack', async () => {
    const t = await h.openTicket('VPN drops every ten minutes');
    const act = async (action: string, fields: Record<string, string> = {}) => {
      const r = await ana.post(`/console/tickets/${t.number}/${action}`, { eventId: `e-${action}-${Math.random()}`, ...fields });
      expect(r.status, `${action}: ${r.status}`).toBe(303);
      return (await h.hd.composed.store.get(t.id))!;
    };
    expect((await act('claim')).assignee).toMatchObject({ platform: 'web', user: 'ana', name: 'Ana García' });
    await act('reply', { text: 'Please try the new VPN profile.' });
    await act('note', { text: 'Probably the old profile again' });
    expect((await act('priority', { priority: 'P2' })).priority).toBe('P2');
    expect((await act('pend')).status).toBe('pending');
    expect((await act('resolve', { note: 'New profile fixed it' })).status).toBe('resolved');
    expect((await act('reopen')).status).toBe('open');
    const { html } = await ana.page(`/console/tickets/${t.number}`);
    expect(html).toContain('Please try the new VPN profile.');
    const note = html.slice(html.indexOf('<li class="note"'));
    expect(html.indexOf('<li class="note"')).toBeGreaterThan(0);
    expect(note.slice(0, note.indexOf('</li>'))).toContain('Internal note');
    // The requester on Slack got the public reply, never the note.
    await h.slack.waitFor(() => h.slack.calls.find((c) => String(c.args.text ?? '').includes('Please try the new VPN profile.')), 10_000);
    expect(h.slack.calls.some((c) => c.args.channel !== 'C0TIER1' && String(c.args.text ?? '').includes('Probably the old profile'))).toBe(false);
  });

  it('a second claim by another agent is refused with the reason, and a double-submitted form acts once', async () => {
    const t = await h.openTicket('Outlook asks for the password again and again');
    const r1 = await ana.post(`/console/tickets/${t.number}/claim`, { eventId: 'same-form-1' });
    const r2 = await ana.post(`/console/tickets/${t.number}/claim`, { eventId: 'same-form-1' });
    expect([r1.status, r2.status]).toEqual([303, 303]);
    expect((await h.hd.composed.store.timeline(t.id, { includeInternal: true })).filter((e) => e.event === 'claim')).toHaveLength(1);
    const ben = new WebClient(h.base);
    await ben.signIn(link('ben'));
    const r3 = await ben.post(`/console/tickets/${t.number}/claim`, { eventId: 'ben-claim-1' });
    expect(r3.status).toBe(409);
    expect(await r3.text()).toContain('already claimed by Ana García');
  });

  it('pages the queue with a keyset cursor: every ticket once, newest first', async () => {
    for (let i = 0; i < 30; i++) await h.openTicket(`paging ticket ${i}`, { deskId: 'it' });
    const seen: string[] = [];
    let url = '/console?status=open';
    for (let guard = 0; guard < 20 && url; guard++) {
      const { html, res } = await ana.page(url);
      expect(res.status).toBe(200);
      seen.push(...[...html.matchAll(/<tr data-ticket="([^"]+)"/g)].map((m) => m[1]!));
      const next = html.match(/<a href="([^"]+)" rel="next">/);
      url = next ? next[1]!.replaceAll('&amp;', '&') : '';
    }
    const open = await h.hd.composed.store.list({ deskId: 'it', status: ['open'], limit: 200 });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(open.map((t) => t.id));
  });

  it('the default view comes from the Redis queue index, which heals a stale entry', async () => {
    const redis = new Redis(testRedisUrl());
    try {
      const key = `${h.keyPrefix}web:q:desk:it`;
      const active = await h.hd.composed.store.page({ deskIds: ['it'], status: ['open', 'claimed', 'pending'], limit: 25 });
      expect(await redis.zcard(key)).toBeGreaterThanOrEqual(active.tickets.length);
      // A resolved ticket left in the index (as a lost event would leave it), newest of all:
      const done = await h.openTicket('stale entry test');
      await ana.post(`/console/tickets/${done.number}/resolve`, { eventId: 'stale-1' });
      await redis.zadd(key, Date.now() + 60_000, done.id);
      const { html } = await ana.page('/console');
      expect(html).not.toContain(`data-ticket="${done.id}"`);
      expect([...html.matchAll(/<tr data-ticket="([^"]+)"/g)].map((m) => m[1])).toEqual(active.tickets.map((t) => t.id));
      expect(await redis.zscore(key, done.id)).toBeNull();
    } finally {
      redis.disconnect();
    }
  });
});

// Last: it uses up this address's sign-in allowance for the minute.
describe('rate limits', () => {
  it('slows down sign-in attempts from one address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 35; i++) {
      last = await fetch(`${h.base}/auth/magic?t=nonsense`, { headers: { accept: 'text/html' } });
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(-1)).toEqual([429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
