import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/slack.adapter.js';
import { PlatformError } from '../../core/ports/chat-platform.port.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { ALICE, blockText, findElement, SECRET, startSlackHarness, TEAM, TIER1, type SlackHarness } from './slack-harness.js';

describe('slack: security, idempotency, refusals, modals and other intake paths', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  const ticketsOf = (user: string) => h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user } });

  it('rejects bad and stale signatures with 401 and touches nothing', async () => {
    const calls = h.fake.calls.length;
    const body = h.commandBody('printer on fire', { user: { user: 'USIG' } });
    expect((await h.send(body, 'application/x-www-form-urlencoded', { secret: 'wrong-secret' })).status).toBe(401);
    expect((await h.send(body, 'application/x-www-form-urlencoded', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    const ev = JSON.stringify({ type: 'event_callback', team_id: TEAM, event_id: 'EvBAD', event: { type: 'message', channel: 'DUSIG', channel_type: 'im', user: 'USIG', text: 'hi', ts: '1.1' } });
    expect((await h.send(ev, 'application/json', { secret: 'nope' })).status).toBe(401);
    const tampered = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=deadbeef' }, body: ev });
    expect(tampered.status).toBe(401);
    expect(await ticketsOf('USIG')).toHaveLength(0);
    expect(h.fake.calls.length).toBe(calls);
    expect(h.fake.responses.some((r) => r.id.includes('USIG'))).toBe(false);
  });

  it('a retried slash command (same trigger, X-Slack-Retry-Num) creates one ticket and answers once', async () => {
    const body = h.commandBody('the coffee machine on floor 3 makes a weird noise', { user: { user: 'URETRY' }, triggerId: 'trg.retry.1' });
    expect((await h.send(body, 'application/x-www-form-urlencoded')).status).toBe(200);
    expect((await h.send(body, 'application/x-www-form-urlencoded', { retryNum: 1 })).status).toBe(200);
    expect((await h.send(body, 'application/x-www-form-urlencoded', { retryNum: 2 })).status).toBe(200);
    expect(await ticketsOf('URETRY')).toHaveLength(1);
    expect(h.fake.responses.filter((r) => r.id === 'cmd-trg.retry.1')).toHaveLength(1);
  });

  it('a retried event (same event_id) creates nothing twice: one ticket, one answer in the DM', async () => {
    const ev = { type: 'message', channel: 'DUEVT', channel_type: 'im', user: 'UEVT', text: 'my monitor flickers all the time', ts: h.next() };
    await h.event(ev, { eventId: 'EvRETRY1' });
    await h.event(ev, { eventId: 'EvRETRY1', retryNum: 1 });
    expect(await ticketsOf('UEVT')).toHaveLength(1);
    expect(h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === 'DUEVT' && !c.args.thread_ts)).toHaveLength(1);
  });

  it('a retried button click (same payload) routes once and posts one card', async () => {
    await h.command('my vpn keeps disconnecting', { user: { user: 'UBTN' } });
    const resp = await h.fake.waitFor(() => h.fake.responses.filter((r) => r.id.startsWith('cmd-') && findElement(r.body.blocks, 'need_help')).at(-1));
    const [t] = await ticketsOf('UBTN');
    const payload = h.blockAction(resp.body.blocks, 'need_help', { user: { user: 'UBTN' }, channel: 'CGENERAL', ephemeral: true });
    const cards = () => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === TIER1 && blockText(c.args.blocks).includes(t!.number));
    await h.interaction(payload);
    await h.interaction(payload, { retryNum: 1 });
    expect(cards()).toHaveLength(1);
    expect((await h.composed.store.getByNumber(t!.number))?.status).toBe('open');
  });

  it('refuses non-agents ephemerally: card buttons, reactions and agent commands', async () => {
    const [t] = await ticketsOf('UBTN');
    const card = h.fake.messages.get(TIER1)!.find((m) => blockText(m.blocks).includes(t!.number))!;
    const before = h.fake.responses.length;
    await h.interaction(h.blockAction(card.blocks, 'claim', { user: { user: 'UBTN' }, channel: TIER1, messageTs: card.ts }));
    const refusal = await h.fake.waitFor(() => h.fake.responses.slice(before).find((r) => r.id.startsWith('act-')));
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(String(refusal.body.text)).toMatch(/Only agents/);

    await h.event({ type: 'reaction_added', user: 'UNOBODY', reaction: 'eyes', item: { type: 'message', channel: TIER1, ts: card.ts }, event_ts: h.next() });
    await h.fake.waitFor(() => h.fake.callsOf('chat.postEphemeral').find((c) => c.args.user === 'UNOBODY' && /Only agents/.test(String(c.args.text))));

    await h.command(`resolve ${t!.number} fixed it myself`, { user: { user: 'UNOBODY' } });
    await h.command('tickets', { user: { user: 'UNOBODY' }, channel: TIER1 });
    const last = h.fake.responses.filter((r) => r.id.startsWith('cmd-')).slice(-2);
    for (const r of last) expect(String(r.body.text)).toMatch(/Only agents/);
    expect((await h.composed.store.getByNumber(t!.number))?.status).toBe('open');

    // Agents get the queue; the requester gets their own list.
    await h.command('tickets', { user: ALICE, channel: TIER1 });
    expect(blockText(h.fake.responses.at(-1)!.body.blocks)).toContain(t!.number);
    await h.command('mine', { user: { user: 'UBTN' } });
    expect(blockText(h.fake.responses.at(-1)!.body.blocks)).toContain(t!.number);
    await h.command(`status ${t!.number}`, { user: { user: 'USTRANGER' } });
    expect(String(h.fake.responses.at(-1)!.body.text)).toMatch(/could not find/);
  });

  it('an agent changes priority with the card’s select; the card is edited in place', async () => {
    const [t] = await ticketsOf('UBTN');
    const card = h.fake.messages.get(TIER1)!.find((m) => blockText(m.blocks).includes(t!.number))!;
    await h.interaction(h.blockAction(card.blocks, 'priority', { user: ALICE, channel: TIER1, messageTs: card.ts, option: 'P1' }));
    expect((await h.composed.store.getByNumber(t!.number))?.priority).toBe('P1');
    const upd = await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === card.ts && (findElement(c.args.blocks, 'priority') as { initial_option?: { value: string } } | undefined)?.initial_option?.value.endsWith(':P1')));
    expect(upd.args.channel).toBe(TIER1);
  });

  it('/help with no text opens the modal; a submission missing the subject gets response_action: errors', async () => {
    await h.command('', { user: { user: 'UMODAL' } });
    const open = await h.fake.waitFor(() => h.fake.callsOf('views.open').find((c) => (c.args.view as { callback_id?: string }).callback_id === 'hd_help'));
    const view = open.args.view as { blocks: Array<{ block_id: string }> } & Record<string, unknown>;
    expect(view.blocks.map((b) => b.block_id)).toEqual(['subject', 'details', 'category', 'urgency']);

    const bad = await h.interaction(h.viewPayload('view_submission', view, { subject: { value: { type: 'plain_text_input', value: '   ' } }, details: { value: { type: 'plain_text_input', value: 'it is broken' } } }, { user: 'UMODAL' }));
    expect(bad.status).toBe(200);
    expect(bad.json()).toEqual({ response_action: 'errors', errors: { subject: expect.stringMatching(/subject/i) } });
    expect(await ticketsOf('UMODAL')).toHaveLength(0);

    const good = await h.interaction(
      h.viewPayload('view_submission', view, {
        subject: { value: { type: 'plain_text_input', value: 'Cannot print payslips' } },
        details: { value: { type: 'plain_text_input', value: 'The HR printer shows offline since this morning' } },
        category: { value: { type: 'static_select', selected_option: { value: 'hardware' } } },
        urgency: { value: { type: 'static_select', selected_option: { value: 'P2' } } },
      }, { user: 'UMODAL' }),
    );
    expect(good.status).toBe(200);
    const [t] = await ticketsOf('UMODAL');
    expect(t).toMatchObject({ subject: 'Cannot print payslips', category: 'hardware', priority: 'P2' });
    // The answer goes back through the slash command's response_url, kept in the modal's metadata.
    const meta = JSON.parse(String(view.private_metadata)) as { responseUrl: string };
    const id = meta.responseUrl.split('/response/')[1];
    await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === id && String(r.body.text).length > 0));
  });

  it('the "Create ticket" message shortcut files someone’s message and its thread for its author', async () => {
    h.fake.seed({ channel: 'CWATCH', ts: '1700001000.000100', user: 'UAUTHOR', text: 'Outlook keeps asking for my password' });
    h.fake.seed({ channel: 'CWATCH', ts: '1700001000.000200', user: 'UOTHER', text: 'same here since the update', thread_ts: '1700001000.000100' });
    const payload = {
      type: 'message_action', callback_id: 'hd_create_ticket', trigger_id: `trg.${h.next()}`, response_url: h.fake.responseUrl('shortcut-1'),
      team: { id: TEAM, domain: 'fake' }, channel: { id: 'CWATCH', name: 'watch' }, user: { id: 'UREPORTER', name: 'rep', team_id: TEAM },
      message: { type: 'message', user: 'UAUTHOR', ts: '1700001000.000100', text: 'Outlook keeps asking for my password' },
      message_ts: '1700001000.000100', action_ts: h.next(), token: 'legacy',
    };
    expect((await h.interaction(payload)).status).toBe(200);
    const [t] = await ticketsOf('UAUTHOR');
    expect(t?.status).toBe('open');
    expect(t?.description).toContain('same here since the update');
    expect(t?.links.find((l) => l.role === 'requester')).toMatchObject({ channel: 'CWATCH', thread: '1700001000.000100' });
    await h.fake.waitFor(() => h.fake.responses.find((r) => r.id === 'shortcut-1' && String(r.body.text).includes(t!.number)));
    // The routed notice lands in the message's thread, where the conversation continues.
    await h.fake.waitFor(() => h.fake.callsOf('chat.postMessage').find((c) => c.args.channel === 'CWATCH' && c.args.thread_ts === '1700001000.000100'));

    // The :ticket: reaction on the same message finds the same ticket (one per message).
    await h.event({ type: 'reaction_added', user: 'UREPORTER', reaction: 'ticket', item: { type: 'message', channel: 'CWATCH', ts: '1700001000.000100' }, item_user: 'UAUTHOR', event_ts: h.next() });
    expect(await ticketsOf('UAUTHOR')).toHaveLength(1);
  });

  it('the :ticket: reaction files a message in a watched channel; other emoji do nothing', async () => {
    h.fake.seed({ channel: 'CWATCH', ts: '1700002000.000100', user: 'UREACT', text: 'Teams crashes when I share my screen' });
    await h.event({ type: 'reaction_added', user: 'UHELPER', reaction: 'thumbsup', item: { type: 'message', channel: 'CWATCH', ts: '1700002000.000100' }, item_user: 'UREACT', event_ts: h.next() });
    expect(await ticketsOf('UREACT')).toHaveLength(0);
    await h.event({ type: 'reaction_added', user: 'UHELPER', reaction: 'ticket', item: { type: 'message', channel: 'CWATCH', ts: '1700002000.000100' }, item_user: 'UREACT', event_ts: h.next() });
    const [t] = await ticketsOf('UREACT');
    expect(t?.subject).toContain('Teams crashes');
  });

  it('maps Slack failures to PlatformError: 429 with Retry-After and 5xx retryable, channel_not_found permanent', async () => {
    const target = { workspace: TEAM, channel: 'CANY' };
    const view = { kind: 'notice' as const, fallback: 'hello', text: 'hello' };
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const e429 = await h.adapter.platform.post(target, view).catch((e: unknown) => e);
    expect(e429).toBeInstanceOf(PlatformError);
    expect(e429).toMatchObject({ retryable: true, retryAfterMs: 7000, status: 429 });
    h.fake.failNext('chat.postMessage', { status: 500 });
    expect(await h.adapter.platform.post(target, view).catch((e: unknown) => e)).toMatchObject({ retryable: true, status: 500 });
    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    expect(await h.adapter.platform.post(target, view).catch((e: unknown) => e)).toMatchObject({ retryable: false, message: expect.stringContaining('channel_not_found') });
    h.fake.failNext('chat.update', { error: 'ratelimited' });
    expect(await h.adapter.platform.update({ platform: 'slack', workspace: TEAM, channel: 'CANY', message: '1.2', role: 'triage' }, view).catch((e: unknown) => e)).toMatchObject({ retryable: true });
    expect(await h.adapter.platform.post(target, view)).toMatchObject({ channel: 'CANY' });
  });

  it('Socket Mode is constructible with an app token (no HTTP listener)', () => {
    const a = createSlackAdapter({ helpdesk: h.composed.helpdesk, signingSecret: SECRET, botToken: 'xoxb-x', appToken: 'xapp-x', socketMode: true, apiUrl: h.fake.apiUrl, botUserId: 'UBOT', botId: 'BBOT', log: silentLogger });
    expect(a.requestListener).toBeUndefined();
    expect(a.app).toBeDefined();
    expect(() => createSlackAdapter({ helpdesk: h.composed.helpdesk, signingSecret: SECRET, botToken: 'xoxb-x', socketMode: true, log: silentLogger })).toThrow(/appToken|app-level/);
  });
});
