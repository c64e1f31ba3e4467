import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { actionToEvent } from '../../adapters/shared/action-events.js';
import { ticketCard } from '../../core/views/ticket-views.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

const ch = (c: string) => ({ slack: { workspace: 'T1', channel: c } });
const desk = testDesk({ tiers: [1, 2, 3].map((level) => ({ level, name: `Tier ${level}`, channels: ch(`C${level}`) })) });
const agent = person('slack', 'UAG', 'T1', 'Ana');
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({ connection: db.connection, desks: [desk], agents: [testAgent('ana', [agent], 3)], kb: new KeywordKb([]) });
});
afterAll(async () => db.drop());

describe('escalate from a card', () => {
  it('two clicks on the same card escalate once', async () => {
    const opened = await hd.helpdesk.handle({ type: 'help.request', eventId: 'e1', request: { idempotencyKey: 'e1', requester: person('slack', 'UR'), text: 'printer on fire', origin: { platform: 'slack', workspace: 'T1' } } });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    const escalate = ticketCard(opened.ticket, desk).actions!.find((a) => a.action === 'escalate')!;
    expect(escalate.arg).toBe('1');
    const click = (id: string) => hd.helpdesk.handle(actionToEvent({ action: 'escalate', ticketId: escalate.ticketId, arg: escalate.arg }, agent, id)!);
    const [a, b] = await Promise.all([click('click-1'), click('click-2')]);
    expect([a, b].map((r) => (r.kind === 'ticket' ? r.ticket.tier : null))).toEqual([2, 2]);
    expect((await hd.store.get(opened.ticket.id))?.tier).toBe(2);
    // A command without a card's tier still escalates further.
    const r = await hd.helpdesk.handle({ type: 'ticket.escalate', eventId: 'cmd-1', actor: agent, ticket: { number: opened.ticket.number }, reason: 'needs tier 3' });
    expect(r.kind === 'ticket' && r.ticket.tier).toBe(3);
  });
});
