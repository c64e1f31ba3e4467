import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCard } from '../../adapters/teams/teams.renderer.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { stormCardView, stormTicket } from '../../core/views/storm-card.view.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';
import { cardAction, type TeamsUser } from './activities.js';
import { actionOf, startTeams, type TeamsHarness } from './harness.js';

const TIER1 = '19:tier1@thread.tacv2';
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const mallory: TeamsUser = { id: '29:mallory', name: 'Mallory' };

// A storm card lists many tickets: Teams' Action.Execute answer replaces the card for the clicker,
// so a claim from it is answered with a message and the card is left for the notifier to re-render.
describe('Teams: claiming from a storm card', () => {
  let h: TeamsHarness;
  let tickets: Ticket[];
  let card: Record<string, unknown>;

  beforeAll(async () => {
    h = await startTeams({ desks: [testDesk()], agents: [testAgent('bob', [person('teams', bob.id, 'tenant1', bob.name)], 1)] });
    tickets = [];
    for (const i of [1, 2]) {
      const r = await h.core.helpdesk.handle({ type: 'help.request', eventId: `st-${i}`, request: { idempotencyKey: `st-${i}`, requester: person('teams', `29:req${i}`, 'tenant1', `Req ${i}`), text: 'VPN keeps dropping', origin: { platform: 'teams', workspace: 'tenant1' }, skipSuggestions: true } });
      if (r.kind === 'opened') tickets.push(r.ticket);
    }
    // As the runtime does (app/runtime.ts): the console's address, for answers that link a ticket.
    h.core.helpdesk.consoleUrl = (n) => `https://desk.example/console/tickets/${n}`;
    const desk = h.core.directory.desk('it');
    card = renderCard(stormCardView(tickets.map(stormTicket), [{ key: 'vpn', label: 'VPN keeps dropping', ticketIds: tickets.map((t) => t.id) }], desk, false, 'en'));
  });
  afterAll(async () => h?.close());

  it('a non-agent is refused with a message; the card is not replaced', async () => {
    const r = await h.send(cardAction(h.connector.url, mallory, actionOf(card, 'hd:claim'), { conversation: TIER1, replyToId: '1' }));
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(r.body.value).toContain('Only agents of this desk can do that.');
    expect((await h.core.store.get(tickets[0]!.id))!.status).toBe('open');
  });

  it('an agent claims the group\'s next ticket and is told so; the card is not replaced by one ticket\'s card', async () => {
    const r = await h.send(cardAction(h.connector.url, bob, actionOf(card, 'hd:claim'), { conversation: TIER1, replyToId: '1' }));
    expect(r.status).toBe(200);
    expect(r.body.type).toBe('application/vnd.microsoft.activity.message');
    // It names the ticket and links its console page: a storm-card ticket has no place of its own in chat.
    const n = tickets[0]!.number;
    expect(r.body.value).toBe(`You have ${n}: ${tickets[0]!.subject}. The list is updated for everyone. Read the conversation and answer the requester in the console: https://desk.example/console/tickets/${n}`);
    expect(await h.core.store.get(tickets[0]!.id)).toMatchObject({ status: 'claimed', assignee: { user: bob.id } });
    expect((await h.core.store.get(tickets[1]!.id))!.status).toBe('open');
  });
});
