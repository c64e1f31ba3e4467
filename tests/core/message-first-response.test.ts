import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { TicketEvent } from '../../core/domain/events.js';
import type { Identity } from '../../core/domain/identity.js';
import type { ChatPlatform, Posted, PostTarget } from '../../core/ports/chat-platform.port.js';
import type { View } from '../../core/views/view.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';
import { freshDb } from '../support/services.js';

/** Records relays to the requester and, at each, whether the ticket's first response was already stored. */
class Recording implements ChatPlatform {
  readonly platform = 'slack' as const;
  readonly capabilities = { ephemeral: false, reactions: true, threads: true, editMessages: true };
  readonly relays: Array<{ text?: string; answeredWhenSent: boolean }> = [];
  hd?: Composed;
  ticketId?: string;
  private n = 0;
  async post(t: PostTarget, view: View): Promise<Posted> {
    if (view.kind === 'relay' && t.channel === 'D-UREQ' && this.hd && this.ticketId) {
      const stored = await this.hd.store.get(this.ticketId);
      this.relays.push({ text: view.text, answeredWhenSent: Boolean(stored?.sla.firstRespondedAt) });
    }
    return { channel: t.channel, message: `m${++this.n}` };
  }
  async update(): Promise<void> {}
  async dm(p: Identity): Promise<Posted> {
    return { channel: `D-${p.user}`, message: `m${++this.n}` };
  }
}

const agent = person('slack', 'UAG', 'T1', 'Ana');
const slack = new Recording();
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
const events: TicketEvent[] = [];

beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({
    connection: db.connection,
    desks: [testDesk({ tiers: [{ level: 1, name: 'T1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }] })],
    agents: [testAgent('ana', [agent], 2)],
    kb: new KeywordKb(),
    platforms: new Map<'slack', ChatPlatform>([['slack', slack]]),
  });
  slack.hd = hd;
  hd.events.subscribe((e) => void events.push(e));
});
afterAll(async () => db.drop());

describe("an agent's message: relayed as soon as it is stored, the first response recorded after", () => {
  it('relays the first answer before its SLA write, then announces ticket.responded once; later messages only relay', async () => {
    const who = person('slack', 'UREQ', 'T1', 'Rita');
    const opened = await hd.helpdesk.handle({ type: 'help.request', eventId: 'fr-open', request: { idempotencyKey: 'fr-open', requester: who, text: 'the scanner on floor 3 is offline', origin: { platform: 'slack', workspace: 'T1' }, requesterLink: { platform: 'slack', workspace: 'T1', channel: 'D-UREQ' } } });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const id = opened.ticket.id;
    slack.ticketId = id;
    events.length = 0;

    const first = await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'fr-m1', actor: agent, ticket: { id }, text: 'Is it plugged in?' });
    expect(first).toMatchObject({ kind: 'message', recorded: true });
    expect(events.map((e) => e.type)).toEqual(['ticket.message', 'ticket.responded']);
    const [msg, responded] = events;
    expect(msg!.ticket.sla.firstRespondedAt).toBeUndefined();
    expect(msg!.entry?.text).toBe('Is it plugged in?');
    expect(responded!.before?.sla.firstRespondedAt).toBeUndefined();
    expect(responded!.ticket.sla.firstRespondedAt).toBeInstanceOf(Date);
    expect(slack.relays).toEqual([{ text: 'Is it plugged in?', answeredWhenSent: false }]);
    expect((await hd.store.get(id))?.sla.firstRespondedAt).toBeInstanceOf(Date);
    // The report fact saw the first response (written from ticket.responded).
    const fact = await db.connection.collection('ticket_facts').findOne({ _id: id as never });
    expect(fact?.firstResponder).toBe('ana');

    events.length = 0;
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'fr-m2', actor: agent, ticket: { id }, text: 'Try another port' });
    expect(events.map((e) => e.type)).toEqual(['ticket.message']);
    expect(slack.relays.map((r) => r.text)).toEqual(['Is it plugged in?', 'Try another port']);
    // A replay of the first message relays nothing again and announces nothing.
    events.length = 0;
    expect(await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'fr-m1', actor: agent, ticket: { id }, text: 'Is it plugged in?' })).toEqual({ kind: 'duplicate' });
    expect(events).toEqual([]);
  });

  it('a message for a ticket that does not exist is refused as before (the read ahead of the claim throws where the event runs)', async () => {
    await expect(hd.helpdesk.handle({ type: 'ticket.message', eventId: 'fr-missing', actor: agent, ticket: { id: 'no-such-ticket' }, text: 'hello' })).rejects.toMatchObject({ code: 'TICKET.NOT_FOUND' });
  });
});
