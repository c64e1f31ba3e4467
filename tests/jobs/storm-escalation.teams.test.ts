import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_MAX_MESSAGE_BYTES, TEAMS_THREAD_LIMITS } from '../fakes/bot-connector.fake.js';
import { TENANT, type TeamsUser } from '../teams/activities.js';
import { actionOf, cardOf } from '../teams/harness.js';
import { person, testAgent } from '../support/fixtures.js';
import { waitFor } from './harness.js';
import { breachFirstResponse, ESCALATION_STORM, ESCALATION_WAVE_N, escalationWave, isEscalatedStormText, fileStorm, mostInWindow, onTimeline, requesterWrites, stormOver, worstLateness } from './storm-wave.js';
import { activityOf, cardText, currentCard, messageOf, TEAMS_TIER2, teamsChannelCalls, teamsClaimFromStormCard, teamsShownNumbers, teamsStormRig, type TeamsStormRig } from './teams-storm.js';

/**
 * An escalation storm into a Teams tier-2 channel (issue 12 §3): an SLA breach wave escalates hundreds
 * of tickets at once; past ~30 s of the channel's backlog they are listed on its "N escalated tickets"
 * card, claimable there, within Teams' per-conversation windows. The Slack version of this test is
 * tests/jobs/storm-escalation.test.ts.
 */
const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
const N = ESCALATION_WAVE_N;
const STORM = ESCALATION_STORM;
const isStormCard = isEscalatedStormText;

describe('storm-aware tier-2 channel (Teams, an SLA breach wave escalating 300 tickets)', () => {
  let rig: TeamsStormRig;
  beforeAll(async () => {
    rig = await teamsStormRig({ tag: 'set', agents: [testAgent('bob', [person('teams', bob.id, TENANT, bob.name)], 2)], storm: STORM });
  }, 60_000);
  afterAll(() => rig?.close());

  it('every escalated ticket is reachable from tier-2 posts within 60 s, within Teams\' windows, claimable from the storm card, and normal cards resume', async () => {
    const { connector, hd, client } = rig;
    const filed = await fileStorm(hd, N + 1, { tag: 'esct', requester: (i) => person('teams', `29:req${i}`, TENANT, `Person ${i}`), origin: { platform: 'teams', workspace: TENANT } });
    expect(filed).toHaveLength(N + 1);
    const wave = filed.slice(0, N);
    const later = filed[N]!;

    const w = await escalationWave(hd, client.delivery, wave);
    expect(w.escalated).toHaveLength(N);

    await waitFor(() => wave.every((t) => teamsShownNumbers(connector, TEAMS_TIER2).has(t.number)), 120_000, 'every escalated ticket shown in the tier-2 channel');
    const worst = worstLateness(w, teamsShownNumbers(connector, TEAMS_TIER2));
    const calls = teamsChannelCalls(connector, TEAMS_TIER2);
    const posts = calls.filter((c) => c.kind === 'create');
    const storm = posts.filter((c) => isStormCard(cardText(c)));
    const largest = Math.max(...calls.map((c) => Buffer.byteLength(JSON.stringify(c.body))));
    const rel = (ms: number) => ((ms - w.started) / 1000).toFixed(1);
    console.log(`[storm escalation teams] ${N} escalations in ${(w.tookMs / 1000).toFixed(1)} s; tier-2 channel: ${posts.length} posts (${storm.length} storm cards), ${calls.length - posts.length} edits/replies; worst escalation → visible ${(worst / 1000).toFixed(1)} s; largest call ${largest} bytes; 429s from the fake in the channel: ${connector.limited.filter((c) => teamsChannelCalls(connector, TEAMS_TIER2).includes(c)).length}`);
    console.log(`[storm escalation teams] tier-2 calls (o own card, r reply, s storm card post, e edit): ${calls.map((c) => `${rel(c.at)}${c.kind === 'update' ? 'e' : c.kind === 'create' ? (isStormCard(cardText(c)) ? 's' : 'o') : 'r'}`).join(' ')}`);
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(storm.length).toBeGreaterThan(0);
    // Bounded: the own cards queued before the backlog passed 30 s, then one storm card per 50 tickets.
    expect(posts.length).toBeLessThan(N / 3);
    // Within Teams' per-conversation windows: none refused, and the accepted calls never exceed them.
    expect(connector.limited.filter((c) => c.conversationId?.split(';')[0] === TEAMS_TIER2 || c.body?.channelData?.channel?.id === TEAMS_TIER2)).toEqual([]);
    for (const lim of TEAMS_THREAD_LIMITS) expect(mostInWindow(calls.map((c) => c.at), lim.seconds * 1000)).toBeLessThanOrEqual(lim.max);
    expect(connector.calls.filter((c) => c.status === 413)).toEqual([]);
    expect(largest).toBeLessThan(TEAMS_MAX_MESSAGE_BYTES);
    for (const c of storm) {
      const card = cardOf(activityOf(c));
      // Escalated work of this tier: listed without "(Tier 2)", a claim for each group's next ticket.
      expect(JSON.stringify(card)).not.toContain('(Tier 2)');
      expect(actionOf(card, 'hd:claim').data.hd.arg).toBe('storm');
    }

    // A tier-2 agent claims from the newest storm card as Teams sends it; answered with a message, and
    // the card is edited to show who has it.
    const messageId = messageOf(storm.at(-1)!)!;
    const claimed = await teamsClaimFromStormCard(rig, { channel: TEAMS_TIER2, messageId, user: bob });
    expect(claimed.status).toBe(200);
    const t = (await hd.store.get(claimed.ticketId))!;
    expect(claimed.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: `You have ${t.number}: ${t.subject}. The list is updated for everyone.` });
    expect(t).toMatchObject({ status: 'claimed', tier: 2, assignee: { user: bob.id } });
    await waitFor(() => JSON.stringify(currentCard(connector, TEAMS_TIER2, messageId)).includes(`${t.number} ✓ Bob Agent`), 30_000, 'the storm card shows the claim');
    // The claimer's way to the conversation: the requester's next message reaches no post in the tier-2
    // channel (no thread there), only the ticket's timeline (the console) and its other links.
    const said = await requesterWrites(hd, t.id);

    // After the wave, the next escalation gets its own card with the transcript again.
    await stormOver(client);
    expect(teamsChannelCalls(connector, TEAMS_TIER2).filter((c) => JSON.stringify(c.body).includes(said))).toEqual([]);
    expect(await onTimeline(hd, t.id, said)).toBe(true);
    console.log(`[storm escalation teams] the requester's message after the claim reached: ${connector.calls.filter((c) => JSON.stringify(c.body ?? '').includes(said)).map((c) => `${c.kind} ${c.conversationId ?? c.body?.channelData?.channel?.id}`).join(', ') || 'no connector call'}`);
    expect((await breachFirstResponse(hd, client.delivery, later)).outcome).toBe('breached');
    const own = await waitFor(() => teamsChannelCalls(connector, TEAMS_TIER2).find((c) => c.kind === 'create' && !isStormCard(cardText(c)) && cardText(c).includes(later.number)), 30_000, 'an own escalation card after the wave');
    expect(cardText(own)).toContain(later.subject.slice(0, 20));
  }, 300_000);
});
