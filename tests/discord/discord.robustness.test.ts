import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTX_CREATE_TICKET, registerCommands } from '../../adapters/discord/discord.commands.js';
import { PlatformError } from '../../core/ports/chat-platform.port.js';
import { G, customIds, startHarness, users, type Harness } from './discord.harness.js';

const mine = (h: Harness, user: string) => h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user } });

/** Opens a routed ticket (text with no KB match) and returns its number, thread id and card. */
async function openRouted(h: Harness, text: string, user = users.customer) {
  const routed = h.nextEvent((e) => e.type === 'ticket.routed' && e.ticket.description === text, 'routed');
  const ix = h.fake.slashCommand({ user, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
  const t = (await routed).ticket;
  const card = await h.fake.waitFor(() => h.fake.channelMessages(G.tier1).find((m) => m.embeds?.[0]?.title?.startsWith(`${t.number} ·`)), 'card');
  await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'reply');
  const thread = t.links.find((l) => l.role === 'requester')?.channel;
  return { t, card, thread, ix };
}

describe('discord adapter: robustness', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates nothing twice for a duplicated INTERACTION_CREATE or MESSAGE_CREATE', async () => {
    const text = 'the espresso machine in room 4 squeaks';
    const routed = h.nextEvent((e) => e.type === 'ticket.routed', 'routed');
    const ix = h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    h.fake.redispatch(ix.seq); // the gateway delivers the same interaction again
    const t = (await routed).ticket;
    await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'reply');
    expect(h.fake.interactions.get(ix.token)!.callbacks).toHaveLength(1);
    expect((await mine(h, users.customer.id)).filter((x) => x.description === text)).toHaveLength(1);
    expect(h.fake.calls('POST', new RegExp(`^/channels/${G.support}/threads$`))).toHaveLength(1);
    expect(h.fake.channelMessages(G.tier1).filter((m) => m.embeds?.[0]?.title?.startsWith(`${t.number} ·`))).toHaveLength(1);

    const thread = t.links.find((l) => l.role === 'requester')!.channel;
    const said = h.nextEvent((e) => e.type === 'ticket.message', 'message');
    const m = h.fake.userMessage({ user: users.customer, channelId: thread, content: 'still squeaking' });
    h.fake.redispatch(m.seq);
    await said;
    // A second, later message proves the duplicate has been processed (events are handled in order per socket).
    const later = h.nextEvent((e) => e.type === 'ticket.message' && e.entry?.text === 'and now it leaks', 'later message');
    h.fake.userMessage({ user: users.customer, channelId: thread, content: 'and now it leaks' });
    await later;
    const entries = await h.hd.store.timeline(t.id);
    expect(entries.filter((e) => e.text === 'still squeaking')).toHaveLength(1);
  });

  it('resumes after the gateway drops mid-flow and receives what it missed', async () => {
    const { t, thread } = await openRouted(h, 'qwzx plorb is broken again');
    const before = { ...h.fake.gateway };
    h.fake.dropConnection();
    // Dispatched while the client is disconnected: delivered on RESUME.
    const said = h.nextEvent((e) => e.type === 'ticket.message' && e.ticket.id === t.id, 'message after resume');
    h.fake.userMessage({ user: users.customer, channelId: thread!, content: 'hello? anyone?' });
    const e = await said;
    expect(e.entry?.text).toBe('hello? anyone?');
    expect(h.fake.gateway.resumes).toBe(before.resumes + 1);
    expect(h.fake.gateway.identifies).toBe(before.identifies); // resumed, not re-identified
    // And the flow goes on: an agent claims from the card.
    const card = h.fake.channelMessages(G.tier1).find((m) => m.embeds?.[0]?.title?.startsWith(`${t.number} ·`))!;
    const claimed = h.nextEvent((x) => x.type === 'ticket.claimed' && x.ticket.id === t.id, 'claimed after resume');
    h.fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, customId: customIds(card).find((id) => id.startsWith('hd:claim:'))! });
    await claimed;
  });

  it('refuses non-agents and non-requesters with a clear ephemeral message', async () => {
    const { t, card } = await openRouted(h, 'zork coffee machine on fire');
    const claim = h.fake.component({ user: users.stranger, channelId: G.tier1, messageId: card.id, customId: customIds(card).find((id) => id.startsWith('hd:claim:'))! });
    const refusal = await h.fake.waitFor(() => h.fake.interactions.get(claim.token)?.followups[0], 'refusal');
    expect(refusal.flags).toBe(64);
    expect(refusal.content).toBe('Only agents of this desk can do that.');
    expect((await h.ticket(t.number)).status).toBe('open');

    // A reaction cannot be answered in place: the refusal goes by DM.
    h.fake.reaction({ user: users.stranger, channelId: G.tier1, messageId: card.id, emoji: '👀' });
    const dm = await h.fake.waitFor(() => h.fake.calls('POST', /^\/users\/@me\/channels$/).find((r) => r.body.recipient_id === users.stranger.id), 'dm opened');
    expect(dm).toBeDefined();
    await h.fake.waitFor(() => [...h.fake.channels.values()].some((c) => c.type === 1 && h.fake.channelMessages(c.id).some((m) => m.content === 'Only agents of this desk can do that.')), 'dm refusal');

    // Someone else's ticket: /ticket status answers as if it did not exist; closing is refused.
    const st = h.fake.slashCommand({ user: users.stranger, channelId: G.support, name: 'ticket', options: [{ type: 1, name: 'status', options: [{ type: 3, name: 'ticket', value: t.number }] }] });
    const stReply = await h.fake.waitFor(() => h.fake.interactions.get(st.token)?.original, 'status reply');
    expect(stReply.content).toBe(`I could not find ticket ${t.number}.`);
    const cl = h.fake.slashCommand({ user: users.stranger, channelId: G.support, name: 'ticket', options: [{ type: 1, name: 'close', options: [{ type: 3, name: 'ticket', value: t.number }] }] });
    const clReply = await h.fake.waitFor(() => h.fake.interactions.get(cl.token)?.original, 'close reply');
    expect(clReply.content).toBe('Only the person who asked can do that.');
    expect(h.fake.interactions.get(cl.token)!.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
  });

  it('opens the help modal without text, and files tickets from the modal and the message menu', async () => {
    const help = h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help' });
    const modal = await h.fake.waitFor(() => h.fake.interactions.get(help.token)?.callbacks[0], 'modal');
    expect(modal.type).toBe(9);
    // The persistent panel's "Get help" button opens the same modal.
    const panelId = await h.adapter.platform.postPanel(G.support, 'IT');
    const click = h.fake.component({ user: users.customer, channelId: G.support, messageId: panelId, customId: 'hd:panel' });
    expect((await h.fake.waitFor(() => h.fake.interactions.get(click.token)?.callbacks[0], 'panel modal')).data.custom_id).toBe(modal.data.custom_id);
    const opened = h.nextEvent((e) => e.type === 'ticket.created' && e.ticket.subject === 'Badge reader', 'modal ticket');
    h.fake.modalSubmit({ user: users.customer, channelId: G.support, customId: modal.data.custom_id, fields: { subject: 'Badge reader', details: 'The badge reader at door 3 beeps twice' } });
    expect((await opened).ticket.description).toBe('The badge reader at door 3 beeps twice');

    // An agent files a ticket from someone's message: the author is the requester, no suggestions.
    const post = h.fake.userMessage({ user: users.stranger, channelId: G.support, content: 'the vpn is down for everyone in Lisbon' });
    const filed = h.nextEvent((e) => e.type === 'ticket.routed' && e.ticket.requester.user === users.stranger.id, 'filed from message');
    const ctx = h.fake.messageCommand({ user: users.agent, channelId: G.support, name: CTX_CREATE_TICKET, messageId: post.id });
    const t = (await filed).ticket;
    expect(t.description).toBe('the vpn is down for everyone in Lisbon');
    const reply = await h.fake.waitFor(() => h.fake.interactions.get(ctx.token)?.original, 'ctx reply');
    expect(reply.content).toContain(t.number);
  });

  it('falls back to DMs with a clear message when the active-thread cap is hit', async () => {
    const active = [...h.fake.channels.values()].filter((c) => c.type === 12 && !c.thread_metadata.archived).length;
    h.fake.maxActiveThreads = active;
    try {
      const routed = h.nextEvent((e) => e.type === 'ticket.routed' && e.ticket.requester.user === users.expert.id, 'routed');
      const ix = h.fake.slashCommand({ user: users.expert, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: 'zork flux capacitor alignment' }] });
      const t = (await routed).ticket;
      const reply = await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'reply');
      expect(reply.content).toContain('too many active ticket threads');
      await h.fake.waitFor(() => h.fake.calls('POST', /^\/users\/@me\/channels$/).some((r) => r.body.recipient_id === users.expert.id), 'dm to requester');
      const after = await h.ticket(t.number);
      expect(after.links.find((l) => l.role === 'requester')?.data).toEqual({ dm: true });
    } finally {
      h.fake.maxActiveThreads = Number.POSITIVE_INFINITY;
    }
  });

  it('turns a REST 429 into a retryable PlatformError with Retry-After', async () => {
    h.fake.rateLimit('POST', new RegExp(`^/channels/${G.tier1}/messages$`), 2);
    const err = await h.adapter.platform.post({ workspace: G.guild, channel: G.tier1 }, { kind: 'notice', fallback: 'x', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).retryable).toBe(true);
    expect((err as PlatformError).status).toBe(429);
    expect((err as PlatformError).retryAfterMs).toBeGreaterThanOrEqual(2000);
    // Permanent errors are not retryable.
    const gone = await h.adapter.platform.post({ workspace: G.guild, channel: '900000000000009999' }, { kind: 'notice', fallback: 'x', text: 'x' }).catch((e: unknown) => e);
    expect((gone as PlatformError).retryable).toBe(false);
  });

  it('registers commands idempotently (bulk overwrite)', async () => {
    await registerCommands(h.adapter.client.rest, h.fake.applicationId, [G.guild]);
    const first = h.fake.commands.get(G.guild)!.map((c) => c.id);
    await registerCommands(h.adapter.client.rest, h.fake.applicationId, [G.guild]);
    expect(h.fake.commands.get(G.guild)!.map((c) => c.id)).toEqual(first);
    expect(first).toHaveLength(3);
  });
});
