import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../adapters/discord/discord.adapter.js';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { silentLogger } from '../../core/ports/logger.port.js';
import { createJobsClient, startWorkers, type JobsClient, type RunningWorkers } from '../../jobs/index.js';
import { textSignature } from '../../kb/signature.js';
import { DiscordFake } from '../fakes/discord.fake.js';
import { customIds, discordAgents, discordDesk, G, users } from '../discord/discord.harness.js';
import { KeywordKb } from '../support/fixtures.js';
import { freshDb, randomId, testRedisUrl } from '../support/services.js';
import { waitFor } from './harness.js';

const N = 40;
/**
 * A short threshold and small cards, so a few dozen tickets make a storm with two storm cards; a short
 * arrival-rate window, so the storm is over a few seconds after the burst.
 */
const STORM = { thresholdMs: 3000, capacity: 12, windowMs: 5000 };

const textOf = (m: any): string => [m.content ?? '', ...(m.embeds ?? []).flatMap((e: any) => [e.title ?? '', e.description ?? '', e.footer?.text ?? '', ...(e.fields ?? []).map((f: any) => `${f.name}\n${f.value}`)])].join('\n');
const isStormCard = (m: any) => /new tickets/.test(m.embeds?.[0]?.title ?? '');

describe('storm-aware triage channel (Discord)', () => {
  let fake: DiscordFake;
  let db: Awaited<ReturnType<typeof freshDb>>;
  let client: JobsClient;
  let hd: Composed;
  let adapter: DiscordAdapter;
  let workers: RunningWorkers;

  beforeAll(async () => {
    fake = await DiscordFake.start({ guilds: [{ id: G.guild, name: 'Acme', channels: [{ id: G.support, name: 'support' }, { id: G.tier1, name: 'tier-1' }, { id: G.tier2, name: 'tier-2' }, { id: G.log, name: 'log' }], roles: [{ id: G.roleT1, name: 'T1' }, { id: G.roleT2, name: 'T2' }] }] });
    db = await freshDb();
    client = createJobsClient({ connection: testRedisUrl(), prefix: `sd${randomId()}`, storm: STORM });
    hd = await composeHelpdesk({ connection: db.connection, desks: [discordDesk()], agents: discordAgents(), kb: new KeywordKb([]), delivery: () => client.delivery, storm: client.storm });
    adapter = createDiscordAdapter({ helpdesk: hd.helpdesk, directory: hd.directory, store: hd.store, token: 'fake-bot-token', applicationId: fake.applicationId, apiUrl: fake.apiUrl, guildIds: [G.guild], delivery: client.delivery, restRetries: 0, log: silentLogger });
    hd.platforms.set('discord', adapter.platform);
    await adapter.start();
    // Discord's production limits (1/s per channel, burst 5).
    workers = await startWorkers({ connection: testRedisUrl(), prefix: client.queues.prefix, deps: hd.deps, platforms: hd.platforms, signature: textSignature(), storm: STORM, delivery: { backoffBaseMs: 200, backoffMaxMs: 2000 }, tuning: { drainDelay: 1 } });
  }, 60_000);

  afterAll(async () => {
    await workers?.close(true).catch(() => {});
    await client?.close();
    await adapter?.stop().catch(() => {});
    await fake?.close();
    await db?.drop();
  });

  it('coalesces a burst into storm cards listing every ticket in groups, and a claim from the card updates it', async () => {
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
    const shownAt = new Map<string, number>();
    for (const c of fake.calls('POST', new RegExp(`^/channels/${G.tier1}/messages$`)).concat(fake.calls('PATCH', new RegExp(`^/channels/${G.tier1}/messages/\\d+$`))).sort((a, b) => a.at - b.at)) {
      for (const m of JSON.stringify(c.body ?? {}).matchAll(/IT-\d+/g)) if (!shownAt.has(m[0])) shownAt.set(m[0], c.at);
    }
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

    // An agent claims from the newest storm card; the card is edited to show who has it.
    const card = storm.at(-1)!;
    const claimId = customIds(card)[0]!;
    const ticketId = claimId.split(':')[2]!;
    fake.component({ user: users.agent, channelId: G.tier1, messageId: card.id, message: card, customId: claimId });
    await waitFor(async () => (await hd.store.get(ticketId))?.status === 'claimed', 15_000, 'claimed');
    const t = (await hd.store.get(ticketId))!;
    expect(t.assignee?.name).toBe('Ana Agent');
    await waitFor(() => textOf(fake.channelMessages(G.tier1).find((m) => m.id === card.id)).includes(`${t.number} ✓ Ana Agent`), 30_000, 'the storm card shows the claim');
    // The next open ticket of that group is now the one its button claims.
    const after = fake.channelMessages(G.tier1).find((m) => m.id === card.id);
    expect(customIds(after)).not.toContain(claimId);

    // When the burst is over and the backlog has cleared, a new ticket gets its own card again, and
    // the last storm card is rendered once more as complete.
    const pending = async () => {
      const c = await client.queues.delivery.getJobCounts('wait', 'delayed', 'active', 'prioritized');
      return Object.values(c).reduce((a, b) => a + (b ?? 0), 0);
    };
    await waitFor(async () => (await pending()) === 0, 60_000, 'the delivery queue drained');
    // The arrival rate (averaged over 5 s) falls under half the channel's rate some 15 s after the burst.
    await new Promise((r) => setTimeout(r, 15_000));
    const r = await hd.helpdesk.handle({ type: 'help.request', eventId: 'd-after', request: { idempotencyKey: 'd-after', requester: { platform: 'discord', workspace: G.guild, user: '800000000000009999', name: 'Late' }, text: 'my monitor flickers', origin: { platform: 'discord', workspace: G.guild, channel: G.support }, skipSuggestions: true } });
    const late = r.kind === 'opened' ? r.ticket : undefined;
    expect(late).toBeDefined();
    const own = await fake.waitFor(() => fake.channelMessages(G.tier1).find((m) => !isStormCard(m) && m.embeds?.[0]?.title?.startsWith(late!.number)), 'a normal card for the ticket after the storm', 30_000);
    expect(customIds(own).some((id) => id === `hd:claim:${late!.id}`)).toBe(true);
    await waitFor(() => textOf(fake.channelMessages(G.tier1).find((m) => m.id === storm.at(-1)!.id)).includes('is complete'), 30_000, 'the last storm card marked complete');
    expect(fake.errors).toEqual([]);
  }, 180_000);
});
