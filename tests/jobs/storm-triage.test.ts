import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../core/domain/ticket.js';
import { blockText } from '../slack/slack-harness.js';
import { person, testAgent } from '../support/fixtures.js';
import { fileConcurrently, waitFor } from './harness.js';
import { callText, channelCalls, claimFromStormCard, shownNumbers, slackStormRig, type SlackStormRig } from './slack-storm.js';

const TIER1 = 'C_TIER1';
const SECRET = 'storm-signing-secret';
const ALICE = person('slack', 'UALICE', 'T1', 'Alice');
/** What people write in a storm: a few outages, each in many near-identical words. */
const PROBLEMS = [
  'VPN keeps dropping every few minutes',
  'cannot log in to my email, password rejected',
  'the printer on floor 3 is offline',
];
const N = 1000;

describe('storm-aware triage channel (Slack, 1,000 tickets into one desk)', () => {
  let rig: SlackStormRig;
  beforeAll(async () => {
    rig = await slackStormRig({ tag: 'st', secret: SECRET, agents: [testAgent('alice', [ALICE])] });
    // As the runtime does (app/runtime.ts): the console's address, for answers that link a ticket.
    rig.hd.helpdesk.consoleUrl = (n) => `https://desk.example/console/tickets/${n}`;
  }, 60_000);
  afterAll(() => rig?.close());

  it('every ticket is on a card within 60 s, the channel stays within its posting limit, and a claim from the storm card updates it', async () => {
    const { fake, hd, url } = rig;
    const started = Date.now();
    // 16 requests at a time, as the intake workers would process them.
    const filed = await fileConcurrently(N, 16, (i) => {
      const text = `${PROBLEMS[i % PROBLEMS.length]} (${i})`;
      return hd.helpdesk.handle({ type: 'help.request', eventId: `storm-${i}`, request: { idempotencyKey: `storm-${i}`, requester: person('slack', `U${i}`, 'T1', `Person ${i}`), text, origin: { platform: 'slack', workspace: 'T1', channel: 'CGENERAL' } } });
    });
    const filedIn = Date.now() - started;
    expect(filed).toHaveLength(N);
    expect(new Set(filed.map((t) => t.status))).toEqual(new Set(['open']));

    // Every ticket reachable from the tier-1 channel: on its own card or listed on a storm card.
    await waitFor(() => shownNumbers(fake.calls, TIER1).size >= N, 120_000, 'every ticket shown in the tier-1 channel');
    const shown = shownNumbers(fake.calls, TIER1);
    const lateness = filed.map((t) => shown.get(t.number)! - t.createdAt.getTime());
    const worst = Math.max(...lateness);
    const calls = channelCalls(fake.calls, TIER1);
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
    const stormCards = posts.filter((c) => String(c.args.text ?? '').includes('new tickets'));
    console.log(`[storm] ${N} tickets filed in ${(filedIn / 1000).toFixed(1)} s; tier-1 channel: ${posts.length} posts (${stormCards.length} storm cards), ${calls.length - posts.length} edits/replies; worst time to visible ${(worst / 1000).toFixed(1)} s; 429s from the fake in the channel: ${fake.limited.filter((l) => l.channel === TIER1).length}`);
    {
      // Where the time goes: own cards vs storm cards, filing vs channel time (diagnostic output only).
      const onStorm = new Set<string>();
      for (const c of calls) if (String(c.args.text ?? '').includes('new tickets')) for (const m of callText(c).matchAll(/IT-\d+/g)) onStorm.add(m[0]);
      const rel = (ms: number) => ((ms - started) / 1000).toFixed(1);
      const worstOf = (ts: Ticket[]) => ts.reduce<Ticket | undefined>((w, t) => (!w || shown.get(t.number)! - t.createdAt.getTime() > shown.get(w.number)! - w.createdAt.getTime() ? t : w), undefined);
      for (const [label, ts] of [['own cards', filed.filter((t) => !onStorm.has(t.number))], ['storm cards', filed.filter((t) => onStorm.has(t.number))]] as const) {
        const w = worstOf([...ts]);
        if (w) console.log(`[storm] ${label}: ${ts.length} tickets, worst ${w.number} filed at ${rel(w.createdAt.getTime())} s, visible at ${rel(shown.get(w.number)!)} s`);
      }
      const times = calls.map((c) => `${rel(c.at)}${c.method === 'chat.update' ? 'e' : String(c.args.text ?? '').includes('new tickets') ? 's' : 'o'}`);
      console.log(`[storm] channel calls (o own card, s storm card post, e edit): ${times.join(' ')}`);
    }
    expect(worst).toBeLessThanOrEqual(60_000);
    expect(stormCards.length).toBeGreaterThan(0);
    // Bounded: far fewer posts than tickets (one card per ~30 s of backlog, then ≤ 50 tickets a storm card).
    expect(posts.length).toBeLessThan(N / 5);
    // Within the per-channel limit: in any 10 s, at most 10 messages plus the burst.
    for (const c of calls) expect(calls.filter((d) => d.at >= c.at && d.at < c.at + 10_000).length).toBeLessThanOrEqual(13);
    expect(fake.refused.filter((r) => r.method.startsWith('chat.'))).toEqual([]);

    // Claim from the storm card, as Slack sends the button press; the card is edited to show it.
    const { ts, number: claimedNumber, status } = await claimFromStormCard(fake, { url, secret: SECRET, channel: TIER1, marker: 'new tickets', user: ALICE });
    expect(status).toBe(200);
    const t = await hd.store.getByNumber(claimedNumber);
    expect(t?.status).toBe('claimed');
    expect(t?.assignee?.user).toBe(ALICE.user);
    await waitFor(() => blockText(fake.messages.get(TIER1)!.find((m) => m.ts === ts)!.blocks).includes(`${claimedNumber} ✓ Alice`), 30_000, 'the storm card shows the claim');
    // The claimed ticket has no card of its own: the storm card is its place in the channel.
    expect(t?.links.filter((l) => l.role === 'triage')).toEqual([]);
    // So Alice alone is told which ticket she has and given its console page (the action's response_url).
    const told = fake.responses.filter((r) => r.body.response_type === 'ephemeral' && JSON.stringify(r.body).includes(claimedNumber));
    expect(told).toHaveLength(1);
    expect(told[0]!.body.replace_original).toBe(false);
    expect(blockText(told[0]!.body.blocks as never)).toContain(`*<https://desk.example/console/tickets/${claimedNumber}|Open ${claimedNumber} in the console>*`);
  }, 300_000);
});
