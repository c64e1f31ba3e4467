import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatHarness, type ChatHarness } from './chat-harness.js';

/** An internal desk: no anonymous visitors; signed-in people (the web session) chat as themselves. */
describe('web chat on an internal desk', () => {
  let h: ChatHarness;
  beforeAll(async () => {
    h = await startChatHarness({ desk: { kind: 'internal' } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const signIn = async (email: string) => {
    const s = await h.ctx.sessions.create({ kind: 'visitor', name: email.split('@')[0], email, identity: { platform: 'web', workspace: 'email', user: email } }, 'test');
    const headers = { cookie: `hd_session=${s.id}`, 'x-csrf-token': s.csrf, origin: h.base, 'content-type': 'application/json' };
    return (method: string, path: string, body?: unknown) => fetch(`${h.api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };

  it('refuses anonymous visitors and says to sign in', async () => {
    const v = await fetch(`${h.api}/visitor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Anon', mode: 'widget' }) });
    expect(v.status).toBe(403);
    expect(await v.text()).toMatch(/signed-in people/);
    const me = await fetch(`${h.api}/me`);
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ signIn: true });
    const n = (await h.core.store.list({ limit: 50 })).length;
    expect((await fetch(`${h.api}/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clientId: 'req-anon0001', text: 'vpn' }) })).status).toBe(401);
    expect((await h.core.store.list({ limit: 50 })).length).toBe(n);
  });

  it('a signed-in person opens a ticket as themselves and only they see it', async () => {
    const ines = await signIn('ines@corp.example');
    expect(await (await ines('GET', '/me')).json()).toMatchObject({ visitor: { name: 'ines' } });
    const r = await ines('POST', '/conversations', { clientId: 'req-ines0001', text: 'my vpn is down' });
    expect(r.status).toBe(201);
    const conv = ((await r.json()) as { conversation: { id: string; number: string; status: string } }).conversation;
    expect(conv.status).toBe('open');
    const t = (await h.core.store.list({ limit: 50 })).find((x) => x.number === conv.number)!;
    expect(t.requester).toMatchObject({ platform: 'web', workspace: 'email', user: 'ines@corp.example' });
    const list = (await (await ines('GET', '/conversations')).json()) as { conversations: Array<{ number: string }> };
    expect(list.conversations.map((c) => c.number)).toEqual([conv.number]);

    const omar = await signIn('omar@corp.example');
    expect((await omar('GET', `/conversations/${conv.id}`)).status).toBe(404);
    expect((await omar('POST', `/conversations/${conv.id}/messages`, { clientId: 'msg-omar0001', text: 'peek' })).status).toBe(404);
    expect(((await (await omar('GET', '/conversations')).json()) as { conversations: unknown[] }).conversations).toEqual([]);
  });
});
