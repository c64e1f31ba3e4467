import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failNext } from '../support/faults.js';
import { ALICE, blockText, startSlackHarness, TEAM, TIER1, type SlackHarness } from './slack-harness.js';

/** Retries after failures, the card/message race and replays, through real Bolt against the Web API fake. */
describe('slack: at-least-once events', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  const ticketsOf = (user: string) => h.composed.store.list({ requester: { platform: 'slack', workspace: TEAM, user } });
  const cardsOf = (number: string) => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === TIER1 && !c.args.thread_ts && blockText(c.args.blocks).includes(number));

  it('an event whose handling failed on a database hiccup is processed by Slack’s retry (X-Slack-Retry-Num): one ticket, one card', async () => {
    const ev = { type: 'message', channel: 'DUFAIL', channel_type: 'im', user: 'UFAIL', text: 'the qwzx plorb in room 12 hums loudly', ts: h.next() };
    // The opening message's write fails after the ticket is stored (routed by its insert: no article fits).
    const fault = failNext(h.composed.store, 'appendTimeline');
    await h.event(ev, { eventId: 'EvFAIL1' });
    fault.restore();
    expect(fault.failed).toBe(1);
    const [first] = await ticketsOf('UFAIL');
    expect(first?.status).toBe('open');
    expect(cardsOf(first!.number)).toHaveLength(0);
    expect(await h.composed.store.timeline(first!.id)).toHaveLength(0);

    await h.event(ev, { eventId: 'EvFAIL1', retryNum: 1 });
    await h.event(ev, { eventId: 'EvFAIL1', retryNum: 2 });
    const tickets = await ticketsOf('UFAIL');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.status).toBe('open');
    expect(cardsOf(first!.number)).toHaveLength(1);
    expect((await h.composed.store.timeline(first!.id)).filter((e) => e.kind === 'message')).toHaveLength(1);
  });

  it('a DM sent while the triage card is being posted is relayed into the card’s thread once the card exists', async () => {
    const post = h.fake.hold('chat.postMessage', (a) => a.channel === TIER1 && !a.thread_ts);
    const opening = h.event({ type: 'message', channel: 'DURACE', channel_type: 'im', user: 'URACE', text: 'the zorblax kiosk in the lobby froze', ts: h.next() }, { eventId: 'EvRACE1' });
    await post.reached;
    await h.event({ type: 'message', channel: 'DURACE', channel_type: 'im', user: 'URACE', text: 'it shows a blue screen', ts: h.next() }, { eventId: 'EvRACE2' });
    post.release();
    await opening;
    const [t] = await ticketsOf('URACE');
    const card = h.fake.callsOf('chat.postMessage').find((c) => c.args.channel === TIER1 && !c.args.thread_ts && blockText(c.args.blocks).includes(t!.number))!;
    const cardTs = (await h.composed.store.get(t!.id))!.links.find((l) => l.role === 'triage')!.message!;
    expect(card).toBeDefined();
    const inThread = () => h.fake.callsOf('chat.postMessage').filter((c) => c.args.channel === TIER1 && c.args.thread_ts === cardTs && JSON.stringify(c.args).includes('blue screen'));
    await h.fake.waitFor(() => inThread()[0]);
    expect(inThread()).toHaveLength(1);
  });

  it('the requester’s first DM replayed after the chat is linked adds nothing: no second timeline entry, nothing in the card thread', async () => {
    const ev = { type: 'message', channel: 'DUREPLAY', channel_type: 'im', user: 'UREPLAY', text: 'the fnord wall clock on floor 3 hums all night', ts: h.next() };
    await h.event(ev, { eventId: 'EvREPLAY1' });
    const [t] = await ticketsOf('UREPLAY');
    const cardTs = (await h.composed.store.get(t!.id))!.links.find((l) => l.role === 'triage')!.message!;
    const posts = h.fake.callsOf('chat.postMessage').length;
    await h.event(ev, { eventId: 'EvREPLAY1', retryNum: 1 });
    expect((await h.composed.store.timeline(t!.id)).filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(h.fake.callsOf('chat.postMessage').slice(posts).filter((c) => c.args.thread_ts === cardTs)).toHaveLength(0);
  });

  it('a non-agent pressing Claim on a claimed card is told only that they cannot, not who holds it', async () => {
    await h.event({ type: 'message', channel: 'DUNA', channel_type: 'im', user: 'UNA', text: 'the quux scanner on floor 9 is dead', ts: h.next() }, { eventId: 'EvNA1' });
    const [t] = await ticketsOf('UNA');
    const card = h.fake.messages.get(TIER1)!.find((m) => blockText(m.blocks).includes(t!.number))!;
    const stale = structuredClone(card.blocks); // what a person still looking at the unclaimed card presses
    await h.interaction(h.blockAction(card.blocks, 'claim', { user: ALICE, channel: TIER1, messageTs: card.ts }));
    expect((await h.composed.store.get(t!.id))?.status).toBe('claimed');
    const before = h.fake.responses.length;
    await h.interaction(h.blockAction(stale, 'claim', { user: { user: 'UNA' }, channel: TIER1, messageTs: card.ts }));
    const refusal = await h.fake.waitFor(() => h.fake.responses.slice(before).find((r) => r.id.startsWith('act-')));
    expect(String(refusal.body.text)).toMatch(/Only agents/);
    expect(String(refusal.body.text)).not.toMatch(/Alice|claimed by/);
  });
});
