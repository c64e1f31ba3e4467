import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import { PUBLIC_LOG_MAX } from '../../core/domain/public-log.js';
import type { ChatPlatform, Posted, PostTarget } from '../../core/ports/chat-platform.port.js';
import { buildTranscript } from '../../core/use-cases/transcript.js';
import type { View } from '../../core/views/view.js';
import { failNext } from '../support/faults.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

/**
 * The tier-2 card's transcript comes from the public log the ticket carries (no timeline read) while
 * it has one, and is the timeline's transcript in every case: after status changes, messages, notes,
 * a log past its bounds, and a crash between a ticket write and its timeline entry.
 */
class RecordingPlatform implements ChatPlatform {
  readonly platform = 'slack' as const;
  readonly capabilities = { ephemeral: false, reactions: true, threads: true, editMessages: true };
  readonly posts: Array<{ channel: string; view: View }> = [];
  private n = 0;
  async post(t: PostTarget, view: View): Promise<Posted> {
    this.posts.push({ channel: t.channel, view });
    return { channel: t.channel, message: `m${++this.n}` };
  }
  async update(_l: Link, _view: View): Promise<void> {}
  async dm(p: Identity): Promise<Posted> {
    return { channel: `D-${p.user}`, message: `m${++this.n}` };
  }
}

const agent = person('slack', 'UAG', 'T1', 'Ana');
const slack = new RecordingPlatform();
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
let timelineReads = 0;

beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({
    connection: db.connection,
    desks: [testDesk({ tiers: [1, 2, 3].map((level) => ({ level, name: `T${level}`, channels: { slack: { workspace: 'T1', channel: `C_TIER${level}` } } })) })],
    agents: [testAgent('ana', [agent], 3)],
    kb: new KeywordKb([]),
    platforms: new Map([['slack', slack]]),
  });
  const read = hd.store.timeline.bind(hd.store);
  // Public reads only: the transcript's. (A new card's link catches up on the timeline with
  // internal entries, relay.ts, once the card is posted.)
  hd.store.timeline = async (id, opts) => {
    if (!opts?.includeInternal) timelineReads++;
    return read(id, opts);
  };
});
afterAll(async () => db.drop());

let n = 0;
async function open(user: string): Promise<{ id: string; number: string }> {
  const who = person('slack', user, 'T1', `Person ${user}`);
  const r = await hd.helpdesk.handle({ type: 'help.request', eventId: `o-${user}`, request: { idempotencyKey: `o-${user}`, requester: who, text: `help for ${user}`, origin: { platform: 'slack', workspace: 'T1' }, requesterLink: { platform: 'slack', workspace: 'T1', channel: `D-${user}` } } });
  if (r.kind !== 'opened') throw new Error(r.kind);
  return { id: r.ticket.id, number: r.ticket.number };
}
const act = (type: 'ticket.claim' | 'ticket.unclaim', id: string) => hd.helpdesk.handle({ type, eventId: `a-${++n}`, actor: agent, ticket: { id } });
const say = (id: string, text: string, eventId = `m-${++n}`) => hd.helpdesk.handle({ type: 'ticket.message', eventId, actor: agent, ticket: { id }, text });

/** Escalates to tier 2 and returns the tier-2 card's transcript file and the timeline reads it took. */
async function escalate(id: string, number: string): Promise<{ file: string; reads: number }> {
  const reads = timelineReads;
  await hd.helpdesk.handle({ type: 'ticket.escalate', eventId: `e-${++n}`, actor: agent, ticket: { id }, reason: 'needs tier 2' });
  const card = slack.posts.find((p) => p.channel === 'C_TIER2' && p.view.kind === 'escalation' && p.view.title?.includes(number));
  return { file: String(card?.view.file?.content), reads: timelineReads - reads };
}

/** What the timeline gives now (before the escalation adds its own entry). */
const fromTimeline = async (id: string) => buildTranscript(hd, (await hd.store.get(id))!);

describe('the escalation card transcript', () => {
  it('status changes only: built from the ticket, no timeline read, equal to the timeline transcript', async () => {
    const t = await open('U1');
    await act('ticket.claim', t.id);
    await act('ticket.unclaim', t.id);
    expect((await hd.store.get(t.id))!.publicLog?.map((e) => e.event)).toEqual(['route', 'claim', 'unclaim']);
    const expected = await fromTimeline(t.id);
    expect(expected).toContain('help for U1');
    expect(expected).toContain('· Ana · claim');
    const { file, reads } = await escalate(t.id, t.number);
    expect(reads).toBe(0);
    expect(file).toBe(expected);
    // The escalation's own entry is carried too (for the next escalation).
    expect((await hd.store.get(t.id))!.publicLog?.map((e) => e.event)).toEqual(['route', 'claim', 'unclaim', 'escalate']);
  });

  it('an internal note keeps the log; a public message drops it once, and the transcript has the message', async () => {
    const t = await open('U2');
    await act('ticket.claim', t.id);
    await say(t.id, 'note: private detail');
    expect((await hd.store.get(t.id))!.publicLog).toHaveLength(2);
    await say(t.id, 'Try turning it off and on');
    const after = (await hd.store.get(t.id))!;
    expect(after.publicLog).toBeUndefined();
    const version = after.version;
    await say(t.id, 'Any news?'); // already dropped: no ticket write for this one
    expect((await hd.store.get(t.id))!.version).toBe(version);
    const expected = await fromTimeline(t.id);
    const { file, reads } = await escalate(t.id, t.number);
    expect(reads).toBe(1);
    expect(file).toBe(expected);
    expect(file).toContain('Try turning it off and on');
    expect(file).toContain('Any news?');
    expect(file).not.toContain('private detail');
  });

  it('a log past its bound is dropped and the timeline is read', async () => {
    const t = await open('U3');
    for (let i = 0; i < PUBLIC_LOG_MAX / 2; i++) {
      await act('ticket.claim', t.id);
      await act('ticket.unclaim', t.id);
    }
    expect((await hd.store.get(t.id))!.publicLog).toBeUndefined();
    const expected = await fromTimeline(t.id);
    const { file, reads } = await escalate(t.id, t.number);
    expect(reads).toBe(1);
    expect(file).toBe(expected);
  });

  it('a crash between a change and its timeline entry: the retry writes the entry, the transcript has it once', async () => {
    const t = await open('U4');
    const fault = failNext(hd.store, 'appendTimeline', { when: (e) => (e as { event?: string }).event === 'claim' });
    await expect(hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'crash-claim', actor: agent, ticket: { id: t.id } })).rejects.toThrow('injected failure');
    fault.restore();
    expect((await hd.store.get(t.id))!.publicLog?.map((e) => e.event)).toEqual(['route', 'claim']);
    await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'crash-claim', actor: agent, ticket: { id: t.id } });
    const expected = await fromTimeline(t.id);
    expect(expected.match(/· claim/g)).toHaveLength(1);
    const { file, reads } = await escalate(t.id, t.number);
    expect(reads).toBe(0);
    expect(file).toBe(expected);
  });

  it('a crash after the log is dropped, before the message is stored: the retry stores it, the transcript has it', async () => {
    const t = await open('U5');
    const fault = failNext(hd.store, 'appendTimeline', { when: (e) => (e as { kind?: string }).kind === 'message' });
    await expect(say(t.id, 'first reply', 'crash-msg')).rejects.toThrow('injected failure');
    fault.restore();
    expect((await hd.store.get(t.id))!.publicLog).toBeUndefined();
    await say(t.id, 'first reply', 'crash-msg');
    const expected = await fromTimeline(t.id);
    expect(expected.match(/first reply/g)).toHaveLength(1);
    const { file, reads } = await escalate(t.id, t.number);
    expect(reads).toBe(1);
    expect(file).toBe(expected);
  });

  it('a public entry written straight to the store drops the log first', async () => {
    const t = await open('U6');
    const now = new Date();
    await hd.store.appendTimeline({ ticketId: t.id, at: now, kind: 'system', actor: { kind: 'system', reason: 'email-attachments' }, visibility: 'public', text: 'Attachments: a.pdf', event: 'attachments' });
    expect((await hd.store.get(t.id))!.publicLog).toBeUndefined();
    const { file } = await escalate(t.id, t.number);
    expect(file).toContain('Attachments: a.pdf');
  });

  it('a ticket stored without a log (before this change) reads its timeline', async () => {
    const t = await open('U7');
    await db.connection.collection('tickets').updateOne({ _id: t.id } as never, { $unset: { publicLog: '' } });
    const expected = await fromTimeline(t.id);
    const { file, reads } = await escalate(t.id, t.number);
    expect(reads).toBe(1);
    expect(file).toBe(expected);
  });
});
