import { describe, expect, it } from 'vitest';
import { renderView as renderDiscord } from '../../adapters/discord/discord.renderer.js';
import { renderView as renderSlack } from '../../adapters/slack/slack.renderer.js';
import { renderActivity, teamsPayloadBytes, TEAMS_LIMITS } from '../../adapters/teams/teams.renderer.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { groupNearIdentical } from '../../core/use-cases/group-tickets.js';
import { STORM_CARD_CAPACITY_MAX, stormCardView, stormTicket } from '../../core/views/storm-card.view.js';
import { textSignature } from '../../kb/signature.js';
import { blocksProblem } from '../fakes/slack-api.fake.js';
import { messageLimitProblem } from '../fakes/discord.fake.js';
import { TEAMS_MAX_MESSAGE_BYTES } from '../fakes/bot-connector.fake.js';
import { testDesk } from '../support/fixtures.js';

const desk = testDesk({ prefix: 'CUSTOMERS', name: 'Customer support with a long name' });
const LONG = 'Ñandú '.repeat(60);

function ticket(i: number, over: Partial<Ticket> = {}): Ticket {
  return {
    id: `t${String(i).padStart(20, '0')}`, number: `CUSTOMERS-${100000 + i}`, deskId: 'it', subject: `${LONG} ${i}`, description: `${LONG} <@U123> @everyone ${i}`,
    status: 'open', priority: 'P3', tier: 1, requester: { platform: 'slack', workspace: 'T1', user: `U${i}` }, links: [], sla: {}, version: 1,
    createdAt: new Date(), updatedAt: new Date(), ...over,
  } as unknown as Ticket;
}

/** The worst case: a full card, every ticket its own group, half claimed by agents with long names. */
function worstCard(): { view: ReturnType<typeof stormCardView>; tickets: Ticket[] } {
  const tickets = Array.from({ length: STORM_CARD_CAPACITY_MAX }, (_, i) =>
    ticket(i, i % 2 ? { status: 'claimed', assignee: { platform: 'slack', workspace: 'T1', user: 'UA', name: 'Maximiliano de la Santísima Trinidad' } } as Partial<Ticket> : i % 5 === 0 ? { status: 'pending' } : {}),
  );
  const groups = tickets.map((t) => ({ key: t.id, label: t.subject, ticketIds: [t.id] }));
  return { view: stormCardView(tickets.map(stormTicket), groups, desk, false, 'es'), tickets };
}

describe('storm card view', () => {
  it('groups near-identical requests with the KB analyzer', () => {
    const sig = textSignature();
    const ts = [
      ticket(1, { subject: 'VPN keeps dropping', description: 'my vpn keeps dropping every few minutes' }),
      ticket(2, { subject: 'vpn dropping again', description: 'the VPN keeps dropping' }),
      ticket(3, { subject: 'Printer offline', description: 'the printer on floor 3 is offline' }),
      ticket(4, { subject: 'VPN keeps dropping!!', description: 'VPN keeps dropping since this morning' }),
      ticket(5, { subject: 'printer is offline', description: 'printer offline on floor 3' }),
    ];
    const groups = groupNearIdentical(ts, sig);
    expect(groups.map((g) => g.ticketIds.length)).toEqual([3, 2]);
    expect(groups[0]!.ticketIds).toEqual([ts[0]!.id, ts[1]!.id, ts[3]!.id]);
    expect(groups[0]!.label).toBe('VPN keeps dropping');
    expect(groups[0]!.key).toBeTruthy();
  });

  it('a full card lists every ticket within Slack, Discord and Teams limits', () => {
    const { view, tickets } = worstCard();
    const slack = renderSlack(view);
    expect(blocksProblem(slack.blocks)).toBeUndefined();
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    const slackText = JSON.stringify(slack.blocks);
    const discord = renderDiscord(view);
    expect(messageLimitProblem(discord.body)).toBeUndefined();
    expect(discord.body.components!.length).toBeLessThanOrEqual(5);
    for (const row of discord.body.components!) expect(row.components.length).toBeLessThanOrEqual(5);
    const discordText = JSON.stringify(discord.body.embeds);
    const teams = renderActivity(view);
    expect(teamsPayloadBytes(teams)).toBeLessThanOrEqual(TEAMS_LIMITS.rendered);
    expect(teamsPayloadBytes(teams)).toBeLessThan(TEAMS_MAX_MESSAGE_BYTES);
    const teamsText = JSON.stringify(teams);
    for (const t of tickets) {
      expect(slackText).toContain(t.number);
      expect(discordText).toContain(t.number);
      expect(teamsText).toContain(t.number);
    }
    // Broadcast mentions in subjects are neutralised.
    expect(discordText).not.toContain('@everyone');
  });

  it('claim buttons claim the oldest open ticket of each group and are marked as storm-card claims', () => {
    const ts = [ticket(1, { status: 'claimed' } as Partial<Ticket>), ticket(2), ticket(3)];
    const view = stormCardView(ts.map(stormTicket), [{ key: 'k', label: 'same', ticketIds: ts.map((t) => t.id) }], desk, false, 'en');
    expect(view.items).toHaveLength(1);
    expect(view.items![0]!.actions).toEqual([{ action: 'claim', label: `Claim ${ts[1]!.number}`, ticketId: ts[1]!.id, arg: 'storm', style: 'primary' }]);
    expect(view.title).toBe('3 new tickets (2 unclaimed)');
  });

  it('an escalated ticket is shown as at the next tier and is not claimable from the tier-1 card', () => {
    const ts = [ticket(1, { tier: 2 } as Partial<Ticket>), ticket(2)];
    const view = stormCardView(ts.map(stormTicket), [{ key: 'k', label: 'same', ticketIds: ts.map((t) => t.id) }], desk, false, 'en', 1);
    expect(view.items![0]!.actions![0]!.ticketId).toBe(ts[1]!.id);
    expect(view.items![0]!.text).toContain(`${ts[0]!.number} (Tier 2)`);
    expect(view.title).toBe('2 new tickets (1 unclaimed)');
  });

  it('a full tier-2 card of escalations, in Spanish, lists every ticket within Slack, Discord and Teams limits', () => {
    // 60 escalated tickets, each its own group; half claimed at tier 2, one passed on to tier 3.
    const tickets = Array.from({ length: STORM_CARD_CAPACITY_MAX }, (_, i) =>
      ticket(i, { tier: i === 2 ? 3 : 2, ...(i % 2 ? { status: 'claimed', assignee: { platform: 'slack', workspace: 'T1', user: 'UA', name: 'Maximiliano de la Santísima Trinidad' } } : {}) } as Partial<Ticket>),
    );
    const groups = tickets.map((t) => ({ key: t.id, label: t.subject, ticketIds: [t.id] }));
    const view = stormCardView(tickets.map(stormTicket), groups, desk, false, 'es', 2);
    expect(view.title).toBe('60 tickets escalados (29 sin asumir)');
    expect(view.context).toContain('escalados a la vez');
    const slack = renderSlack(view);
    expect(blocksProblem(slack.blocks)).toBeUndefined();
    const discord = renderDiscord(view);
    expect(messageLimitProblem(discord.body)).toBeUndefined();
    expect(discord.body.embeds![0]!.title).toBe('60 tickets escalados (29 sin asumir)');
    for (const row of discord.body.components!) for (const b of row.components as Array<{ custom_id?: string; label?: string }>) expect(b).toMatchObject({ custom_id: expect.stringMatching(/^hd:claim:.*:storm$/), label: expect.stringMatching(/^Asumir CUSTOMERS-/) });
    const teams = renderActivity(view);
    expect(teamsPayloadBytes(teams)).toBeLessThanOrEqual(TEAMS_LIMITS.rendered);
    const teamsText = JSON.stringify(teams);
    expect(teamsText).toContain('60 tickets escalados (29 sin asumir)');
    for (const t of tickets) for (const text of [JSON.stringify(slack.blocks), JSON.stringify(discord.body.embeds), teamsText]) expect(text).toContain(t.number);
    // The one passed on to tier 3 is marked so (not claimable here); none is marked "Nivel 2" on its own tier's card.
    expect(teamsText).not.toContain('(Nivel 2)');
    expect(view.items!.flatMap((i) => i.actions ?? []).map((a) => a.ticketId)).not.toContain(tickets[2]!.id);
  });
});
