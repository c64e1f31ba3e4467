import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spikeCardOps } from '../../core/use-cases/fanout/detect-spike.js';
import { cardAction, type TeamsUser } from '../teams/activities.js';
import { actionOf, cardOf, startTeams, textOf, type TeamsHarness } from '../teams/harness.js';
import { person, testAgent, testDesk } from '../support/fixtures.js';

const TIER2 = '19:tier2@thread.tacv2';
const agent: TeamsUser = { id: '29:agent', name: 'Ana Agent' };
const stranger: TeamsUser = { id: '29:stranger', name: 'Sam' };

/**
 * A spike card in a Teams tier-2 channel (real CloudAdapter against the Bot Connector fake): the
 * Declare button (Action.Execute) declares the incident, links the spike's tickets, answers the
 * clicker with the outcome and edits the card for everyone; a non-agent is refused, nothing declared.
 */
describe('Teams: Declare on a spike card', () => {
  let h: TeamsHarness;
  beforeAll(async () => {
    const desk = testDesk({ tiers: [{ level: 1, name: 'Tier 1', channels: { teams: { workspace: 'tenant1', channel: '19:tier1@thread.tacv2' } } }, { level: 2, name: 'Tier 2', channels: { teams: { workspace: 'tenant1', channel: TIER2 } } }] });
    h = await startTeams({ desks: [desk], agents: [testAgent('ana', [person('teams', agent.id, 'tenant1', agent.name)], 2)] });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('declares once, links every ticket, edits the card; a stranger is refused', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await h.core.helpdesk.handle({ type: 'help.request', eventId: `t-${i}`, request: { idempotencyKey: `t-${i}`, requester: person('teams', `29:r${i}`), text: 'printer on floor 3 prints blank pages', origin: { platform: 'teams', workspace: 'tenant1' }, skipSuggestions: true } });
      if (r.kind === 'opened') ids.push(r.ticket.id);
    }
    // The spike as the detector stores it (detection itself: tests/incidents/fanout.test.ts, spike-window.test.ts).
    const spike = await h.core.spikes.create({ id: `sp-${ids[0]}`, deskId: 'it', ticketIds: ids, windowMinutes: 10, at: new Date() });
    for (const op of await spikeCardOps(h.core.deps, spike)) await h.core.delivery.send(op);
    const post = h.connector.callsOf('create').find((c) => c.body?.channelData?.channel?.id === TIER2)!;
    const card = cardOf(post.body.activity);
    const declare = actionOf(card, 'hd:declare');
    const where = { conversation: `${TIER2};messageid=${post.answeredActivityId}`, replyToId: post.answeredActivityId };

    const refused = await h.send(cardAction(h.connector.url, stranger, declare, where));
    expect(refused.status).toBe(200);
    expect(await h.core.incidents.active({ deskId: 'it' })).toHaveLength(0);

    const ok = await h.send(cardAction(h.connector.url, agent, declare, where));
    expect(ok.status).toBe(200);
    const [inc] = await h.core.incidents.active({ deskId: 'it' });
    expect(inc).toBeDefined();
    expect(textOf({ attachments: [{ content: ok.body?.value }] })).toContain(`Declared ${inc!.number} and linked 3 tickets`);
    expect(await h.core.incidents.countLinked(inc!.id)).toBe(3);
    // A second click (another agent, a retry) declares nothing new.
    await h.send(cardAction(h.connector.url, agent, declare, where));
    expect(await h.core.incidents.active({ deskId: 'it' })).toHaveLength(1);
    // Everyone's card is edited in place to name the incident.
    const edit = h.connector.callsOf('update').find((c) => JSON.stringify(c.body).includes(`Declared ${inc!.number}`));
    expect(edit?.activityId).toBe(post.answeredActivityId);
  });
});
