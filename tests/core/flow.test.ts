import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHelpdesk, type Composed } from '../../app/compose.js';
import type { Identity } from '../../core/domain/identity.js';
import type { Link } from '../../core/domain/link.js';
import type { ChatPlatform, Posted, PostTarget } from '../../core/ports/chat-platform.port.js';
import type { View } from '../../core/views/view.js';
import { freshDb } from '../support/services.js';
import { KeywordKb, person, testAgent, testDesk } from '../support/fixtures.js';

/** Records what core asks a platform to do (the adapters' own tests use the real SDKs). */
class RecordingPlatform implements ChatPlatform {
  readonly capabilities = { ephemeral: false, reactions: true, threads: true, editMessages: true };
  readonly calls: Array<{ op: string; channel: string; thread?: string; view: View }> = [];
  private n = 0;
  constructor(readonly platform: 'slack' | 'teams') {}
  async post(t: PostTarget, view: View): Promise<Posted> {
    this.calls.push({ op: 'post', channel: t.channel, thread: t.thread, view });
    return { channel: t.channel, message: `m${++this.n}` };
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
const requester = person('teams', '29:rita', 'tenant1', 'Rita');
let db: Awaited<ReturnType<typeof freshDb>>;
let hd: Composed;
const slack = new RecordingPlatform('slack');
const teams = new RecordingPlatform('teams');

beforeAll(async () => {
  db = await freshDb();
  hd = await composeHelpdesk({
    connection: db.connection,
    desks: [testDesk({ tiers: [{ level: 1, name: 'T1', channels: { slack: { workspace: 'T1', channel: 'C_TIER1' } } }, { level: 2, name: 'T2', channels: { slack: { workspace: 'T1', channel: 'C_TIER2' } } }] })],
    agents: [testAgent('ana', [agent], 2)],
    kb: new KeywordKb(),
    platforms: new Map<'slack' | 'teams', ChatPlatform>([['slack', slack], ['teams', teams]]),
  });
});
afterAll(async () => db.drop());

describe('a cross-platform ticket through core', () => {
  it('cards, relays, notes, escalation, CSAT and rollups', async () => {
    const opened = await hd.helpdesk.handle({
      type: 'help.request',
      eventId: 'ev1',
      request: { idempotencyKey: 'ev1', requester, locale: 'es-ES', text: 'my vpn keeps dropping', origin: { platform: 'teams', workspace: 'tenant1' }, requesterLink: { platform: 'teams', workspace: 'tenant1', channel: 'a:rita-1on1' } },
    });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    expect(opened.suggestions.map((s) => s.id)).toEqual(['vpn-reset']);
    expect(opened.ticket.status).toBe('new');
    const ref = { id: opened.ticket.id };

    await hd.helpdesk.handle({ type: 'deflection.need_help', eventId: 'ev2', actor: requester, ticket: ref });
    const card = slack.calls.find((c) => c.op === 'post' && c.channel === 'C_TIER1');
    expect(card?.view.kind).toBe('ticket_card');
    expect(card?.view.actions?.map((a) => a.action)).toEqual(['claim', 'escalate', 'resolve']);
    // The requester is told in their own language, in their Teams chat.
    expect(teams.calls.at(-1)).toMatchObject({ op: 'post', channel: 'a:rita-1on1', view: { text: expect.stringContaining('está ya con el equipo') } });

    await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev3', actor: agent, ticket: ref });
    expect(slack.calls.at(-1)).toMatchObject({ op: 'update', channel: 'C_TIER1', thread: card && 'm1' });
    expect(slack.calls.at(-1)!.view.fields).toContainEqual({ label: 'Assignee', value: 'Ana' });

    // Agent replies in the card's thread → relayed to the requester; a note is not.
    const cardLink = { platform: 'slack' as const, workspace: 'T1', channel: 'C_TIER1', thread: 'm1' };
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ev4', actor: agent, at: cardLink, text: 'Try reinstalling the client <!channel>' });
    expect(teams.calls.at(-1)).toMatchObject({ op: 'post', channel: 'a:rita-1on1', view: { kind: 'relay', author: 'Ana (slack)' } });
    expect(teams.calls.at(-1)!.view.text).not.toContain('<!channel>');
    const before = teams.calls.length;
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ev5', actor: agent, at: cardLink, text: 'note: user is on the old client' });
    expect(teams.calls.length).toBe(before);

    // Requester answers in Teams → relayed to the card thread.
    await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ev6', actor: requester, at: { platform: 'teams', workspace: 'tenant1', channel: 'a:rita-1on1' }, text: 'still broken' });
    expect(slack.calls.at(-1)).toMatchObject({ op: 'post', channel: 'C_TIER1', thread: 'm1', view: { kind: 'relay', text: 'still broken' } });

    // Retried event: nothing twice.
    expect(await hd.helpdesk.handle({ type: 'ticket.message', eventId: 'ev6', actor: requester, at: { platform: 'teams', workspace: 'tenant1', channel: 'a:rita-1on1' }, text: 'still broken' })).toEqual({ kind: 'duplicate' });

    await hd.helpdesk.handle({ type: 'ticket.escalate', eventId: 'ev7', actor: agent, ticket: ref, reason: 'needs network team' });
    const t2 = slack.calls.find((c) => c.op === 'post' && c.channel === 'C_TIER2');
    expect(t2?.view.kind).toBe('escalation');
    expect(t2?.view.text).toContain('still broken');
    expect(t2?.view.text).not.toContain('old client'); // internal notes stay out of transcripts by default

    await hd.helpdesk.handle({ type: 'ticket.claim', eventId: 'ev8', actor: agent, ticket: ref });
    await hd.helpdesk.handle({ type: 'ticket.resolve', eventId: 'ev9', actor: agent, ticket: ref, note: 'new client' });
    expect(teams.calls.at(-1)!.view.kind).toBe('csat');
    await hd.helpdesk.handle({ type: 'ticket.rate', eventId: 'ev10', actor: requester, ticket: ref, score: 5, comment: 'gracias' });
    await expect(hd.helpdesk.handle({ type: 'ticket.rate', eventId: 'ev11', actor: requester, ticket: ref, score: 1 })).rejects.toMatchObject({ code: 'TICKET.ALREADY_RATED' });

    const day = new Date().toISOString().slice(0, 10);
    const [r] = await hd.metrics.read('it', day, day);
    expect(r).toMatchObject({ opened: 1, routed: 1, claimed: 2, escalated: 1, resolved: 1, csatCount: 1, csatSum: 5, firstResponseCount: 1 });
  });
});

describe('agents', () => {
  it('stores and reads back an agent shift (nested hour spans)', async () => {
    const shift = { timezone: 'Europe/Madrid', weekly: { mon: [['09:00', '13:00'], ['14:00', '18:00']] as Array<[string, string]> }, holidays: ['2026-12-25'] };
    await hd.directory.syncAgents([testAgent('ana', [agent], 2, { shift })]);
    expect((await hd.directory.agentByIdentity(agent))?.shift).toEqual(shift);
  });
});
