import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockText } from '../slack/slack-harness.js';
import { person, testAgent } from '../support/fixtures.js';
import { waitFor } from './harness.js';
import { breachFirstResponse, ESCALATION_STORM, ESCALATION_WAVE_N, escalationWave, isEscalatedStormText, fileStorm, mostInWindow, onTimeline, requesterWrites, stormOver, worstLateness } from './storm-wave.js';
import { callText, channelCalls, claimFromStormCard, shownNumbers, slackStormRig, type SlackStormRig } from './slack-storm.js';

/**
 * An escalation storm into a tier-2 channel (issue 12 §3): an SLA breach wave escalates hundreds of
 * tickets at once. Escalation cards go through the same storm admission as new tickets: past ~30 s
 * of channel backlog they are listed on the channel's "N escalated tickets" card (claimable there),
 * and normal escalation cards resume when the wave is over. Before, each escalation posted its own
 * card at Slack's 1/s: the 300th was visible ≈ 5 minutes late.
 */
const TIER2 = 'C_TIER2';
const SECRET = 'storm-esc-signing-secret';
const BOB = person('slack', 'UBOB', 'T1', 'Bob');
const N = ESCALATION_WAVE_N;
const STORM = ESCALATION_STORM;
const isStormCard = isEscalatedStormText;

describe('storm-aware tier-2 channel (Slack, an SLA breach wave escalating 300 tickets)', () => {
  let rig: SlackStormRig;
  beforeAll(async () => {
    rig = await slackStormRig({ tag: 'se', secret: SECRET, agents: [testAgent('bob', [BOB], 2)], storm: STORM });
  }, 60_000);
  afterAll(() => rig?.close());

  it('every escalated ticket is reachable from tier-2 posts within 60 s, within the channel limit, claimable from the storm card, and normal cards resume', async () => {
    const { fake, hd, client, url } = rig;
    // N tickets in the wave, one more escalated after it.
    const filed = await fileStorm(hd, N + 1, { tag: 'esc', requester: (i) => person('slack', `U${i}`, 'T1', `Person ${i}`), origin: { platform: 'slack', workspace: 'T1', channel: 'CGENERAL' } });
    expect(filed).toHaveLength(N + 1);
    const wave = filed.slice(0, N);
    const later = filed[N]!;

    // The wave: N first-response breaches handled 16 at a time, as SLA workers would.
    const w = await escalationWave(hd, client.delivery, wave);
    expect(w.escalated).toHaveLength(N);

    await waitFor(() => wave.every((t) => shownNumbers(fake.calls, TIER2).has(t.number)), 120_000, 'every escalated ticket shown in the tier-2 channel');
    const worst = worstLateness(w, shownNumbers(fake.calls, TIER2));
    const calls = channelCalls(fake.calls, TIER2);
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    const stormCards = posts.filter((c) => isStormCard(String(c.args.text ?? '')));
    const rel = (ms: number) => ((ms - w.started) / 1000).toFixed(1);
    console.log(`[storm escalation] ${N} escalations in ${(w.tookMs / 1000).toFixed(1)} s; tier-2 channel: ${posts.length} posts (${stormCards.length} storm cards), ${calls.length - posts.length} edits/replies; worst escalation → visible ${(worst / 1000).toFixed(1)} s; 429s from the fake in the channel: ${fake.limited.filter((l) => l.channel === TIER2).length}`);
    console.log(`[storm escalation] tier-2 calls (o own card, s storm card post, e edit): ${calls.map((c) => `${rel(c.at)}${c.method === 'chat.update' ? 'e' : isStormCard(String(c.args.text ?? '')) ? 's' : 'o'}`).join(' ')}`);
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(stormCards.length).toBeGreaterThan(0);
    // Bounded: the own cards queued before the backlog passed 30 s, then one storm card per 50 tickets.
    expect(posts.length).toBeLessThan(N / 3);
    // Within Slack's per-channel limit: in any 10 s, at most 10 messages plus the burst; no 429 surfaced as a failure.
    expect(mostInWindow(calls.map((c) => c.at), 10_000)).toBeLessThanOrEqual(13);
    expect(fake.refused.filter((r) => r.method.startsWith('chat.'))).toEqual([]);
    // Every storm-card ticket is listed as escalated work of this tier (tier 1's cards say "Tier 2").
    expect(calls.filter((c) => isStormCard(String(c.args.text ?? ''))).every((c) => !callText(c).includes('(Tier 2)'))).toBe(true);

    // A tier-2 agent claims from the storm card as Slack sends the press; the card shows it.
    const claimed = await claimFromStormCard(fake, { url, secret: SECRET, channel: TIER2, marker: 'escalated tickets', user: BOB });
    expect(claimed.status).toBe(200);
    const t = await hd.store.getByNumber(claimed.number);
    expect(t).toMatchObject({ status: 'claimed', tier: 2, assignee: { user: BOB.user } });
    await waitFor(() => blockText(fake.messages.get(TIER2)!.find((m) => m.ts === claimed.ts)!.blocks).includes(`${claimed.number} ✓ Bob`), 30_000, 'the storm card shows the claim');
    // The claimer's way to the conversation: the requester's next message reaches no post in the tier-2
    // channel (no thread there), only the ticket's timeline (the console) and its other links.
    const said = await requesterWrites(hd, t!.id);

    // After the wave (the delivery queue drained, the arrival rate averaged over 5 s fallen), the next
    // escalation gets its own card with the transcript again.
    await stormOver(client);
    expect(channelCalls(fake.calls, TIER2).filter((c) => callText(c).includes(said))).toEqual([]);
    expect(await onTimeline(hd, t!.id, said)).toBe(true);
    console.log(`[storm escalation] the requester's message after the claim reached: ${fake.calls.filter((c) => JSON.stringify(c.args).includes(said)).map((c) => `${c.method} ${String(c.args.channel)}${c.args.thread_ts ? ' (thread)' : ''}`).join(', ') || 'no Slack call'}`);
    expect((await breachFirstResponse(hd, client.delivery, later)).outcome).toBe('breached');
    const own = await waitFor(() => channelCalls(fake.calls, TIER2).find((c) => c.method === 'chat.postMessage' && !isStormCard(String(c.args.text ?? '')) && callText(c).includes(later.number)), 30_000, 'an own escalation card after the wave');
    expect(callText(own)).toContain(later.subject.slice(0, 20));
    expect(fake.limited.filter((l) => l.channel === TIER2).length).toBeLessThanOrEqual(2);
  }, 300_000);
});
