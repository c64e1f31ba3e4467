import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { BOT, botAddedToTeam, cardAction, channelMessage, personalMessage, reaction, type TeamsUser } from './activities.js';
import { actionOf, cardOf, expectSuggestions, startTeams, verbsOf, type TeamsHarness } from './harness.js';

const TIER1 = '19:tier1@thread.tacv2';
const TIER2 = '19:tier2@thread.tacv2';
const alice: TeamsUser = { id: '29:alice', name: 'Alice Requester' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const carol: TeamsUser = { id: '29:carol', name: 'Carol Tier2' };
const mallory: TeamsUser = { id: '29:mallory', name: 'Mallory' };

describe('Teams adapter: request → deflection → triage → relay → escalation → resolve → CSAT', () => {
  let h: TeamsHarness;
  const state: { ticketId?: string; cardConv?: string; cardId?: string; dmConv?: string; tier2Conv?: string; tier2Id?: string; csatCard?: any } = {};

  beforeAll(async () => {
    h = await startTeams({
      desks: [testDesk()],
      agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1), testAgent('carol', [person('teams', carol.id, 'tenant1', carol.name)], 2)],
    });
  });
  afterAll(async () => h?.close());

  it('welcomes the team when the bot is added and remembers the install', async () => {
    const r = await h.send(botAddedToTeam(h.connector.url, bob));
    expect(r.status).toBe(200);
    const welcome = h.connector.posted().find((p) => p.call.conversationId === '19:team-general@thread.tacv2');
    expect(welcome?.activity.text).toContain('Hi IT Support! I am the IT helpdesk');
    expect(await h.teams.installs.list()).toEqual([expect.objectContaining({ tenantId: 'tenant1', teamId: '19:team-general@thread.tacv2', teamName: 'IT Support', serviceUrl: h.connector.url })]);
  });

  it('any 1:1 message is a help request; suggestions come back privately as an Adaptive Card', async () => {
    const before = h.connector.calls.length;
    const msg = personalMessage(h.connector.url, alice, 'My VPN keeps dropping every hour');
    const r = await h.send(msg);
    expect(r.status).toBe(200);
    const replies = h.connector.posted().slice(-1);
    expect(h.connector.calls.length).toBe(before + 1);
    const card = cardOf(replies[0]!.activity);
    expect(card.version).toBe('1.5');
    expectSuggestions(card);
    expect(replies[0]!.call.conversationId).toBe(`a:dm-${alice.id}`);
    const [t] = await h.core.store.list({ requester: person('teams', alice.id) });
    expect(t).toMatchObject({ status: 'new', requester: { platform: 'teams', workspace: 'tenant1', user: alice.id, name: alice.name } });
    expect(t!.links).toEqual([expect.objectContaining({ role: 'requester', platform: 'teams', channel: `a:dm-${alice.id}` })]);
    state.ticketId = t!.id;
    state.dmConv = `a:dm-${alice.id}`;

    // Teams replays the same activity: nothing is created or sent twice.
    const again = await h.send(msg);
    expect(again.status).toBe(200);
    expect(h.connector.calls.length).toBe(before + 1);
    expect(await h.core.store.list({ requester: person('teams', alice.id) })).toHaveLength(1);
    (state as any).suggestions = card;
  });

  it('"I still need help" posts the triage card proactively in the tier-1 channel', async () => {
    const card = (state as any).suggestions;
    const r = await h.send(cardAction(h.connector.url, alice, actionOf(card, 'hd:need_help'), { conversation: state.dmConv!, replyToId: '1' }));
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const created = h.connector.callsOf('create', TIER1);
    expect(created).toHaveLength(1);
    const triage = cardOf(created[0]!.body.activity);
    expect(verbsOf(triage)).toEqual(['hd:claim', 'hd:escalate', 'hd:resolve', 'hd:priority']);
    expect(triage.refresh.action.verb).toBe('hd:refresh');
    const t = await h.core.store.get(state.ticketId!);
    expect(t!.status).toBe('open');
    const link = t!.links.find((l) => l.role === 'triage' && l.platform === 'teams')!;
    expect(link).toMatchObject({ channel: TIER1, message: created[0]!.answeredActivityId, tier: 1 });
    state.cardId = link.message;
    state.cardConv = `${TIER1};messageid=${link.message}`;
    // the requester hears it went to the desk, in their chat
    expect(h.connector.posted().some((p) => p.call.conversationId === state.dmConv && /is with the IT team/.test(p.activity.text ?? ''))).toBe(true);
    (state as any).triage = triage;
  });

  it('refuses a non-agent\'s Claim: the card answers with the refusal on top and the unchanged truth', async () => {
    const triage = (state as any).triage;
    const r = await h.send(cardAction(h.connector.url, mallory, actionOf(triage, 'hd:claim'), { conversation: state.cardConv!, replyToId: state.cardId }));
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body.value)).toContain('Only agents of this desk can do that.');
    expect(verbsOf(r.body.value)).toContain('hd:claim');
    expect((await h.core.store.get(state.ticketId!))!.status).toBe('open');
  });

  it('an agent claims with the card; the card refreshes in place and the requester is told', async () => {
    const triage = (state as any).triage;
    const before = h.connector.calls.length;
    const click = cardAction(h.connector.url, bob, actionOf(triage, 'hd:claim'), { conversation: state.cardConv!, replyToId: state.cardId });
    const r = await h.send(click);
    expect(r.body.type).toBe('application/vnd.microsoft.card.adaptive');
    const facts = JSON.stringify(r.body.value);
    expect(facts).toContain('In progress');
    expect(facts).toContain('Bob Agent');
    expect(verbsOf(r.body.value)).toEqual(['hd:unclaim', 'hd:escalate', 'hd:resolve', 'hd:priority']);
    const t = await h.core.store.get(state.ticketId!);
    expect(t).toMatchObject({ status: 'claimed', assignee: { user: bob.id } });
    const calls = h.connector.calls.slice(before);
    // everyone's copy is edited in place (PUT on the card), and the requester hears who took it
    expect(calls.filter((c) => c.kind === 'update' && c.activityId === state.cardId)).toHaveLength(1);
    expect(calls.some((c) => c.conversationId === state.dmConv && /Bob Agent is working on IT-/.test(c.body.text ?? ''))).toBe(true);
    // the same click replayed does nothing more
    const n = h.connector.calls.length;
    const again = await h.send(click);
    expect(JSON.stringify(again.body.value)).toContain('In progress');
    expect(h.connector.calls.length).toBe(n);
  });

  it('relays between the card thread and the requester chat, with attribution, notes and loop protection', async () => {
    const before = h.connector.calls.length;
    await h.send(channelMessage(h.connector.url, bob, TIER1, 'Please restart the VPN client', { thread: state.cardId }));
    let calls = h.connector.calls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ conversationId: state.dmConv });
    expect(calls[0]!.body.text).toBe('**Bob Agent (teams)**: Please restart the VPN client');

    // an internal note stays among agents
    const n1 = h.connector.calls.length;
    await h.send(channelMessage(h.connector.url, bob, TIER1, 'note: user is on the old client', { thread: state.cardId }));
    expect(h.connector.calls.length).toBe(n1);
    const tl = await h.core.store.timeline(state.ticketId!, { includeInternal: true });
    expect(tl.find((e) => e.kind === 'note')?.text).toBe('user is on the old client');

    // the requester answers in the 1:1 chat: it lands in the card's thread; channel mentions are neutralised
    const n2 = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, alice, 'Still broken, told <at>General</at> too'));
    calls = h.connector.calls.slice(n2);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.conversationId).toBe(state.cardConv);
    expect(calls[0]!.body.text).toContain('**Alice Requester (teams)**: Still broken, told @\u200bGeneral too');

    // the bot's own activity coming back is ignored
    const n3 = h.connector.calls.length;
    await h.send(channelMessage(h.connector.url, BOT, TIER1, 'echo of a relay', { thread: state.cardId }));
    expect(h.connector.calls.length).toBe(n3);
    expect((await h.core.store.timeline(state.ticketId!)).some((e) => e.text.includes('echo of a relay'))).toBe(false);
  });

  it('escalation starts a new conversation in the tier-2 channel with transcript and a link back', async () => {
    const triage = (state as any).triage;
    const r = await h.send(cardAction(h.connector.url, bob, actionOf(triage, 'hd:escalate'), { conversation: state.cardConv!, replyToId: state.cardId }));
    expect(JSON.stringify(r.body.value)).toContain('Tier 2');
    const created = h.connector.callsOf('create', TIER2);
    expect(created).toHaveLength(1);
    const card = cardOf(created[0]!.body.activity);
    const text = JSON.stringify(card);
    expect(text).toContain('Escalated from tier 1');
    expect(text).toContain('Please restart the VPN client');
    expect(text).not.toContain('old client'); // internal notes are not in the transcript shown
    expect(card.actions.find((a: any) => a.type === 'Action.OpenUrl')?.url).toBe(`https://teams.microsoft.com/l/message/${encodeURIComponent(TIER1)}/${state.cardId}`);
    const t = await h.core.store.get(state.ticketId!);
    expect(t).toMatchObject({ status: 'open', tier: 2 });
    state.tier2Id = created[0]!.answeredActivityId;
    state.tier2Conv = created[0]!.answeredId;
    expect(h.connector.calls.some((c) => c.kind === 'update' && c.activityId === state.cardId && JSON.stringify(c.body).includes('Tier 2'))).toBe(true);
  });

  it('a tier-2 agent claims with a reaction (once, however often Teams delivers it); others are told privately', async () => {
    // a non-agent's 👍 is not a claim, and they are told why in their 1:1 chat
    await h.send(reaction(h.connector.url, mallory, TIER2, state.tier2Id!));
    const toMallory = h.connector.calls.find((c) => c.kind === 'create' && c.body.members?.[0]?.id === mallory.id);
    expect(h.connector.calls.find((c) => c.kind === 'send' && c.conversationId === toMallory?.answeredId)?.body.text).toBe('Only agents of this desk can do that.');
    expect((await h.core.store.get(state.ticketId!))!.status).toBe('open');
    const react = reaction(h.connector.url, carol, TIER2, state.tier2Id!);
    await h.send(react);
    await h.send(react);
    const t = await h.core.store.get(state.ticketId!);
    expect(t).toMatchObject({ status: 'claimed', assignee: { user: carol.id } });
    const claims = (await h.core.store.timeline(state.ticketId!)).filter((e) => e.event === 'claim');
    expect(claims).toHaveLength(2); // Bob at tier 1, Carol at tier 2
  });

  it('resolve sends the requester a CSAT card (1–5 + comment) and the rating is stored once', async () => {
    const t0 = await h.core.store.get(state.ticketId!);
    const tier2Link = t0!.links.find((l) => l.role === 'triage' && l.tier === 2)!;
    const r = await h.send(cardAction(h.connector.url, carol, { verb: 'hd:resolve', data: { hd: { action: 'resolve', ticketId: state.ticketId } } }, { conversation: state.tier2Conv!, replyToId: tier2Link.message }));
    expect(JSON.stringify(r.body.value)).toContain('Resolved');
    const csat = h.connector.posted().map((p) => ({ ...p, card: cardOf(p.activity) })).find((p) => p.call.conversationId === state.dmConv && p.card && verbsOf(p.card).includes('hd:rate'));
    expect(csat).toBeDefined();
    expect(verbsOf(csat!.card)).toEqual(['hd:rate', 'hd:rate', 'hd:rate', 'hd:rate', 'hd:rate']);
    expect(csat!.card.body.some((b: any) => b.type === 'Input.Text' && b.id === 'comment')).toBe(true);

    // a non-requester cannot rate
    const five = csat!.card.actions[4];
    const refused = await h.send(cardAction(h.connector.url, mallory, { verb: five.verb, data: { ...five.data, comment: 'x' } }, { conversation: state.dmConv! }));
    expect(refused.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: 'Only the person who asked can do that.' });

    const rate = cardAction(h.connector.url, alice, { verb: five.verb, data: { ...five.data, comment: 'Quick and friendly' } }, { conversation: state.dmConv! });
    const ok = await h.send(rate);
    expect(JSON.stringify(ok.body.value)).toContain('Thanks for rating IT-');
    await h.send(rate); // replay
    const t = await h.core.store.get(state.ticketId!);
    expect(t).toMatchObject({ status: 'resolved', csat: { score: 5, comment: 'Quick and friendly' } });
    expect((await h.core.store.timeline(state.ticketId!)).filter((e) => e.event === 'rate')).toHaveLength(1);
  });
});
