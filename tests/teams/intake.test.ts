import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { cardAction, channelMessage, personalMessage, submitAction, type TeamsUser } from './activities.js';
import { actionOf, cardOf, expectSuggestions, startTeams, verbsOf, type TeamsHarness } from './harness.js';

const TIER1 = '19:tier1@thread.tacv2';
const GENERAL = '19:general@thread.tacv2';
const dana: TeamsUser = { id: '29:dana', name: 'Dana' };
const erik: TeamsUser = { id: '29:erik', name: 'Erik' };
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const sam = person('slack', 'U_SAM', 'T1', 'Sam (Slack)');

describe('Teams intake, commands and cross-platform truth', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    h = await startTeams({
      desks: [testDesk()],
      agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1), testAgent('sam', [sam], 1)],
    });
  });
  afterAll(async () => h?.close());

  it('`@Helpdesk help <text>` in a channel: mentions stripped or neutralised, suggestions sent privately', async () => {
    const channelMention = { type: 'mention', text: '<at>General</at>', mentioned: { id: GENERAL, name: 'General' } };
    const msg = channelMessage(h.connector.url, dana, GENERAL, 'help my VPN fails, see <at>General</at>', { mention: true, extraEntities: [channelMention] });
    const before = h.connector.calls.length;
    await h.send(msg);
    const [t] = await h.core.store.list({ requester: person('teams', dana.id) });
    expect(t!.description).toBe('my VPN fails, see @\u200bGeneral');
    expect(t!.links).toEqual([expect.objectContaining({ role: 'requester', channel: GENERAL, thread: msg.id })]);
    const calls = h.connector.calls.slice(before);
    // a short public acknowledgement in the thread, and the suggestions in a new 1:1 chat
    expect(calls.find((c) => c.conversationId === `${GENERAL};messageid=${msg.id}`)?.body.text).toMatch(/Your request IT-\d+ is recorded/);
    const create = calls.find((c) => c.kind === 'create');
    expect(create?.body).toMatchObject({ isGroup: false, members: [{ id: dana.id }], tenantId: 'tenant1' });
    const dm = calls.find((c) => c.kind === 'send' && c.conversationId === create!.answeredId);
    expectSuggestions(cardOf(dm!.body));

    // "This solved it" from the private chat closes it as self-service
    const r = await h.send(cardAction(h.connector.url, dana, actionOf(cardOf(dm!.body), 'hd:solved'), { conversation: create!.answeredId! }));
    expect(JSON.stringify(r.body.value)).toContain('Glad that helped!');
    expect((await h.core.store.get(t!.id))!.status).toBe('self_service');
  });

  it('a channel message without a mention is not for the bot; `@Helpdesk` with no command explains usage', async () => {
    const before = h.connector.calls.length;
    await h.send(channelMessage(h.connector.url, dana, GENERAL, 'lunch anyone?'));
    expect(h.connector.calls.length).toBe(before);
    await h.send(channelMessage(h.connector.url, dana, GENERAL, 'hello there', { mention: true }));
    expect(h.connector.calls.slice(before)[0]!.body.text).toContain('Commands: help <text>');
  });

  it('"Create ticket" message action files a ticket straight to triage and DMs the requester', async () => {
    const act = submitAction(h.connector.url, erik, GENERAL, { id: '1701999', html: '<p>Printer on floor 3 jams &amp; beeps</p>', author: 'Frank' }, 'Printer broken');
    const before = h.connector.calls.length;
    const r = await h.send(act);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ task: { type: 'message' } });
    expect(r.body.task.value).toMatch(/Ticket IT-\d+ was created/);
    const [t] = await h.core.store.list({ requester: person('teams', erik.id) });
    expect(t).toMatchObject({ status: 'open', subject: 'Printer broken' });
    expect(t!.description).toContain('From a message by Frank:\n> Printer on floor 3 jams & beeps');
    const calls = h.connector.calls.slice(before);
    expect(calls.some((c) => c.kind === 'create' && c.body.channelData?.channel?.id === TIER1)).toBe(true);
    const dmCreate = calls.find((c) => c.kind === 'create' && c.body.members?.[0]?.id === erik.id);
    expect(dmCreate).toBeDefined();
    const stored = await h.core.store.get(t!.id);
    expect(stored!.links.find((l) => l.role === 'requester')).toMatchObject({ platform: 'teams', channel: dmCreate!.answeredId });
    // replayed invoke: still one ticket
    await h.send(act);
    expect(await h.core.store.list({ requester: person('teams', erik.id) })).toHaveLength(1);
  });

  it('status / mine / tickets commands, and tickets refused to non-agents', async () => {
    const [t] = await h.core.store.list({ requester: person('teams', erik.id) });
    let n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, erik, `status ${t!.number}`));
    expect(h.connector.calls.slice(n)[0]!.body.text).toContain(`${t!.number} · Open · Printer broken`);
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, erik, 'mine'));
    expect(h.connector.calls.slice(n)[0]!.body.text).toContain('**Your tickets**');
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, erik, 'tickets'));
    expect(h.connector.calls.slice(n)[0]!.body.text).toBe('Only agents of this desk can do that.');
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, bob, 'tickets'));
    expect(h.connector.calls.slice(n)[0]!.body.text).toContain('Open tickets for IT (tier 1)');
    expect(h.connector.calls.slice(n)[0]!.body.text).toContain(t!.number);
    // someone else's ticket is invisible
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, dana, `status ${t!.number}`));
    expect(h.connector.calls.slice(n)[0]!.body.text).toMatch(/could not find ticket/);
    // the Spanish catalog follows the activity locale
    n = h.connector.calls.length;
    await h.send(personalMessage(h.connector.url, dana, 'help', { locale: 'es-ES' }));
    expect(h.connector.calls.slice(n)[0]!.body.text).toContain('Escribe en qué necesitas ayuda');
  });

  it('follows the requester\'s Teams language in what they are told', async () => {
    const ines: TeamsUser = { id: '29:ines', name: 'Inés' };
    await h.send(personalMessage(h.connector.url, ines, 'La impresora no imprime', { locale: 'es-ES' }));
    const [t] = await h.core.store.list({ requester: person('teams', ines.id) });
    expect(t!.locale).toBe('es-ES');
    const told = h.connector.posted().find((p) => p.call.conversationId === `a:dm-${ines.id}`);
    expect(told?.activity.text).toBe(`Recibido: ${t!.number} está ya con el equipo de IT. Te responderemos aquí.`);
  });

  it('a Claim on a card whose ticket was meanwhile claimed on Slack shows the truth', async () => {
    const [t] = await h.core.store.list({ requester: person('teams', erik.id) });
    const link = t!.links.find((l) => l.role === 'triage' && l.platform === 'teams')!;
    const conv = `${TIER1};messageid=${link.message}`;
    const stale = cardOf(h.connector.callsOf('create', TIER1).find((c) => c.answeredActivityId === link.message)!.body.activity);
    // Sam claims from Slack (through core, as the Slack adapter would)
    await h.core.helpdesk.handle({ type: 'ticket.claim', eventId: 'slack-evt-1', actor: sam, ticket: { id: t!.id } });
    const r = await h.send(cardAction(h.connector.url, bob, actionOf(stale, 'hd:claim'), { conversation: conv, replyToId: link.message }));
    const body = JSON.stringify(r.body.value);
    expect(body).toContain('is already claimed by Sam (Slack)');
    expect(body).toContain('In progress');
    expect(verbsOf(r.body.value)).not.toContain('hd:claim');
    expect((await h.core.store.get(t!.id))!.assignee).toMatchObject({ platform: 'slack', user: 'U_SAM' });
    // Teams' automatic refresh gets the same truth
    const refresh = await h.send(cardAction(h.connector.url, dana, stale.refresh.action, { conversation: conv, replyToId: link.message }, { trigger: 'automatic' }));
    expect(JSON.stringify(refresh.body.value)).toContain('Sam (Slack)');
  });

  it('sets the priority from the card choice', async () => {
    const [t] = await h.core.store.list({ requester: person('teams', erik.id) });
    const link = t!.links.find((l) => l.role === 'triage' && l.platform === 'teams')!;
    const card = cardOf(h.connector.callsOf('create', TIER1).find((c) => c.answeredActivityId === link.message)!.body.activity);
    const set = actionOf(card, 'hd:priority');
    const r = await h.send(cardAction(h.connector.url, bob, { verb: set.verb, data: { ...set.data, priority: 'P1' } }, { conversation: `${TIER1};messageid=${link.message}`, replyToId: link.message }));
    expect(r.status).toBe(200);
    expect((await h.core.store.get(t!.id))!.priority).toBe('P1');
  });
});
