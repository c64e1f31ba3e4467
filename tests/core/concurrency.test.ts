import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import { claimTicket } from '../../core/use-cases/claim-ticket.js';
import { openTicket } from '../../core/use-cases/open-ticket.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

const agents = Array.from({ length: 50 }, (_, i) => testAgent(`a${i}`, [person('slack', `UA${i}`)]));
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;

beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({ connection: db.connection, desks: [testDesk()], agents, kb: new KeywordKb([]) });
});
afterAll(async () => db.drop());

const request = (key: string, text = 'my laptop will not boot') => ({
  idempotencyKey: key,
  requester: person('slack', 'UREQ', 'T1', 'Rita'),
  text,
  origin: { platform: 'slack' as const, workspace: 'T1', channel: 'C_ANY' },
});

describe('concurrency on real storage', () => {
  it('50 concurrent claims: exactly one wins, the rest get TICKET.ALREADY_CLAIMED', async () => {
    const { ticket } = await openTicket(hd.deps, request('claim-race'));
    expect(ticket.status).toBe('open'); // no KB suggestion → routed straight away
    const results = await Promise.allSettled(agents.map((a) => claimTicket(hd.deps, { id: ticket.id }, a.identities[0]!)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const l of lost) expect((l.reason as HelpdeskError).code).toBe('TICKET.ALREADY_CLAIMED');
    const stored = await hd.store.get(ticket.id);
    const winner = (won[0] as PromiseFulfilledResult<{ assignee?: { user: string } }>).value.assignee!.user;
    expect(stored).toMatchObject({ status: 'claimed', assignee: { user: winner } });
    const claims = (await hd.store.timeline(ticket.id)).filter((e) => e.event === 'claim');
    expect(claims).toHaveLength(1);
  });

  it('1,000 concurrent opens get 1,000 distinct numbers; replays store nothing new', { timeout: 180_000 }, async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `open-${i}`);
    const opened = await Promise.all(keys.map((k) => openTicket(hd.deps, request(k))));
    const numbers = new Set(opened.map((o) => o.ticket.number));
    expect(numbers.size).toBe(1000);
    expect(opened.every((o) => o.created)).toBe(true);
    const count = await db.connection.collection('tickets').countDocuments({ idempotencyKey: /^open-/ });
    expect(count).toBe(1000);

    const replay = await Promise.all(keys.slice(0, 100).map((k) => openTicket(hd.deps, request(k, 'different text on retry'))));
    expect(replay.every((r) => !r.created)).toBe(true);
    expect(replay.map((r) => r.ticket.number)).toEqual(opened.slice(0, 100).map((o) => o.ticket.number));
    expect(await db.connection.collection('tickets').countDocuments({ idempotencyKey: /^open-/ })).toBe(1000);
  });

  it('concurrent replays of one new request create one ticket', async () => {
    // Through the entry point: the event's claim makes the replays that arrive while the first is
    // running duplicates (or the first's ticket, once stored); the store's unique ids do the rest.
    const all = await Promise.all(Array.from({ length: 20 }, () => hd.helpdesk.handle({ type: 'help.request', eventId: 'same-key', request: request('same-key') })));
    const opened = all.filter((r) => r.kind === 'opened');
    expect(new Set(opened.map((r) => r.ticket.id)).size).toBe(1);
    expect(opened.filter((r) => r.created)).toHaveLength(1);
    expect(all.every((r) => r.kind === 'opened' || r.kind === 'duplicate')).toBe(true);
    expect(await db.connection.collection('tickets').countDocuments({ idempotencyKey: 'same-key' })).toBe(1);
    const ticket = opened[0]!.ticket;
    expect((await hd.store.timeline(ticket.id)).filter((e) => e.kind === 'message')).toHaveLength(1);
    expect((await hd.store.timeline(ticket.id)).filter((e) => e.event === 'route')).toHaveLength(1);
  });
});
