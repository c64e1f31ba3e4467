import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_LIMITS } from '../fakes/discord.fake.js';
import { customIds, G, users } from '../discord/discord.harness.js';
import { waitFor } from './harness.js';
import { discordChannelCalls, discordShownNumbers, discordStormRig, discordText, type DiscordStormRig } from './discord-storm.js';
import { breachFirstResponse, ESCALATION_STORM, ESCALATION_WAVE_N, escalationWave, isEscalatedStormText, fileStorm, mostInWindow, onTimeline, requesterWrites, stormOver, worstLateness } from './storm-wave.js';

/**
 * An escalation storm into a Discord tier-2 channel (issue 12 §3): an SLA breach wave escalates
 * hundreds of tickets at once; past ~30 s of the channel's backlog they are listed on its "N escalated
 * tickets" card, claimable there, within Discord's limits (the fake answers 429 beyond 50 requests a
 * second, or 5 message posts/edits in a channel in 5 s). The Slack version of this test is
 * tests/jobs/storm-escalation.test.ts.
 */
const N = ESCALATION_WAVE_N;
const STORM = ESCALATION_STORM;
const isStormCard = (m: any) => isEscalatedStormText(m?.embeds?.[0]?.title ?? '');

describe('storm-aware tier-2 channel (Discord, an SLA breach wave escalating 300 tickets)', () => {
  let rig: DiscordStormRig;
  beforeAll(async () => {
    rig = await discordStormRig({ tag: 'sed', storm: STORM, limits: DISCORD_LIMITS });
  }, 60_000);
  afterAll(() => rig?.close());

  it('every escalated ticket is reachable from tier-2 posts within 60 s, within Discord\'s limits, claimable from the storm card, and normal cards resume', async () => {
    const { fake, hd, client } = rig;
    const filed = await fileStorm(hd, N + 1, { tag: 'escd', requester: (i) => ({ platform: 'discord', workspace: G.guild, user: String(800000000000000000n + BigInt(i)), name: `Person ${i}` }), origin: { platform: 'discord', workspace: G.guild, channel: G.support } });
    expect(filed).toHaveLength(N + 1);
    const wave = filed.slice(0, N);
    const later = filed[N]!;

    const w = await escalationWave(hd, client.delivery, wave);
    expect(w.escalated).toHaveLength(N);

    await waitFor(() => wave.every((t) => discordShownNumbers(fake, G.tier2).has(t.number)), 120_000, 'every escalated ticket shown in the tier-2 channel');
    const worst = worstLateness(w, discordShownNumbers(fake, G.tier2));
    const calls = discordChannelCalls(fake, G.tier2);
    const posts = calls.filter((c) => c.method === 'POST');
    const storm = posts.filter((c) => isStormCard(c.body));
    const limitedHere = fake.limited.filter((c) => c.path.startsWith(`/channels/${G.tier2}/`));
    const rel = (ms: number) => ((ms - w.started) / 1000).toFixed(1);
    console.log(`[storm escalation discord] ${N} escalations in ${(w.tookMs / 1000).toFixed(1)} s; tier-2 channel: ${posts.length} posts (${storm.length} storm cards), ${calls.length - posts.length} edits; worst escalation → visible ${(worst / 1000).toFixed(1)} s; 429s from the fake: ${fake.limited.length} (${limitedHere.length} in the channel)`);
    console.log(`[storm escalation discord] tier-2 calls (o own card, s storm card post, e edit): ${calls.map((c) => `${rel(c.at)}${c.method === 'PATCH' ? 'e' : isStormCard(c.body) ? 's' : 'o'}`).join(' ')}`);
    if (fake.limited.length) console.log(`[storm escalation discord] 429s: ${fake.limited.map((c) => `${rel(c.at)} ${c.method} ${c.path.replace(/\d{15,}/g, (id) => (id === G.tier2 ? 'TIER2' : ':id'))}`).join(', ')}`);
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(storm.length).toBeGreaterThan(0);
    // Bounded: the own cards queued before the backlog passed 30 s, then one storm card per 50 tickets.
    expect(posts.length).toBeLessThan(N / 3);
    // Within Discord's limits: nothing refused (429, or 400 for a message over its size limits), and
    // the accepted calls never exceed the windows.
    expect(fake.limited).toEqual([]);
    expect(fake.refused).toEqual([]);
    expect(mostInWindow(calls.map((c) => c.at), DISCORD_LIMITS.channel.seconds * 1000)).toBeLessThanOrEqual(DISCORD_LIMITS.channel.max);
    expect(mostInWindow(fake.requests.map((c) => c.at), 1000)).toBeLessThanOrEqual(DISCORD_LIMITS.global.max);
    for (const c of storm) {
      // Escalated work of this tier: listed without "(Tier 2)", each group with a claim button; ≤ 5 rows of ≤ 5 buttons.
      expect(discordText(c.body)).not.toContain('(Tier 2)');
      expect(customIds(c.body).every((id: string) => id.startsWith('hd:claim:') && id.endsWith(':storm'))).toBe(true);
      expect(c.body.components.length).toBeLessThanOrEqual(5);
    }

    // A tier-2 agent claims from the newest storm card; the card is edited to show who has it.
    const card = fake.channelMessages(G.tier2).filter(isStormCard).at(-1)!;
    const claimId = customIds(card)[0]!;
    const ticketId = claimId.split(':')[2]!;
    fake.component({ user: users.expert, channelId: G.tier2, messageId: card.id, message: card, customId: claimId });
    await waitFor(async () => (await hd.store.get(ticketId))?.status === 'claimed', 15_000, 'claimed');
    const t = (await hd.store.get(ticketId))!;
    expect(t).toMatchObject({ status: 'claimed', tier: 2, assignee: { user: users.expert.id } });
    await waitFor(() => discordText(fake.channelMessages(G.tier2).find((m) => m.id === card.id)).includes(`${t.number} ✓ Tomás Tier2`), 30_000, 'the storm card shows the claim');
    // The claimer's way to the conversation: the requester's next message reaches no post in the tier-2
    // channel (no thread there), only the ticket's timeline (the console) and its other links.
    const said = await requesterWrites(hd, t.id);

    // After the wave, the next escalation gets its own card again.
    await stormOver(client);
    expect(discordChannelCalls(fake, G.tier2).filter((c) => JSON.stringify(c.body).includes(said))).toEqual([]);
    expect(await onTimeline(hd, t.id, said)).toBe(true);
    console.log(`[storm escalation discord] the requester's message after the claim reached: ${fake.requests.filter((c) => JSON.stringify(c.body ?? '').includes(said)).map((c) => `${c.method} ${c.path.replace(G.tier1, 'TIER1').replace(G.tier2, 'TIER2')}`).join(', ') || 'no REST call'}`);
    expect((await breachFirstResponse(hd, client.delivery, later)).outcome).toBe('breached');
    await waitFor(() => fake.channelMessages(G.tier2).find((m) => !isStormCard(m) && discordText(m).includes(later.number)), 30_000, 'an own escalation card after the wave');
    expect(fake.limited).toEqual([]);
    expect(fake.errors).toEqual([]);
  }, 300_000);
});
