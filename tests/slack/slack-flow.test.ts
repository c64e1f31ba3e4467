import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, blockText, CAROL, findElement, startSlackHarness, TEAM, TIER1, TIER2, type SlackHarness } from './slack-harness.js';

/**
 * The whole life of a request in Slack, end to end: the real Bolt app driven by signed HTTP
 * requests, core on FerretDB, the real KB, outbound calls landing on the fake Web API.
 */
describe('slack: /help → suggestions → card → claim → relay → note → escalate → resolve → CSAT', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const REQ = { user: 'UREQ', name: 'Rita' };
  const DM = 'DUREQ'; // the fake's conversations.open answer for UREQ
  let number = '';
  let cardTs = '';
  const posts = (channel: string) => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === channel);

  it('answers url_verification with the challenge', async () => {
    const r = await h.send(JSON.stringify({ token: 'x', challenge: 'abc123', type: 'url_verification' }), 'application/json');
    expect(r.status).toBe(200);
    expect(r.text).toContain('abc123');
  });

  it('/help <text> acks and shows KB suggestions ephemerally with the deflection buttons', async () => {
    const r = await h.command('my vpn keeps disconnecting', { user: REQ });
    expect(r.status).toBe(200);
    const resp = await h.fake.waitFor(() => h.fake.responses.find((x) => x.id.startsWith('cmd-')));
    expect(resp.body.response_type).toBe('ephemeral');
    expect(findElement(resp.body.blocks, 'solved')).toBeDefined();
    expect(findElement(resp.body.blocks, 'need_help')).toBeDefined();
    const [t] = await h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user: 'UREQ' } });
    expect(t?.status).toBe('new');
    expect(t?.suggestedArticles?.length).toBeGreaterThan(0);
    number = t!.number;
    expect(posts(TIER1)).toHaveLength(0); // no card while the person may still self-serve
  });

  it('"I still need help" routes the ticket: card in tier 1 with Claim/Escalate/Resolve + priority, person told', async () => {
    const resp = h.fake.responses.find((x) => x.id.startsWith('cmd-'))!;
    const r = await h.interaction(h.blockAction(resp.body.blocks, 'need_help', { user: REQ, channel: 'CGENERAL', ephemeral: true }));
    expect(r.status).toBe(200);
    const card = await h.fake.waitFor(() => posts(TIER1)[0]);
    for (const a of ['claim', 'escalate', 'resolve', 'priority', 'note']) expect(findElement(card.args.blocks, a), a).toBeDefined();
    expect(blockText(card.args.blocks)).toContain(number);
    cardTs = h.fake.messages.get(TIER1)![0]!.ts;
    const replaced = await h.fake.waitFor(() => h.fake.responses.find((x) => x.id.startsWith('act-') && x.body.replace_original === true));
    expect(String(replaced.body.text)).toContain(number);
    // The requester's place for the conversation is their DM with the bot.
    await h.fake.waitFor(() => posts(DM).length >= 1);
    const t = await h.composed.store.getByNumber(number);
    expect(t?.status).toBe('open');
    expect(t?.links.some((l) => l.role === 'triage' && l.channel === TIER1 && l.message === cardTs)).toBe(true);
  });

  it('an agent claims by reacting :eyes: on the card; the card is edited in place; a second claimer is told who has it', async () => {
    await h.event({ type: 'reaction_added', user: ALICE.user, reaction: 'eyes', item: { type: 'message', channel: TIER1, ts: cardTs }, item_user: 'UBOT', event_ts: h.next() });
    const upd = await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === cardTs && blockText(c.args.blocks).includes('Alice')));
    expect(upd.args.channel).toBe(TIER1);
    expect(findElement(upd.args.blocks, 'claim')).toBeUndefined();
    expect((await h.composed.store.getByNumber(number))?.assignee?.user).toBe(ALICE.user);
    await h.fake.waitFor(() => posts(DM).some((c) => String(c.args.text).includes('Alice')));

    await h.event({ type: 'reaction_added', user: BOB.user, reaction: 'eyes', item: { type: 'message', channel: TIER1, ts: cardTs }, item_user: 'UBOT', event_ts: h.next() });
    const eph = await h.fake.waitFor(() => h.fake.callsOf('chat.postEphemeral').find((c) => c.args.user === BOB.user));
    expect(String(eph.args.text)).toMatch(/already claimed by Alice/);
    expect((await h.composed.store.getByNumber(number))?.assignee?.user).toBe(ALICE.user);
  });

  it('relays the card thread to the requester and back, attributed, without broadcast mentions', async () => {
    await h.event({ type: 'message', channel: TIER1, channel_type: 'channel', user: ALICE.user, text: 'Hi <!channel> please restart the VPN client <!subteam^S123|@it-team>', ts: h.next(), thread_ts: cardTs });
    const toReq = await h.fake.waitFor(() => posts(DM).find((c) => String(c.args.text).includes('restart the VPN client')));
    const shown = JSON.stringify(toReq.args);
    expect(shown).not.toMatch(/<!channel>|<!here>|<!subteam/);
    expect(blockText(toReq.args.blocks)).toContain('Alice');

    await h.event({ type: 'message', channel: DM, channel_type: 'im', user: 'UREQ', text: 'Restarted, still broken', ts: h.next() });
    const toCard = await h.fake.waitFor(() => posts(TIER1).find((c) => String(c.args.text).includes('still broken')));
    expect(toCard.args.thread_ts).toBe(cardTs);
  });

  it('never relays the bot’s own messages (no loops)', async () => {
    const before = h.fake.callsOf('chat.postMessage').length;
    const tl = (await h.composed.store.timeline((await h.composed.store.getByNumber(number))!.id, { includeInternal: true })).length;
    await h.event({ type: 'message', channel: TIER1, user: 'UBOT', bot_id: 'BBOT', text: 'relayed copy', ts: h.next(), thread_ts: cardTs });
    await h.event({ type: 'message', subtype: 'bot_message', channel: DM, channel_type: 'im', bot_id: 'BOTHER', text: 'other bot', ts: h.next() });
    expect(h.fake.callsOf('chat.postMessage').length).toBe(before);
    expect((await h.composed.store.timeline((await h.composed.store.getByNumber(number))!.id, { includeInternal: true })).length).toBe(tl);
  });

  it('internal notes (prefix or "Add internal note") stay with the agents', async () => {
    await h.event({ type: 'message', channel: TIER1, channel_type: 'channel', user: ALICE.user, text: 'note: old client build 4.1 on this laptop', ts: h.next(), thread_ts: cardTs });
    const card = h.fake.messages.get(TIER1)![0]!;
    const r = await h.interaction(h.blockAction(card.blocks, 'note', { user: ALICE, channel: TIER1, messageTs: cardTs }));
    expect(r.status).toBe(200);
    const open = await h.fake.waitFor(() => h.fake.callsOf('views.open').find((c) => (c.args.view as { callback_id?: string }).callback_id === 'hd_note'));
    const view = open.args.view as Record<string, unknown>;
    const sub = await h.interaction(h.viewPayload('view_submission', view, { note: { value: { type: 'plain_text_input', value: 'checked licence: fine' } } }, ALICE));
    expect(sub.status).toBe(200);
    const t = (await h.composed.store.getByNumber(number))!;
    const notes = (await h.composed.store.timeline(t.id, { includeInternal: true })).filter((e) => e.visibility === 'internal');
    expect(notes.map((n) => n.text)).toEqual(expect.arrayContaining(['old client build 4.1 on this laptop', 'checked licence: fine']));
    // The modal's note reaches the card thread; nothing of either note reaches the requester.
    await h.fake.waitFor(() => posts(TIER1).find((c) => String(c.args.text).includes('checked licence')));
    expect(posts(DM).some((c) => /old client|licence/.test(JSON.stringify(c.args)))).toBe(false);
  });

  it('/help escalate posts card + transcript to tier 2 with a link back, updates tier 1, tells the requester', async () => {
    const r = await h.command(`escalate ${number} needs a VPN admin`, { user: ALICE });
    expect(r.status).toBe(200);
    const t2 = await h.fake.waitFor(() => posts(TIER2)[0]);
    const text = blockText(t2.args.blocks);
    expect(text).toContain(number);
    expect(text).toContain('still broken'); // transcript
    expect(text).not.toContain('old client'); // internal notes are not in the transcript sent on
    expect(JSON.stringify(t2.args.blocks)).toContain('fake.slack.com/archives/C_TIER1');
    await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === cardTs && blockText(c.args.blocks).includes('Tier 2')));
    await h.fake.waitFor(() => posts(DM).find((c) => String(c.args.text).includes('Tier 2')));
    const ack = await h.fake.waitFor(() => h.fake.responses.filter((x) => x.id.startsWith('cmd-')).at(-1));
    expect(String(ack.body.text)).toContain(number);
    expect((await h.composed.store.getByNumber(number))?.tier).toBe(2);
  });

  it('Resolve on the tier-2 card tells the requester and asks for CSAT; the rating (with comment) is stored once', async () => {
    const t2msg = h.fake.messages.get(TIER2)![0]!;
    await h.interaction(h.blockAction(t2msg.blocks, 'resolve', { user: CAROL, channel: TIER2, messageTs: t2msg.ts }));
    const csat = await h.fake.waitFor(() => h.fake.messages.get(DM)!.find((m) => findElement(m.blocks, 'rate')));
    expect((await h.composed.store.getByNumber(number))?.status).toBe('resolved');
    expect(posts(DM).some((c) => String(c.args.text).includes('resolved by Carol'))).toBe(true);

    await h.interaction(h.blockAction(csat.blocks, 'rate', { user: { user: 'UREQ', name: 'Rita' }, channel: DM, messageTs: csat.ts, arg: '4' }));
    const modal = await h.fake.waitFor(() => h.fake.callsOf('views.open').find((c) => (c.args.view as { callback_id?: string }).callback_id === 'hd_csat'));
    const view = modal.args.view as Record<string, unknown>;
    expect((await h.composed.store.getByNumber(number))?.csat).toBeUndefined(); // stored on submit (or close)
    await h.interaction(h.viewPayload('view_submission', view, { comment: { value: { type: 'plain_text_input', value: 'quick and kind' } } }, { user: 'UREQ' }));
    const rated = await h.composed.store.getByNumber(number);
    expect(rated?.csat?.score).toBe(4);
    expect(rated?.csat?.comment).toBe('quick and kind');
    await h.fake.waitFor(() => h.fake.callsOf('chat.update').find((c) => c.args.ts === csat.ts && String(c.args.text).includes('4/5')));

    // A second answer changes nothing and is told so.
    await h.interaction(h.viewPayload('view_submission', view, { comment: { value: { type: 'plain_text_input', value: 'changed my mind' } } }, { user: 'UREQ' }));
    expect((await h.composed.store.getByNumber(number))?.csat?.comment).toBe('quick and kind');
    await h.fake.waitFor(() => h.fake.callsOf('chat.postEphemeral').find((c) => c.args.user === 'UREQ' && /already been rated/.test(String(c.args.text))));
  });
});
