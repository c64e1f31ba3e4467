import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { G, discordDesk, startHarness, users, type Harness } from './discord.harness.js';

const MACROS = [
  { name: 'reset-vpn', text: 'Hi {{requester}}, about {{ticket}} ({{subject}}): please reset your VPN profile. — {{agent}}, {{desk}}' },
  { name: 'need-info', text: 'Could you send a screenshot for {{ticket}}?' },
];

/** Text of an ephemeral answer (content or embed description). */
const said = (msg: any): string => [msg?.content ?? '', ...(msg?.embeds ?? []).map((e: any) => `${e.title ?? ''} ${e.description ?? ''}`)].join(' ');

/**
 * The agent tools the card buttons do not cover: filing a message with the 🎫 reaction, macros
 * (`/ticket macro`, with autocomplete) and `/ticket pending`, real discord.js against the fake.
 */
describe('discord adapter: file-ticket reaction, macros, pending', () => {
  let h: Harness;
  let num = '';
  let requesterThread = '';
  let card: any;

  beforeAll(async () => {
    h = await startHarness({ desks: [discordDesk({ macros: MACROS })] });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs a `/ticket <sub>` command and resolves with its (ephemeral) answer. */
  async function ticketCmd(user: (typeof users)[keyof typeof users], channelId: string, sub: string, options: unknown[] = []): Promise<any> {
    const c = h.fake.slashCommand({ user, channelId, name: 'ticket', options: [{ type: 1, name: sub, options }] });
    const answer = await h.fake.waitFor(() => h.fake.interactions.get(c.token)?.original, `/ticket ${sub} answer`);
    expect(h.fake.interactions.get(c.token)!.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
    return answer;
  }

  it('files a message reacted with 🎫 for its author, once however often it is dispatched', async () => {
    const { fake } = h;
    const m = fake.userMessage({ user: users.customer, channelId: G.support, content: 'The printer on floor 3 jams every morning' });
    const routed = h.nextEvent((e) => e.type === 'ticket.routed', 'routed');
    // A non-agent files someone else's message (as on Slack): the author is the requester.
    fake.reaction({ user: users.stranger, channelId: G.support, messageId: m.id, emoji: '🎫' });
    fake.reaction({ user: users.stranger, channelId: G.support, messageId: m.id, emoji: '🎫' }); // gateway duplicate
    const t = (await routed).ticket;
    num = t.number;
    expect(t.requester).toMatchObject({ platform: 'discord', workspace: G.guild, user: users.customer.id });
    expect(t.status).toBe('open'); // no suggestions for a filed message: straight to the desk
    expect(t.description ?? t.subject).toContain('printer on floor 3');

    // Someone else reacts too, and the "Create ticket" menu is used on it: still the same ticket.
    fake.reaction({ user: users.agent, channelId: G.support, messageId: m.id, emoji: '🎫' });
    const menu = fake.messageCommand({ user: users.agent, channelId: G.support, name: 'Create ticket', messageId: m.id });
    const menuAnswer = await fake.waitFor(() => fake.interactions.get(menu.token)?.original, 'create-ticket answer');
    expect(said(menuAnswer)).toContain(num);
    await h.adapter.inbound.drain();

    expect(await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: users.customer.id } })).toHaveLength(1);
    const live = fake.threadsOf(G.support).filter((c) => !c.thread_metadata.archived);
    expect(live).toHaveLength(1);
    requesterThread = live[0].id;
    expect(live[0].name.startsWith(`${num} · `)).toBe(true);
    expect(fake.threadMembers.get(requesterThread)?.has(users.customer.id)).toBe(true);
    const confirmations = fake.calls('POST', new RegExp(`^/channels/${G.support}/messages$`));
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.body.message_reference).toMatchObject({ message_id: m.id });
    expect(confirmations[0]!.body.content ?? confirmations[0]!.body.embeds?.[0]?.description).toContain(`${num} is recorded for <@${users.customer.id}>`);
    expect(confirmations[0]!.body.allowed_mentions).toEqual({ parse: [] });
    card = await fake.waitFor(() => fake.channelMessages(G.tier1)[0], 'triage card');
  });

  it('ignores other emoji, other channels and bot messages', async () => {
    const { fake } = h;
    const before = await h.hd.store.list({});
    const m = fake.userMessage({ user: users.stranger, channelId: G.support, content: 'just chatting' });
    fake.reaction({ user: users.stranger, channelId: G.support, messageId: m.id, emoji: '👍' });
    const inTier = fake.userMessage({ user: users.agent, channelId: G.tier1, content: 'agents chatting' });
    fake.reaction({ user: users.agent, channelId: G.tier1, messageId: inTier.id, emoji: '🎫' });
    fake.reaction({ user: users.stranger, channelId: G.tier1, messageId: card.id, emoji: '🎫' }); // the bot's card
    // Barrier: a later interaction answered means the client has received the reactions above.
    await ticketCmd(users.stranger, G.support, 'mine');
    await h.adapter.inbound.drain();
    expect(await h.hd.store.list({})).toHaveLength(before.length);
  });

  it('offers the desk macro names as autocomplete (agents only)', async () => {
    const { fake } = h;
    const typing = (value: string) => [{ type: 1, name: 'macro', options: [{ type: 3, name: 'name', value, focused: true }] }];
    const a = fake.autocomplete({ user: users.agent, channelId: requesterThread, name: 'ticket', options: typing('RES') });
    const answer = await fake.waitFor(() => fake.interactions.get(a.token)?.callbacks[0], 'autocomplete answer');
    expect(answer).toEqual({ type: 8, data: { choices: [{ name: 'reset-vpn', value: 'reset-vpn' }] } });
    const all = fake.autocomplete({ user: users.agent, channelId: G.tier1, name: 'ticket', options: typing('') });
    expect((await fake.waitFor(() => fake.interactions.get(all.token)?.callbacks[0], 'autocomplete all')).data.choices).toHaveLength(2);
    const s = fake.autocomplete({ user: users.stranger, channelId: G.support, name: 'ticket', options: typing('') });
    expect(await fake.waitFor(() => fake.interactions.get(s.token)?.callbacks[0], 'autocomplete stranger')).toEqual({ type: 8, data: { choices: [] } });
  });

  it('sends a macro with placeholders filled to the requester, from the card thread', async () => {
    const { fake } = h;
    // The customer writes first, which opens the thread under the card.
    const relayedIn = h.nextEvent((e) => e.type === 'ticket.message', 'customer message');
    fake.userMessage({ user: users.customer, channelId: requesterThread, content: 'It also smells burnt' });
    await relayedIn;
    await fake.waitFor(() => fake.channelMessages(card.id)[0], 'thread under the card');

    const claimed = h.nextEvent((e) => e.type === 'ticket.claimed', 'claimed');
    fake.reaction({ user: users.agent, channelId: G.tier1, messageId: card.id, emoji: '👀' });
    await claimed;

    const sent = h.nextEvent((e) => e.type === 'ticket.message' && e.entry?.visibility === 'public' && e.entry.actor.kind === 'person', 'macro message');
    const answer = await ticketCmd(users.agent, card.id, 'macro', [{ type: 3, name: 'name', value: 'Reset-VPN' }]);
    expect(said(answer)).toContain(`Sent macro “Reset-VPN” on ${num}`);
    const entry = (await sent).entry!;
    const t = await h.ticket(num);
    const expected = `Hi Casey Customer, about ${num} (${t.subject}): please reset your VPN profile. — Ana Agent, ${h.hd.directory.desk(t.deskId).name}`;
    expect(entry.text).toBe(expected);
    // Relayed to the requester's thread, and (no `at`: the command left no message) under the card too.
    await fake.waitFor(() => fake.channelMessages(requesterThread).find((m) => m.embeds?.[0]?.description === expected), 'macro in requester thread');
    await fake.waitFor(() => fake.channelMessages(card.id).find((m) => m.embeds?.[0]?.description === expected), 'macro under the card');
  });

  it('answers an unknown macro with the list of known ones, privately', async () => {
    const answer = await ticketCmd(users.agent, card.id, 'macro', [{ type: 3, name: 'name', value: 'nope' }]);
    expect(answer.flags).toBe(64);
    expect(said(answer)).toContain('unknown macro “nope” (known: reset-vpn, need-info)');
  });

  it('refuses macros and pending to non-agents', async () => {
    const a = await ticketCmd(users.customer, requesterThread, 'macro', [{ type: 3, name: 'name', value: 'need-info' }]);
    expect(said(a)).toContain('Only agents of this desk can do that.');
    const b = await ticketCmd(users.stranger, G.support, 'pending', [{ type: 3, name: 'ticket', value: num }]);
    expect(said(b)).toContain('Only agents of this desk can do that.');
    expect((await h.ticket(num)).status).toBe('claimed');
  });

  it('marks the ticket pending; the requester answering in the thread resumes it', async () => {
    const { fake } = h;
    const pended = h.nextEvent((e) => e.type === 'ticket.pending', 'pending');
    const answer = await ticketCmd(users.agent, G.tier1, 'pending', [{ type: 3, name: 'ticket', value: num }]);
    await pended;
    expect(said(answer)).toContain(`${num} is now waiting on the requester`);
    expect((await h.ticket(num)).status).toBe('pending');
    await fake.waitFor(() => fake.channelMessages(requesterThread).find((m) => said(m).includes(`Ana Agent is waiting on your answer about ${num}`)), 'pending notice');

    const resumed = h.nextEvent((e) => e.type === 'ticket.resumed', 'resumed');
    fake.userMessage({ user: users.customer, channelId: requesterThread, content: 'Here is the screenshot' });
    await resumed;
    expect((await h.ticket(num)).status).toBe('claimed');
  });

  it('without a ticket number outside a ticket thread, says how to give one', async () => {
    const answer = await ticketCmd(users.agent, G.tier1, 'pending');
    expect(said(answer)).toContain('Ticket number, e.g. IT-12');
  });
});

describe('discord adapter: file-ticket reaction without Discord intake channels', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ desks: [discordDesk({ intake: [] })] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('watches any guild text channel (not the tier channels); the thread goes under tier 1', async () => {
    const { fake } = h;
    const m = fake.userMessage({ user: users.customer, channelId: G.log, content: 'Wifi is down in room 12' });
    const routed = h.nextEvent((e) => e.type === 'ticket.routed', 'routed');
    fake.reaction({ user: users.customer, channelId: G.log, messageId: m.id, emoji: '🎫' });
    const t = (await routed).ticket;
    expect(t.requester.user).toBe(users.customer.id);
    expect(fake.threadsOf(G.tier1)).toHaveLength(1);
    await fake.waitFor(() => fake.calls('POST', new RegExp(`^/channels/${G.log}/messages$`))[0], 'confirmation');
  });
});
