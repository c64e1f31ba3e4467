import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEAMS_MAX_MESSAGE_BYTES, TEAMS_THREAD_LIMITS } from '../fakes/bot-connector.fake.js';
import { TENANT, type TeamsUser } from '../teams/activities.js';
import { actionOf, cardOf } from '../teams/harness.js';
import { person, testAgent } from '../support/fixtures.js';
import { fileConcurrently, waitFor } from './harness.js';
import { mostInWindow, stormOver } from './storm-wave.js';
import { activityOf, cardText, currentCard, inChannel, messageOf, TEAMS_TIER1 as TIER1, teamsChannelCalls, teamsClaimFromStormCard, teamsShownNumbers, teamsStormRig, type TeamsStormRig } from './teams-storm.js';

const bob: TeamsUser = { id: '29:bob', name: 'Bob Agent' };
/** `STORM_TEAMS_N=1000` runs the full burst (≈ 2.5 min here). */
const N = Number(process.env.STORM_TEAMS_N ?? 300);
/**
 * The production threshold (30 s of backlog) and card capacity (50), so the channel is saturated for
 * longer than Teams' 30 s window and cards are full; a short arrival-rate window (default 30 s), so the
 * storm ends soon after the burst.
 */
const STORM = { windowMs: 5000 };

const inTier1 = (c: Parameters<typeof inChannel>[0]) => inChannel(c, TIER1);
const isStormCard = (c: Parameters<typeof cardText>[0]) => /new tickets \(/.test(cardText(c));

describe('storm-aware triage channel (Teams, Bot Connector fake with Teams\' per-conversation limits)', () => {
  let rig: TeamsStormRig;
  /** Accepted calls into the tier-1 channel (any of its threads). */
  const tier1 = () => teamsChannelCalls(rig.connector, TIER1);
  beforeAll(async () => {
    rig = await teamsStormRig({ tag: 'stt', agents: [testAgent('bob', [person('teams', bob.id, TENANT, bob.name)])], storm: STORM });
  }, 60_000);
  afterAll(() => rig?.close());

  it('every ticket is reachable within 60 s, the channel within Teams\' limits, grouped cards under the size limit, a claim (Action.Execute) updates the card, and the storm ends', async () => {
    const { connector, hd, client } = rig;
    const started = Date.now();
    // 16 requests at a time, as the intake workers would process them.
    const filed = await fileConcurrently(N, 16, (i) => {
      const text = i % 2 ? `VPN keeps dropping on my laptop (${i})` : `Outlook will not open, email is down (${i})`;
      return hd.helpdesk.handle({ type: 'help.request', eventId: `t-${i}`, request: { idempotencyKey: `t-${i}`, requester: person('teams', `29:req${i}`, TENANT, `Person ${i}`), text, origin: { platform: 'teams', workspace: TENANT }, skipSuggestions: true } });
    });
    const filedIn = Date.now() - started;
    expect(filed).toHaveLength(N);

    // Every ticket reachable from the tier-1 channel: its own card or listed on a storm card, first
    // shown by an accepted post or edit at most 60 s after it was filed.
    await waitFor(() => filed.every((t) => teamsShownNumbers(connector, TIER1).has(t.number)), 90_000, 'every ticket shown in the tier-1 channel');
    const first = teamsShownNumbers(connector, TIER1);
    const worst = Math.max(...filed.map((t) => first.get(t.number)! - t.createdAt.getTime()));
    const calls = tier1();
    const posts = calls.filter((c) => c.kind === 'create');
    const storm = posts.filter(isStormCard);
    const largest = Math.max(...calls.map((c) => Buffer.byteLength(JSON.stringify(c.body))));
    console.log(`[storm teams] ${N} tickets filed in ${(filedIn / 1000).toFixed(1)} s; tier-1 channel: ${posts.length} posts (${storm.length} storm cards), ${calls.length - posts.length} edits/replies; worst time to visible ${(worst / 1000).toFixed(1)} s; largest call ${largest} bytes; 429s from the fake in the channel: ${connector.limited.filter(inTier1).length}`);
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(storm.length).toBeGreaterThanOrEqual(2); // 50 a card: the burst spans more than one
    // Bounded: the own cards queued before the backlog passed 30 s (≈ 48 waiting at 1.6/s, plus those
    // posted while it built up), then one storm card per 50 tickets; far fewer posts than tickets.
    expect(posts.length).toBeLessThan(N / 3);
    // Within Teams' per-conversation limits: our buckets kept under them (the fake would have answered
    // 429 beyond any window), and the calls it accepted never exceed them.
    expect(connector.limited.filter(inTier1)).toEqual([]);
    for (const w of TEAMS_THREAD_LIMITS) expect(mostInWindow(calls.map((c) => c.at), w.seconds * 1000)).toBeLessThanOrEqual(w.max);
    // Under Teams' message size limit (the fake answers 413 beyond it; none was).
    expect(connector.calls.filter((c) => c.status === 413)).toEqual([]);
    expect(largest).toBeLessThan(TEAMS_MAX_MESSAGE_BYTES);
    for (const c of storm) {
      // Near-identical requests are grouped (the two problems), each group with a claim for its next ticket.
      const card = cardOf(activityOf(c));
      const groups = card.body.filter((b: any) => b.type === 'Container' && b.separator);
      expect(groups.length).toBeGreaterThanOrEqual(1);
      expect(groups.length).toBeLessThanOrEqual(2);
      expect(actionOf(card, 'hd:claim').data.hd.arg).toBe('storm');
    }

    // An agent claims from the newest storm card as Teams sends it (an `adaptiveCard/action` invoke in
    // the card's thread): answered with a message, and the card is edited to show who has it.
    const messageId = messageOf(storm.at(-1)!)!;
    const current = () => currentCard(connector, TIER1, messageId);
    const r = await teamsClaimFromStormCard(rig, { channel: TIER1, messageId, user: bob });
    const ticketId = r.ticketId;
    expect(r.status).toBe(200);
    const t = (await hd.store.get(ticketId))!;
    expect(r.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: `You have ${t.number}: ${t.subject}. The list is updated for everyone.` });
    expect(t).toMatchObject({ status: 'claimed', assignee: { user: bob.id } });
    await waitFor(() => JSON.stringify(current()).includes(`${t.number} ✓ Bob Agent`), 30_000, 'the storm card shows the claim');
    expect(t.links.filter((l) => l.role === 'triage')).toEqual([]); // the storm card is its place in the channel

    // When the burst is over and the backlog has cleared, a new ticket gets its own card again, and
    // the last storm card is rendered once more as complete.
    await stormOver(client);
    const after = await hd.helpdesk.handle({ type: 'help.request', eventId: 't-after', request: { idempotencyKey: 't-after', requester: person('teams', '29:late', TENANT, 'Late'), text: 'my monitor flickers', origin: { platform: 'teams', workspace: TENANT }, skipSuggestions: true } });
    const late = after.kind === 'opened' ? after.ticket : undefined;
    expect(late).toBeDefined();
    const own = await waitFor(() => tier1().find((c) => c.kind === 'create' && !isStormCard(c) && cardText(c).includes(late!.number)), 30_000, 'a normal card for the ticket after the storm');
    expect(actionOf(cardOf(activityOf(own)), 'hd:claim').data.hd).toMatchObject({ action: 'claim', ticketId: late!.id });
    const lastStorm = storm.at(-1)!;
    await waitFor(() => [...tier1()].reverse().find((c) => messageOf(c) === messageOf(lastStorm) && cardText(c).includes('is complete')), 30_000, 'the last storm card marked complete');
    expect(connector.limited.filter(inTier1)).toEqual([]);
  }, 240_000);
});
