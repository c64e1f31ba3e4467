import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import type { ChatPlatform, Posted, PostTarget } from '../../core/ports/chat-platform.port.js';
import { MongoIdempotencyStore } from '../../core/store/processed-event.model.js';
import type { View } from '../../core/views/view.js';
import { failNext } from '../support/faults.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb, randomId } from '../support/services.js';

/** Records what core asks a platform to do; `holdPosts` makes posts to a channel wait until released. */
class RecordingPlatform implements ChatPlatform {
  readonly capabilities = { ephemeral: false, reactions: true, threads: true, editMessages: true };
  readonly calls: Array<{ op: string; channel: string; thread?: string; view: View }> = [];
  private n = 0;
  hold?: { channel: string; started: () => void; release: Promise<void> };
  constructor(readonly platform: 'slack' | 'teams') {}
  async post(t: PostTarget, view: View): Promise<Posted> {
    this.calls.push({ op: 'post', channel: t.channel, thread: t.thread, view });
    const message = `m${++this.n}`;
    if (this.hold && this.hold.channel === t.channel) {
      const h = this.hold;
      this.hold = undefined;
      h.started();
      await h.release; // the card is visible on the platform; its answer (and link) is not back yet
    }
    return { channel: t.channel, message };
  }
  async update(l: Link, view: View): Promise<void> {
    this.calls.push({ op: 'update', channel: l.channel, thread: l.message, view });
  }
  async dm(p: Identity, view: View): Promise<Posted> {
    this.calls.push({ op: 'dm', channel: `D-${p.user}`, view });
    return { channel: `D-${p.user}`, message: `m${++this.n}` };
  }
}

const agent = person('slack', 'UAG', 'T1', 'Ana');
const slack = new RecordingPlatform('slack');
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;

beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({
    connection: db.connection,
    desks: [testDesk({ tiers: [{ level: 1, name: 'T1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }, { level: 2, name: 'T2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } }] })],
    agents: [testAgent('ana', [agent], 2)],
    kb: new KeywordKb(),
    platforms: new Map<'slack', ChatPlatform>([['slack', slack]]),
  });
});
afterAll(async () => db.drop());

const requester = (u: string) => person('slack', u, 'T1', u);
const dmOf = (u: string) => ({ platform: 'slack' as const, workspace: 'T1', channel: `D-${u}` });
const request = (eventId: string, who: Identity, text = 'the printer on floor 2 jams on every page') =>
  hd.helpdesk.handle({ type: 'help.request', eventId, request: { idempotencyKey: eventId, requester: who, text, origin: { platform: 'slack', workspace: 'T1' }, requesterLink: dmOf(who.user) } });
const cardsFor = (number: string) => slack.calls.filter((c) => c.op === 'post' && c.channel === 'C_TIER1' && c.view.kind === 'ticket_card' && JSON.stringify(c.view).includes(number));
const ticketsOf = (user: string) => hd.store.list({ requester: { platform: 'slack', workspace: 'T1', user } });

async function openRouted(u: string) {
  const r = await request(`open-${u}`, requester(u));
  if (r.kind !== 'opened') throw new Error(r.kind);
  expect(r.ticket.status).toBe('open'); // no suggestion: routed at once
  const card = cardsFor(r.ticket.number)[0]!;
  const t = (await hd.store.get(r.ticket.id))!;
  return { t, cardAt: { platform: 'slack' as const, workspace: 'T1', channel: 'C_TIER1', thread: t.links.find((l) => l.role === 'triage')!.message! }, card };
}

describe('at-least-once inbound events with idempotent effects (real FerretDB, failing ports)', () => {
  const today = () => new Date().toISOString().slice(0, 10);
  const rollup = async () => (await hd.metrics.read('it', today(), today()))[0] ?? { opened: 0, routed: 0 };

  it('a request that fails after its ticket is stored is finished by the retry: one ticket, one opening message, one card', async () => {
    const who = requester('UR1');
    const counted = await rollup();
    // The opening message's write fails: the ticket is stored (routed by its insert: no article
    // fits) but nothing is recorded or announced — the old code had already marked the event processed.
    const fault = failNext(hd.store, 'appendTimeline');
    await expect(request('ev-r1', who)).rejects.toThrow('injected failure');
    fault.restore();
    expect(fault.failed).toBe(1);
    const [stored] = await ticketsOf('UR1');
    expect(stored?.status).toBe('open');
    expect(cardsFor(stored!.number)).toHaveLength(0);
    expect(await hd.store.timeline(stored!.id)).toHaveLength(0);

    const retry = await request('ev-r1', who);
    expect(retry).toMatchObject({ kind: 'opened', created: true, ticket: { status: 'open', id: stored!.id } });
    expect(await ticketsOf('UR1')).toHaveLength(1);
    const timeline = await hd.store.timeline(stored!.id);
    expect(timeline.filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(timeline.filter((e) => e.event === 'route')).toHaveLength(1);
    expect(cardsFor(stored!.number)).toHaveLength(1);
    // A third delivery is the first one's ticket, with nothing new.
    expect(await request('ev-r1', who)).toMatchObject({ kind: 'opened', created: false });
    // `ticket.created` was emitted by both attempts; the rollups count the request once.
    const after = await rollup();
    expect([(after.opened ?? 0) - (counted.opened ?? 0), (after.routed ?? 0) - (counted.routed ?? 0)]).toEqual([1, 1]);
  });

  it('a request whose route is stored but not announced (the attempt died in between) is announced by the retry: one card', async () => {
    const who = requester('UR9');
    // The route's write reaches the store, then announcing it fails twice (the attempt's own
    // finishing try included), as a process killed right after the write would leave it: the ticket
    // is `open`, no card was posted, the requester was not told.
    const fault = failNext(hd.events, 'emit', { times: 2, when: (e) => (e as { type: string }).type === 'ticket.routed' });
    await expect(request('ev-r9', who)).rejects.toThrow('injected failure');
    fault.restore();
    const [stored] = await ticketsOf('UR9');
    expect(stored?.status).toBe('open');
    expect(cardsFor(stored!.number)).toHaveLength(0);

    const retry = await request('ev-r9', who);
    expect(retry).toMatchObject({ kind: 'opened', created: true, ticket: { status: 'open', id: stored!.id } });
    expect(cardsFor(stored!.number)).toHaveLength(1);
    expect((await hd.store.timeline(stored!.id)).filter((e) => e.event === 'route')).toHaveLength(1);
    // Delivered again, it is the first one's ticket: no second card.
    await request('ev-r9', who);
    expect(cardsFor(stored!.number)).toHaveLength(1);
  });

  it('a request whose route was announced but whose attempt died before recording it is not announced twice: one card, one notice', async () => {
    const who = requester('UR7');
    // The route is stored and announced (card posted, requester told, both links stored: the ticket's
    // version moved on), then its timeline entry, which marks the announcement done, fails twice (the
    // attempt's own finishing try included), as a process killed in between would leave it. The
    // retry announces again; its deliveries must be the first ones' (same keys), not new messages.
    const fault = failNext(hd.store, 'appendTimeline', { times: 2, when: (e) => (e as { event?: string }).event === 'route' });
    await expect(request('ev-r7', who)).rejects.toThrow('injected failure');
    fault.restore();
    const [stored] = await ticketsOf('UR7');
    expect(cardsFor(stored!.number)).toHaveLength(1);
    const notices = () => slack.calls.filter((c) => c.channel === 'D-UR7' && JSON.stringify(c.view).includes(stored!.number)).length;
    expect(notices()).toBe(1);
    expect(stored!.version).toBeGreaterThan(2); // links stored after the route: the retry sees a newer ticket

    await request('ev-r7', who);
    expect(cardsFor(stored!.number)).toHaveLength(1);
    expect(notices()).toBe(1);
    expect((await hd.store.timeline(stored!.id)).filter((e) => e.event === 'route')).toHaveLength(1);
  });

  it('a request whose route announcement fails once is finished by the same attempt: one card', async () => {
    const who = requester('UR8');
    const fault = failNext(hd.events, 'emit', { when: (e) => (e as { type: string }).type === 'ticket.routed' });
    const r = await request('ev-r8', who);
    fault.restore();
    expect(fault.failed).toBe(1);
    expect(r).toMatchObject({ kind: 'opened', ticket: { status: 'open' } });
    const [stored] = await ticketsOf('UR8');
    expect(cardsFor(stored!.number)).toHaveLength(1);
    expect((await hd.store.timeline(stored!.id)).filter((e) => e.event === 'route')).toHaveLength(1);
  });

  it('a claim whose timeline write fails is retried to exactly one claim, without an "already claimed" refusal', async () => {
    const { t } = await openRouted('UR2');
    const before = slack.calls.length;
    const fault = failNext(hd.store, 'appendTimeline');
    await expect(hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-c1', actor: agent, ticket: { id: t.id } })).rejects.toThrow('injected failure');
    fault.restore();
    const r = await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-c1', actor: agent, ticket: { id: t.id } });
    expect(r).toMatchObject({ kind: 'ticket', ticket: { status: 'claimed', assignee: { user: 'UAG' } } });
    expect((await hd.store.timeline(t.id)).filter((e) => e.event === 'claim')).toHaveLength(1);
    const notices = slack.calls.slice(before).filter((c) => c.channel === 'D-UR2' && c.view.text?.includes('Ana'));
    expect(notices).toHaveLength(1);
    expect(await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-c1', actor: agent, ticket: { id: t.id } })).toEqual({ kind: 'duplicate' });
  });

  it('a message whose first attempt fails before or after it is recorded is recorded and relayed exactly once', async () => {
    const { t, cardAt } = await openRouted('UR3');
    const relays = () => slack.calls.filter((c) => c.op === 'post' && c.view.kind === 'relay' && c.channel === 'D-UR3');
    const say = (eventId: string, text: string) => hd.helpdesk.handle({ type: 'ticket.message', eventId, actor: agent, at: cardAt, text, messageId: eventId });

    // After: recorded, then the first-response write (the agent's first answer) fails. The retry
    // finishes without a second entry.
    const f1 = failNext(hd.store, 'update');
    try {
      await expect(say('ev-m1', 'Please restart the spooler')).rejects.toThrow('injected failure');
    } finally {
      f1.restore();
    }
    expect(f1.failed).toBe(1);
    expect(await say('ev-m1', 'Please restart the spooler')).toMatchObject({ kind: 'message', recorded: true });
    expect(await say('ev-m1', 'Please restart the spooler')).toEqual({ kind: 'duplicate' });

    // Before: the timeline write fails. Nothing recorded; the retry records it.
    const f2 = failNext(hd.store, 'appendTimeline');
    try {
      await expect(say('ev-m2', 'And then print a test page')).rejects.toThrow('injected failure');
    } finally {
      f2.restore();
    }
    expect((await hd.store.timeline(t.id)).filter((e) => e.text.includes('test page'))).toHaveLength(0);
    expect(await say('ev-m2', 'And then print a test page')).toMatchObject({ kind: 'message', recorded: true });

    const entries = (await hd.store.timeline(t.id)).filter((e) => e.kind === 'message' && e.actor.kind === 'person' && e.actor.identity.user === 'UAG');
    expect(entries.map((e) => e.text)).toEqual(['Please restart the spooler', 'And then print a test page']);
    expect(relays().map((c) => c.view.text)).toEqual(['Please restart the spooler', 'And then print a test page']);
    expect((await hd.store.get(t.id))?.sla.firstRespondedAt).toBeInstanceOf(Date);
  });

  it('a request replayed as a follow-up message (its chat now linked) is the same event: nothing recorded or relayed, even once its id is pruned', async () => {
    const who = requester('UR8');
    const { t, cardAt } = await openRouted('UR8');
    const replay = () => hd.helpdesk.handle({ type: 'ticket.message', eventId: 'open-UR8', actor: who, at: dmOf('UR8'), text: 'the printer on floor 2 jams on every page' });
    expect(await replay()).toEqual({ kind: 'duplicate' });
    // Past the processed-id retention (pruned hourly after a day), the keyed opening entry still decides.
    await db.connection.collection('processed_events').deleteOne({ _id: 'open-UR8' as never });
    expect(await replay()).toEqual({ kind: 'message', recorded: false });
    expect((await hd.store.timeline(t.id)).filter((e) => e.kind === 'message')).toHaveLength(1);
    expect(slack.calls.filter((c) => c.channel === 'C_TIER1' && c.thread === cardAt.thread && c.view.kind === 'relay')).toHaveLength(0);
  });

  it('a duplicate arriving while the first attempt runs is a duplicate, and the effect happens once', async () => {
    const { t } = await openRouted('UR4');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const get = hd.store.get.bind(hd.store);
    let held = false;
    hd.store.get = async (id: string) => {
      if (!held && id === t.id) {
        held = true;
        await gate; // the first attempt is slow (a database stall)
      }
      return get(id);
    };
    try {
      const first = hd.helpdesk.handle({ type: 'ticket.resolve', eventId: 'ev-d1', actor: agent, ticket: { id: t.id }, note: 'replaced the fuser' });
      await new Promise((r) => setTimeout(r, 50));
      expect(await hd.helpdesk.handle({ type: 'ticket.resolve', eventId: 'ev-d1', actor: agent, ticket: { id: t.id }, note: 'replaced the fuser' })).toEqual({ kind: 'duplicate', running: true });
      release();
      expect(await first).toMatchObject({ kind: 'ticket', ticket: { status: 'resolved' } });
    } finally {
      hd.store.get = get;
    }
    expect((await hd.store.timeline(t.id)).filter((e) => e.event === 'resolve')).toHaveLength(1);
  });

  it('a refusal is final: its retry is a duplicate (the person is not told twice)', async () => {
    const { t } = await openRouted('UR5');
    const outsider = person('slack', 'UOUT', 'T1', 'Olga');
    await expect(hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-f1', actor: outsider, ticket: { id: t.id } })).rejects.toBeInstanceOf(HelpdeskError);
    expect(await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-f1', actor: outsider, ticket: { id: t.id } })).toEqual({ kind: 'duplicate' });
  });

  it('a non-agent pressing Claim on a claimed ticket is told only that they cannot, not who holds it', async () => {
    const { t } = await openRouted('UR6');
    await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-n1', actor: agent, ticket: { id: t.id } });
    const err = await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev-n2', actor: requester('UR6'), ticket: { id: t.id } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelpdeskError);
    expect((err as HelpdeskError).code).toBe('TICKET.NOT_AGENT');
    expect(JSON.stringify((err as HelpdeskError).meta)).not.toContain('Ana');
  });

  it('a requester message racing the card is relayed to the card once its link is stored', async () => {
    const who = requester('UR7');
    let started!: () => void;
    const posting = new Promise<void>((r) => (started = r));
    let release!: () => void;
    slack.hold = { channel: 'C_TIER1', started, release: new Promise<void>((r) => (release = r)) };
    const opening = request('ev-race1', who, 'my badge does not open the lab door');
    await posting; // the card is on the platform; its link is not stored yet
    const [t] = await ticketsOf('UR7');
    expect(t?.links.some((l) => l.role === 'triage')).toBe(false);
    expect(await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ev-race2', actor: who, at: dmOf('UR7'), text: 'it is door 4B', messageId: 'race2' })).toMatchObject({ recorded: true });
    release();
    await opening;
    const stored = (await hd.store.get(t!.id))!;
    const card = stored.links.find((l) => l.role === 'triage')!;
    const inThread = slack.calls.filter((c) => c.op === 'post' && c.channel === 'C_TIER1' && c.thread === card.message && c.view.kind === 'relay');
    expect(inThread.map((c) => c.view.text)).toEqual(['it is door 4B']);
    // Later messages go the normal way, once.
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ev-race3', actor: who, at: dmOf('UR7'), text: 'since Monday', messageId: 'race3' });
    expect(slack.calls.filter((c) => c.channel === 'C_TIER1' && c.thread === card.message && c.view.kind === 'relay').map((c) => c.view.text)).toEqual(['it is door 4B', 'since Monday']);
  });
});

describe('MongoIdempotencyStore leases', () => {
  it('busy while leased, done once completed, free again once released; an expired lease is taken over by exactly one caller', async () => {
    const s = new MongoIdempotencyStore(db.connection);
    const key = `k-${randomId()}`;
    const a = await s.begin(key, 60_000);
    expect(a.outcome).toBe('run');
    expect((await s.begin(key)).outcome).toBe('busy');
    await s.release(key, (a as { token: string }).token);
    const b = await s.begin(key, 100);
    expect(b.outcome).toBe('run');
    await new Promise((r) => setTimeout(r, 150)); // b's holder "crashed": its lease runs out
    const takers = await Promise.all(Array.from({ length: 10 }, () => s.begin(key, 60_000)));
    expect(takers.filter((x) => x.outcome === 'run')).toHaveLength(1);
    // The crashed holder's late completion does not count; the new holder's does.
    await s.complete(key, (b as { token: string }).token);
    expect((await s.begin(key)).outcome).toBe('busy');
    await s.complete(key, (takers.find((x) => x.outcome === 'run') as { token: string }).token);
    expect((await s.begin(key)).outcome).toBe('done');
  });
});
