import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../core/domain/ticket.js';
import { DISCORD_LIMITS } from '../fakes/discord.fake.js';
import { customIds, G, users } from '../discord/discord.harness.js';
import { waitFor } from './harness.js';
import { discordChannelCalls, discordShownNumbers, discordStormRig, discordText as textOf, type DiscordStormRig } from './discord-storm.js';
import { mostInWindow, stormOver } from './storm-wave.js';

const N = 40;
/**
 * A short threshold and small cards, so a few dozen tickets make a storm with two storm cards; a short
 * arrival-rate window, so the storm is over a few seconds after the burst.
 */
const STORM = { thresholdMs: 3000, capacity: 12, windowMs: 5000 };

const isStormCard = (m: any) => /new tickets/.test(m.embeds?.[0]?.title ?? '');

describe('storm-aware triage channel (Discord)', () => {
  let rig: DiscordStormRig;
  beforeAll(async () => {
    // The fake holds the bot to Discord's limits (429 beyond them); the workers run the production ones.
    rig = await discordStormRig({ tag: 'sd', storm: STORM, limits: DISCORD_LIMITS });
    // As the runtime does (app/runtime.ts): the console's address, for answers that link a ticket.
    rig.hd.helpdesk.consoleUrl = (n) => `https://desk.example/console/tickets/${n}`;
  }, 60_000);
  afterAll(() => rig?.close());

  it('coalesces a burst into storm cards listing every ticket in groups, and a claim from the card updates it', async () => {
    const { fake, hd, client } = rig;
    const filed: Ticket[] = [];
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const text = i % 2 ? `VPN keeps dropping on my laptop (${i})` : `Outlook will not open, email is down (${i})`;
        const r = await hd.helpdesk.handle({ type: 'help.request', eventId: `d-${i}`, request: { idempotencyKey: `d-${i}`, requester: { platform: 'discord', workspace: G.guild, user: String(800000000000000000n + BigInt(i)), name: `Person ${i}` }, text, origin: { platform: 'discord', workspace: G.guild, channel: G.support }, skipSuggestions: true } });
        if (r.kind === 'opened') filed.push(r.ticket);
      }),
    );
    expect(filed).toHaveLength(N);
    // Every ticket reachable in the tier-1 channel: its own card, or listed on a storm card.
    const allShown = () => {
      const text = fake.channelMessages(G.tier1).map(textOf).join('\n');
      return filed.every((t) => text.includes(t.number));
    };
    await waitFor(allShown, 60_000, 'every ticket in the tier-1 channel');
    // Each ticket visible (its number in a post or an edit the channel received) within 60 s of being filed.
    const shownAt = discordShownNumbers(fake, G.tier1);
    const worst = Math.max(...filed.map((t) => shownAt.get(t.number)! - t.createdAt.getTime()));
    console.log(`[storm discord] ${N} tickets; worst time to visible ${(worst / 1000).toFixed(1)} s`);
    expect(worst).toBeLessThanOrEqual(60_000);
    const messages = fake.channelMessages(G.tier1);
    const storm = messages.filter(isStormCard);
    expect(storm.length).toBeGreaterThanOrEqual(2); // 12 a card: the burst spans more than one
    expect(messages.length).toBeLessThan(N); // coalesced: fewer messages than tickets
    for (const card of storm) {
      // Within Discord's limits: ≤ 5 rows of ≤ 5 buttons, one embed under 6,000 characters.
      expect(card.components.length).toBeLessThanOrEqual(5);
      for (const row of card.components) expect(row.components.length).toBeLessThanOrEqual(5);
      expect(textOf(card).length).toBeLessThan(6000);
      // Near-identical requests are grouped (the two problems), each group with a claim button.
      const groupTitles = card.embeds[0].fields.map((f: any) => f.name);
      expect(groupTitles.length).toBeLessThanOrEqual(2);
      expect(customIds(card).every((id: string) => id.startsWith('hd:claim:') && id.endsWith(':storm'))).toBe(true);
    }
    expect(fake.refused).toEqual([]);
    // Within Discord's limits: nothing answered 429, at most 5 posts and edits in the channel in any 5 s.
    expect(fake.limited).toEqual([]);
    expect(mostInWindow(discordChannelCalls(fake, G.tier1).map((c) => c.at), DISCORD_LIMITS.channel.seconds * 1000)).toBeLessThanOrEqual(DISCORD_LIMITS.channel.max);

    // An agent claims from the newest storm card; the card is edited to show who has it.
    const card = storm.at(-1)!;
    const claimId = customIds(card)[0]!;
    const ticketId = claimId.split(':')[2]!;
    const press = fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, message: card, customId: claimId });
    await waitFor(async () => (await hd.store.get(ticketId))?.status === 'claimed', 15_000, 'claimed');
    const t = (await hd.store.get(ticketId))!;
    expect(t.assignee?.name).toBe('Ana Agent');
    // The claimer alone (an ephemeral follow-up) is told which ticket and given its console page.
    await waitFor(() => (fake.interactions.get(press.token)?.followups.length ?? 0) > 0, 15_000, 'the claimer is answered');
    const told = fake.interactions.get(press.token)!.followups;
    expect(told).toHaveLength(1);
    expect(told[0].flags & 64).toBe(64);
    const field = told[0].embeds?.[0]?.fields?.[0];
    expect(field?.name).toBe(`Open ${t.number} in the console`);
    expect(field?.value).toContain(`https://desk.example/console/tickets/${t.number}`);
    await waitFor(() => textOf(fake.channelMessages(G.tier1).find((m) => m.id === card.id)).includes(`${t.number} ✓ Ana Agent`), 30_000, 'the storm card shows the claim');
    // The next open ticket of that group is now the one its button claims.
    const after = fake.channelMessages(G.tier1).find((m) => m.id === card.id);
    expect(customIds(after)).not.toContain(claimId);

    // When the burst is over and the backlog has cleared, a new ticket gets its own card again, and
    // the last storm card is rendered once more as complete.
    await stormOver(client);
    const r = await hd.helpdesk.handle({ type: 'help.request', eventId: 'd-after', request: { idempotencyKey: 'd-after', requester: { platform: 'discord', workspace: G.guild, user: '800000000000009999', name: 'Late' }, text: 'my monitor flickers', origin: { platform: 'discord', workspace: G.guild, channel: G.support }, skipSuggestions: true } });
    const late = r.kind === 'opened' ? r.ticket : undefined;
    expect(late).toBeDefined();
    const own = await fake.waitFor(() => fake.channelMessages(G.tier1).find((m) => !isStormCard(m) && m.embeds?.[0]?.title?.startsWith(late!.number)), 'a normal card for the ticket after the storm', 30_000);
    expect(customIds(own).some((id) => id === `hd:claim:${late!.id}`)).toBe(true);
    await waitFor(() => textOf(fake.channelMessages(G.tier1).find((m) => m.id === storm.at(-1)!.id)).includes('is complete'), 30_000, 'the last storm card marked complete');
    expect(fake.errors).toEqual([]);
    expect(fake.limited).toEqual([]);
  }, 180_000);
});
