import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failNext } from '../support/faults.js';
import { G, customIds, startHarness, users, type Harness } from './discord.harness.js';

/** At-least-once handling, the card/message race, refusals that must leave nothing behind (real discord.js against the fake). */
describe('discord adapter: at-least-once events and intake edge cases', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const cardOf = (number: string) => h.fake.channelMessages(G.tier1).find((m) => m.embeds?.[0]?.title?.startsWith(`${number} ·`));

  async function openRouted(text: string) {
    const routed = h.nextEvent((e) => e.type === 'ticket.routed' && e.ticket.description === text, 'routed');
    const ix = h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    const t = (await routed).ticket;
    const card = await h.fake.waitFor(() => cardOf(t.number), 'card');
    await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'reply');
    return { t, card, thread: t.links.find((l) => l.role === 'requester')!.channel };
  }

  it('a claim whose first handling failed is applied once when the gateway delivers the interaction again', async () => {
    const { t, card } = await openRouted('the plotter qxv prints only magenta');
    const claimId = customIds(card).find((id) => id.startsWith('hd:claim:'))!;
    const fault = failNext(h.hd.store, 'update'); // a database hiccup on the claim's write
    const ix = h.fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, customId: claimId });
    const refusal = await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.followups[0], 'error follow-up');
    fault.restore();
    expect(refusal.content).toMatch(/reference/i);
    expect((await h.ticket(t.number)).status).toBe('open');

    // The same INTERACTION_CREATE again (a gateway replay): processed this time, not dropped as a duplicate.
    const claimed = h.nextEvent((e) => e.type === 'ticket.claimed' && e.ticket.id === t.id, 'claimed on replay');
    h.fake.redispatch(ix.seq);
    await claimed;
    await h.adapter.inbound.drain();
    h.fake.redispatch(ix.seq); // and once more: nothing twice
    await h.fake.waitFor(() => h.fake.calls('PATCH', new RegExp(`^/channels/${G.tier1}/messages/${card.id}$`)).length > 0, 'card edited');
    await h.adapter.inbound.drain();
    expect((await h.ticket(t.number)).assignee?.user).toBe(users.agent.id);
    expect((await h.hd.store.timeline(t.id)).filter((e) => e.event === 'claim')).toHaveLength(1);
    expect(h.fake.calls('PATCH', new RegExp(`^/channels/${G.tier1}/messages/${card.id}$`))).toHaveLength(1);
  });

  it('a requester message sent while the triage card is being posted is relayed under the card once it exists', async () => {
    const text = 'the turnstile zqp refuses every badge';
    const post = h.fake.hold('POST', new RegExp(`^/channels/${G.tier1}/messages$`));
    const ix = h.fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: text }] });
    await post.reached; // the card is on its way; its link is not stored yet
    const [t] = (await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: users.customer.id } })).filter((x) => x.description === text);
    const thread = t!.links.find((l) => l.role === 'requester')!.channel;
    const said = h.nextEvent((e) => e.type === 'ticket.message' && e.entry?.text === 'it is the north entrance', 'racing message');
    h.fake.userMessage({ user: users.customer, channelId: thread, content: 'it is the north entrance' });
    await said;
    expect((await h.ticket(t!.number)).links.some((l) => l.role === 'triage')).toBe(false);
    post.release();
    const card = await h.fake.waitFor(() => cardOf(t!.number), 'card');
    const relayed = await h.fake.waitFor(() => h.fake.channelMessages(card.id).find((x) => x.embeds?.[0]?.description?.includes('north entrance')), 'racing message relayed under the card');
    expect(relayed).toBeDefined();
    await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'reply');
    await h.adapter.inbound.drain();
    expect(h.fake.channelMessages(card.id).filter((x) => x.embeds?.[0]?.description?.includes('north entrance'))).toHaveLength(1);
  });

  it('a refused request (nothing but blanks in the help form) opens no private thread', async () => {
    const threadsBefore = h.fake.threadsOf(G.support).length;
    const createsBefore = h.fake.calls('POST', new RegExp(`^/channels/${G.support}/threads$`)).length;
    const ix = h.fake.modalSubmit({ user: users.customer, channelId: G.support, customId: 'hd:help_modal', fields: { subject: '   ', details: '  ' } });
    const reply = await h.fake.waitFor(() => h.fake.interactions.get(ix.token)?.original, 'refusal');
    expect(JSON.stringify(reply)).toMatch(/empty request|some text|not valid/i);
    expect(h.fake.threadsOf(G.support)).toHaveLength(threadsBefore);
    expect(h.fake.calls('POST', new RegExp(`^/channels/${G.support}/threads$`)).length).toBe(createsBefore);
  });

  it('a non-agent pressing Claim on a claimed card is told only that they cannot', async () => {
    const { t, card } = await openRouted('the scanner vbn jams on page two');
    const claimed = h.nextEvent((e) => e.type === 'ticket.claimed' && e.ticket.id === t.id, 'claimed');
    h.fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, customId: customIds(card).find((id) => id.startsWith('hd:claim:'))! });
    await claimed;
    const claim = h.fake.component({ user: users.stranger, channelId: G.tier1, messageId: card.id, customId: customIds(card).find((id) => id.startsWith('hd:claim:'))! });
    const refusal = await h.fake.waitFor(() => h.fake.interactions.get(claim.token)?.followups[0], 'refusal');
    expect(refusal.content).toBe('Only agents of this desk can do that.');
    expect(refusal.content).not.toContain('Ana');
  });
});
