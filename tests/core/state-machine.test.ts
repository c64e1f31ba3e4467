import { describe, expect, it } from 'vitest';
import type { Actor } from '../../core/domain/actor.js';
import { HelpdeskError } from '../../core/domain/errors.js';
import { allowedFrom, decide, type TicketAction } from '../../core/domain/ticket.state-machine.js';
import { TICKET_STATUSES, type Ticket, type TicketStatus } from '../../core/domain/ticket.js';

const requester = { platform: 'slack' as const, workspace: 'T1', user: 'UREQ', name: 'Rita' };
const agentId = { platform: 'slack' as const, workspace: 'T1', user: 'UAG', name: 'Ana' };
const agent: Actor = { kind: 'person', identity: agentId, agent: { id: 'ana', tier: 2, lead: false } };
const req: Actor = { kind: 'person', identity: requester };
const stranger: Actor = { kind: 'person', identity: { platform: 'slack', workspace: 'T1', user: 'UX' } };
const now = new Date('2026-11-26T10:00:00Z');

function ticket(status: TicketStatus, over: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1', deskId: 'it', number: 'IT-1001', idempotencyKey: 'k', requester, subject: 's', description: 'd', priority: 'P3',
    status, tier: 1, links: [], sla: {}, createdAt: now, updatedAt: now, version: 1,
    ...(status === 'claimed' || status === 'pending' ? { assignee: agentId, assigneeAgentId: 'ana' } : {}),
    ...over,
  };
}

/** Each action with the actor allowed to perform it. */
const cases: Array<{ action: TicketAction; actor: Actor }> = [
  { action: { type: 'route' }, actor: { kind: 'system', reason: 't' } },
  { action: { type: 'self_serve', articleId: 'a' }, actor: req },
  { action: { type: 'claim' }, actor: agent },
  { action: { type: 'unclaim' }, actor: agent },
  { action: { type: 'pend' }, actor: agent },
  { action: { type: 'resume' }, actor: { kind: 'system', reason: 't' } },
  { action: { type: 'escalate', reason: 'hard', maxTier: 3 }, actor: agent },
  { action: { type: 'resolve' }, actor: agent },
  { action: { type: 'reopen' }, actor: req },
  { action: { type: 'close' }, actor: req },
  { action: { type: 'rate', score: 4 }, actor: req },
  { action: { type: 'set_priority', priority: 'P1' }, actor: agent },
  { action: { type: 'set_category', category: 'network' }, actor: agent },
];

/**
 * The lifecycle of DESIGN.md written out by hand, not read from the table under test: every legal
 * (from, action) and the status it leads to. Every pair not listed must be refused.
 * new → open | self_service; open → claimed → pending ⇄ claimed; escalate re-opens one tier up;
 * resolve from any active status; reopen a resolved ticket; close withdraws an unresolved ticket or
 * closes a resolved one; rating and field changes leave the status as it is.
 */
const LEGAL: ReadonlyArray<readonly [from: TicketStatus, action: TicketAction['type'], to: TicketStatus]> = [
  ['new', 'route', 'open'],
  ['new', 'self_serve', 'self_service'],
  ['open', 'self_serve', 'self_service'],
  ['open', 'claim', 'claimed'],
  ['claimed', 'unclaim', 'open'],
  ['pending', 'unclaim', 'open'],
  ['claimed', 'pend', 'pending'],
  ['pending', 'resume', 'claimed'],
  ['open', 'escalate', 'open'],
  ['claimed', 'escalate', 'open'],
  ['pending', 'escalate', 'open'],
  ['open', 'resolve', 'resolved'],
  ['claimed', 'resolve', 'resolved'],
  ['pending', 'resolve', 'resolved'],
  ['resolved', 'reopen', 'open'],
  ['new', 'close', 'closed'],
  ['open', 'close', 'closed'],
  ['claimed', 'close', 'closed'],
  ['pending', 'close', 'closed'],
  ['resolved', 'close', 'closed'],
  ['resolved', 'rate', 'resolved'],
  ['closed', 'rate', 'closed'],
  ['new', 'set_priority', 'new'],
  ['open', 'set_priority', 'open'],
  ['claimed', 'set_priority', 'claimed'],
  ['pending', 'set_priority', 'pending'],
  ['new', 'set_category', 'new'],
  ['open', 'set_category', 'open'],
  ['claimed', 'set_category', 'claimed'],
  ['pending', 'set_category', 'pending'],
];
const STATUSES: readonly TicketStatus[] = ['new', 'self_service', 'open', 'claimed', 'pending', 'resolved', 'closed'];

describe('ticket state machine', () => {
  it('the expected table covers every status and action', () => {
    expect([...STATUSES].sort()).toEqual([...TICKET_STATUSES].sort());
    expect(new Set(LEGAL.map(([, a]) => a))).toEqual(new Set(cases.map((c) => c.action.type)));
  });

  for (const { action, actor } of cases) {
    for (const from of STATUSES) {
      const to = LEGAL.find(([f, a]) => f === from && a === action.type)?.[2];
      it(`${action.type} from ${from} ${to ? `→ ${to}` : 'is refused'}`, () => {
        const t = ticket(from);
        expect(allowedFrom(action.type).includes(from)).toBe(to !== undefined);
        if (to) {
          const patch = decide(t, action, actor, now);
          expect(patch.status ?? from).toBe(to);
        } else {
          let err: unknown;
          try {
            decide(t, action, actor, now);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(HelpdeskError);
          const code = (err as HelpdeskError).code;
          // A claim on a claimed ticket gets the more useful ALREADY_CLAIMED.
          expect(code).toBe(action.type === 'claim' && (from === 'claimed' || from === 'pending') ? 'TICKET.ALREADY_CLAIMED' : 'TICKET.ILLEGAL_TRANSITION');
        }
      });
    }
  }

  it('claim records assignee and first response', () => {
    const p = decide(ticket('open'), { type: 'claim' }, agent, now);
    expect(p.assignee).toEqual(agentId);
    expect(p.assigneeAgentId).toBe('ana');
    expect(p.sla?.firstRespondedAt).toEqual(now);
  });

  it('non-agents cannot do agent actions', () => {
    for (const type of ['claim', 'escalate', 'resolve', 'set_priority'] as const) {
      const action = type === 'escalate' ? { type, reason: '', maxTier: 2 } : type === 'set_priority' ? { type, priority: 'P1' as const } : { type };
      expect(() => decide(ticket('open'), action as TicketAction, stranger, now)).toThrow(expect.objectContaining({ code: 'TICKET.NOT_AGENT' }));
    }
  });

  it('only the requester rates, once, with 1–5', () => {
    expect(() => decide(ticket('resolved'), { type: 'rate', score: 5 }, agent, now)).toThrow(expect.objectContaining({ code: 'TICKET.NOT_REQUESTER' }));
    expect(() => decide(ticket('resolved'), { type: 'rate', score: 6 }, req, now)).toThrow(expect.objectContaining({ code: 'TICKET.INVALID_RATING' }));
    expect(() => decide(ticket('resolved'), { type: 'rate', score: 2.5 }, req, now)).toThrow(expect.objectContaining({ code: 'TICKET.INVALID_RATING' }));
    const rated = ticket('resolved', { csat: { score: 4, at: now } });
    expect(() => decide(rated, { type: 'rate', score: 5 }, req, now)).toThrow(expect.objectContaining({ code: 'TICKET.ALREADY_RATED' }));
    expect(decide(ticket('closed'), { type: 'rate', score: 5, comment: ' great ' }, req, now).csat).toEqual({ score: 5, comment: 'great', at: now });
  });

  it('escalation stops at the highest tier and unassigns', () => {
    expect(() => decide(ticket('claimed', { tier: 2 }), { type: 'escalate', reason: 'x', maxTier: 2 }, agent, now)).toThrow(
      expect.objectContaining({ code: 'TICKET.NO_HIGHER_TIER' }),
    );
    const p = decide(ticket('claimed'), { type: 'escalate', reason: 'x', maxTier: 2 }, agent, now);
    expect(p).toMatchObject({ status: 'open', tier: 2, escalationReason: 'x' });
    expect(p.unset).toContain('assignee');
  });

  it('a tier-1 agent cannot claim a tier-2 ticket', () => {
    const tier1: Actor = { kind: 'person', identity: agentId, agent: { id: 'ana', tier: 1, lead: false } };
    expect(() => decide(ticket('open', { tier: 2 }), { type: 'claim' }, tier1, now)).toThrow(expect.objectContaining({ code: 'TICKET.NOT_AGENT' }));
  });

  it('strangers cannot close or reopen someone else’s ticket', () => {
    expect(() => decide(ticket('open'), { type: 'close' }, stranger, now)).toThrow(expect.objectContaining({ code: 'TICKET.NOT_REQUESTER' }));
    expect(() => decide(ticket('resolved'), { type: 'reopen' }, stranger, now)).toThrow(expect.objectContaining({ code: 'TICKET.NOT_REQUESTER' }));
  });
});
