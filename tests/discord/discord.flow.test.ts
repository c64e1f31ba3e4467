import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CTX_CREATE_TICKET } from '../../adapters/discord/discord.commands.js';
import { G, customIds, ephemeralMessage, startHarness, users, type Harness } from './discord.harness.js';

/**
 * One ticket's whole life on Discord, with the real discord.js client against the fake:
 * /help → KB suggestions → "I still need help" → private thread + triage card → conversation →
 * claim by reaction → internal note → escalation → resolve → CSAT → close → transcript.
 */
describe('discord adapter: full flow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers the commands in the configured guild at start-up', () => {
    const puts = h.fake.calls('PUT', new RegExp(`^/applications/${h.fake.applicationId}/guilds/${G.guild}/commands$`));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.body.map((c: any) => c.name).sort()).toEqual([CTX_CREATE_TICKET, 'help', 'ticket'].sort());
    const ticket = puts[0]!.body.find((c: any) => c.name === 'ticket');
    expect(ticket.options.map((o: any) => o.name)).toEqual(['status', 'mine', 'close', 'macro', 'pending', 'report']);
    const macro = ticket.options.find((o: any) => o.name === 'macro');
    expect(macro.options).toEqual([
      expect.objectContaining({ name: 'name', type: 3, required: true, autocomplete: true }),
      expect.objectContaining({ name: 'ticket', type: 3, required: false }),
    ]);
    expect(ticket.options.find((o: any) => o.name === 'pending').options).toEqual([expect.objectContaining({ name: 'ticket', required: false })]);
    expect(h.fake.gateway.identifies).toBe(1);
  });

  it('runs /help to transcript', async () => {
    const { fake } = h;
    // 1. /help with text: deferred ephemerally at once, then suggestions.
    const help = fake.slashCommand({ user: users.customer, channelId: G.support, name: 'help', options: [{ type: 3, name: 'text', value: 'my vpn keeps dropping @everyone' }] });
    const original = await fake.waitFor(() => fake.interactions.get(help.token)?.original, '/help reply');
    const ix = fake.interactions.get(help.token)!;
    expect(ix.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
    expect(original.embeds[0].fields.length).toBeGreaterThan(0);
    const ids = customIds(original);
    expect(ids.some((id) => id.startsWith('hd:solved:'))).toBe(true);
    const needHelp = ids.find((id) => id.startsWith('hd:need_help:'))!;

    // The private thread exists already (requester added), named after the ticket.
    const [thread] = fake.threadsOf(G.support);
    expect(thread).toMatchObject({ type: 12, thread_metadata: { invitable: false } });
    expect(fake.threadMembers.get(thread.id)?.has(users.customer.id)).toBe(true);
    let [t] = await h.hd.store.list({ requester: { platform: 'discord', workspace: G.guild, user: users.customer.id } });
    const num = t!.number;
    await fake.waitFor(() => thread.name.startsWith(`${num} · `), 'thread renamed');
    expect(t!.status).toBe('new');

    // 2. "I still need help" → routed: card in tier 1, notice and tier-1 role ping in the thread.
    const routed = h.nextEvent((e) => e.type === 'ticket.routed', 'routed');
    fake.component({ user: users.customer, channelId: G.support, message: ephemeralMessage(fake, help.token, G.support), customId: needHelp });
    await routed;
    const card = await fake.waitFor(() => fake.channelMessages(G.tier1)[0], 'triage card');
    expect(card.embeds[0].title).toContain(num);
    expect(customIds(card).some((id) => id.startsWith('hd:claim:'))).toBe(true);
    expect(customIds(card).some((id) => id.startsWith('hd:priority:'))).toBe(true);
    const rolePing = await fake.waitFor(() => fake.calls('POST', new RegExp(`^/channels/${thread.id}/messages$`)).find((r) => r.body.allowed_mentions?.roles?.includes(G.roleT1)), 'tier-1 role ping');
    expect(rolePing.body.allowed_mentions).toEqual({ parse: [], roles: [G.roleT1] });
    t = await h.ticket(num);
    expect(t.status).toBe('open');
    expect(t.links.find((l) => l.role === 'requester')).toMatchObject({ platform: 'discord', workspace: G.guild, channel: thread.id });

    // 3. The customer writes in the thread: recorded, relayed under the card (thread started from it).
    const said = h.nextEvent((e) => e.type === 'ticket.message', 'customer message');
    fake.userMessage({ user: users.customer, channelId: thread.id, content: 'It drops every 5 minutes @here <@&900000000000000021>' });
    const msgEvent = await said;
    expect(msgEvent.entry?.source).toMatchObject({ platform: 'discord', channel: thread.id });
    const relayed = await fake.waitFor(() => fake.channelMessages(card.id)[0], 'relay under the card');
    expect(relayed.embeds[0].description).toContain('It drops every 5 minutes');
    expect(relayed.embeds[0].description).not.toMatch(/@here/);

    // 4. Agent claims by reaction 👀 on the card: card edited in place, requester told.
    const claimed = h.nextEvent((e) => e.type === 'ticket.claimed', 'claimed');
    fake.reaction({ user: users.agent, channelId: G.tier1, messageId: card.id, emoji: '👀' });
    await claimed;
    await fake.waitFor(() => fake.channelMessages(G.tier1)[0].embeds[0].fields.some((f: any) => f.value === 'Ana Agent'), 'card shows assignee');
    await fake.waitFor(() => fake.channelMessages(thread.id).some((m) => m.content?.includes(`Ana Agent is working on ${num}`)), 'requester notice');

    // 5. Agent answers under the card → reaches the customer's thread; an internal note does not.
    const answered = h.nextEvent((e) => e.type === 'ticket.message' && e.entry?.visibility === 'public', 'agent answer');
    fake.userMessage({ user: users.agent, channelId: card.id, content: 'Please reset your VPN profile' });
    await answered;
    await fake.waitFor(() => fake.channelMessages(thread.id).some((m) => m.embeds?.[0]?.description === 'Please reset your VPN profile'), 'answer relayed to customer');
    const noted = h.nextEvent((e) => e.type === 'ticket.message' && e.entry?.visibility === 'internal', 'internal note');
    fake.userMessage({ user: users.agent, channelId: card.id, content: 'note: customer is on the legacy client' });
    expect((await noted).entry?.kind).toBe('note');

    // 6. Escalate with the card's button → reason modal → tier-2 post with the reason and links back,
    //    tier-2 role joins the thread.
    const escId = customIds(fake.channelMessages(G.tier1)[0]).find((id) => id.startsWith('hd:escalate:'))!;
    const esc = fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, customId: escId });
    const modal = await fake.waitFor(() => fake.interactions.get(esc.token)?.callbacks[0], 'escalate modal');
    expect(modal.type).toBe(9);
    expect(modal.data.title).toBe('Escalate ticket');
    expect(modal.data.components[0].components[0]).toMatchObject({ type: 4, custom_id: 'reason', required: false, label: 'Reason (optional)' });
    expect((await h.ticket(num)).tier).toBe(1); // nothing happens until the modal is submitted
    const escalated = h.nextEvent((e) => e.type === 'ticket.escalated', 'escalated');
    const submit = fake.modalSubmit({
      user: users.agent,
      channelId: G.tier1,
      customId: modal.data.custom_id,
      fields: { reason: 'Needs a VPN admin @everyone' },
      message: fake.channelMessages(G.tier1)[0],
    });
    await escalated;
    expect(fake.interactions.get(submit.token)!.callbacks[0]).toEqual({ type: 6 });
    // A second modal opened from the same (now stale) card escalates nothing and reports no error.
    const again = fake.modalSubmit({ user: users.agent, channelId: G.tier1, customId: modal.data.custom_id, fields: { reason: 'double click' }, message: fake.channelMessages(G.tier1)[0] });
    await fake.waitFor(() => fake.interactions.get(again.token)?.callbacks[0], 'second modal acknowledged');
    await h.adapter.inbound.drain();
    expect((await h.ticket(num)).escalationReason).toBe('Needs a VPN admin @everyone');
    expect(fake.interactions.get(again.token)!.followups).toEqual([]);
    expect((await h.ticket(num)).escalationReason).toBe('Needs a VPN admin @everyone');
    const t2post = await fake.waitFor(() => fake.channelMessages(G.tier2)[0], 'tier-2 post');
    expect(t2post.embeds[0].title).toContain('Escalated from tier 1');
    expect(t2post.embeds[0].description).toContain('Reason: Needs a VPN admin');
    expect(t2post.embeds[0].description).not.toMatch(/@everyone/);
    const links = t2post.components.flatMap((r: any) => r.components).filter((c: any) => c.style === 5).map((c: any) => c.url);
    expect(links).toContain(`https://discord.com/channels/${G.guild}/${thread.id}`);
    expect(links).toContain(`https://discord.com/channels/${G.guild}/${G.tier1}/${card.id}`);
    await fake.waitFor(() => fake.calls('POST', new RegExp(`^/channels/${thread.id}/messages$`)).find((r) => r.body.allowed_mentions?.roles?.includes(G.roleT2)), 'tier-2 role ping');

    // 7. The tier-2 expert claims and resolves from the tier-2 post; the customer gets CSAT buttons.
    const claim2 = h.nextEvent((e) => e.type === 'ticket.claimed', 'tier-2 claim');
    fake.component({ user: users.expert, channelId: G.tier2, messageId: t2post.id, customId: customIds(t2post).find((id) => id.startsWith('hd:claim:'))! });
    await claim2;
    const resolved = h.nextEvent((e) => e.type === 'ticket.resolved', 'resolved');
    const t2now = fake.channelMessages(G.tier2)[0];
    fake.component({ user: users.expert, channelId: G.tier2, messageId: t2now.id, customId: customIds(t2now).find((id) => id.startsWith('hd:resolve:'))! });
    await resolved;
    const csat = await fake.waitFor(() => fake.channelMessages(thread.id).find((m) => customIds(m).some((id) => id.startsWith('hd:rate:'))), 'CSAT buttons');
    const rated = h.nextEvent((e) => e.type === 'ticket.rated', 'rated');
    const rate = fake.component({ user: users.customer, channelId: thread.id, messageId: csat.id, customId: customIds(csat).find((id) => id.endsWith(':5'))! });
    await rated;
    await fake.waitFor(() => fake.interactions.get(rate.token)?.original?.content?.includes('5/5'), 'CSAT thanks');
    expect((await h.ticket(num)).csat?.score).toBe(5);

    // 8. /ticket close in the thread → closed; Markdown transcript in the log channel, stored on the ticket.
    const closed = h.nextEvent((e) => e.type === 'ticket.closed', 'closed');
    fake.slashCommand({ user: users.customer, channelId: thread.id, name: 'ticket', options: [{ type: 1, name: 'close', options: [] }] });
    await closed;
    const logPost = await fake.waitFor(() => fake.calls('POST', new RegExp(`^/channels/${G.log}/messages$`))[0], 'transcript post');
    expect(logPost.files).toHaveLength(1);
    expect(logPost.files[0]!.name).toBe(`${num}-transcript.md`);
    expect(logPost.files[0]!.content).toContain(`# ${num}:`);
    expect(logPost.files[0]!.content).toContain('Please reset your VPN profile');
    expect(logPost.files[0]!.content).not.toContain('legacy client'); // internal notes stay out
    await fake.waitFor(() => thread.thread_metadata.archived && thread.thread_metadata.locked, 'thread archived');
    t = await h.ticket(num);
    expect(t.status).toBe('closed');
    expect(t.links.find((l) => l.role === 'announce')).toMatchObject({ platform: 'discord', channel: G.log, data: { kind: 'transcript', filename: `${num}-transcript.md` } });
    const timeline = await h.hd.store.timeline(t.id, { includeInternal: true });
    expect(timeline.find((e) => e.event === 'transcript')?.text).toContain(`# ${num}:`);
    // The bot's own messages (echoed by the gateway) were never recorded as conversation.
    expect(timeline.filter((e) => e.kind === 'message').map((e) => e.actor.kind === 'person' && e.actor.identity.user)).not.toContain(fake.bot.id);
  });

  it('never lets a message ping: every message body restricts mentions', () => {
    const bodies = h.fake.requests
      .filter((r) => ['POST', 'PATCH'].includes(r.method) && /\/messages(\/[^/]+)?$|\/webhooks\/|\/callback$/.test(r.path))
      .map((r) => (r.path.endsWith('/callback') ? r.body?.data : r.body))
      .filter((b) => b && (b.content !== undefined || b.embeds !== undefined));
    expect(bodies.length).toBeGreaterThan(10);
    for (const b of bodies) {
      expect(b.allowed_mentions?.parse).toEqual([]);
      // Only the adapter's own tier-role pings name a role, never users or everyone.
      expect(Object.keys(b.allowed_mentions).every((k) => k === 'parse' || k === 'roles')).toBe(true);
      for (const r of b.allowed_mentions.roles ?? []) expect([G.roleT1, G.roleT2]).toContain(r);
    }
  });
});
