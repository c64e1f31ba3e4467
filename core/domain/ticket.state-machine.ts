import type { Actor } from './actor.js';
import { HelpdeskError } from './errors.js';
import { sameIdentity } from './identity.js';
import type { Csat, Priority, Ticket, TicketStatus } from './ticket.js';

/** Everything that can happen to a ticket. Each is validated here and nowhere else. */
export type TicketAction =
  | { type: 'route' }
  | { type: 'self_serve'; articleId: string }
  | { type: 'claim' }
  | { type: 'unclaim' }
  | { type: 'pend' }
  | { type: 'resume' }
  | { type: 'escalate'; reason: string; maxTier: number }
  | { type: 'resolve'; note?: string }
  | { type: 'reopen' }
  | { type: 'close' }
  | { type: 'rate'; score: number; comment?: string }
  | { type: 'set_priority'; priority: Priority }
  | { type: 'set_category'; category: string };

export type TicketPatch = Partial<Omit<Ticket, 'id' | 'version' | 'createdAt'>> & { unset?: (keyof Ticket)[] };

const FROM: Record<TicketAction['type'], readonly TicketStatus[]> = {
  route: ['new'],
  self_serve: ['new', 'open'],
  claim: ['open'],
  unclaim: ['claimed', 'pending'],
  pend: ['claimed'],
  resume: ['pending'],
  escalate: ['open', 'claimed', 'pending'],
  resolve: ['open', 'claimed', 'pending'],
  reopen: ['resolved'],
  close: ['resolved', 'new', 'open', 'claimed', 'pending'],
  rate: ['resolved', 'closed'],
  set_priority: ['new', 'open', 'claimed', 'pending'],
  set_category: ['new', 'open', 'claimed', 'pending'],
};

/** Which actions an agent must perform (or the system on the agent's behalf). */
const AGENT_ONLY = new Set<TicketAction['type']>(['claim', 'unclaim', 'pend', 'escalate', 'resolve', 'set_priority', 'set_category']);
/** Which actions only the requester (or the system) may perform. */
const REQUESTER_ONLY = new Set<TicketAction['type']>(['self_serve', 'rate']);

const isRequester = (t: Ticket, a: Actor) => a.kind === 'person' && sameIdentity(a.identity, t.requester);
const isAgent = (a: Actor) => a.kind === 'person' && a.agent !== undefined;

function illegal(t: Ticket, action: TicketAction['type']): never {
  throw new HelpdeskError('TICKET.ILLEGAL_TRANSITION', `cannot ${action} ticket ${t.number} in status ${t.status}`, {
    ticket: t.number,
    status: t.status,
    action,
  });
}

/**
 * Validates `action` by `actor` on `t` and returns the fields to change. Pure: no I/O, no clock
 * other than `now`. Throws a coded HelpdeskError for every refusal.
 */
export function decide(t: Ticket, action: TicketAction, actor: Actor, now: Date): TicketPatch {
  // Specific refusals first, so people get the most useful message — but a person who may not
  // claim at all is told only that: who holds a ticket is for agents to know.
  if (action.type === 'claim' && actor.kind === 'person' && !isAgent(actor)) {
    throw new HelpdeskError('TICKET.NOT_AGENT', `only agents of desk ${t.deskId} can claim`, { ticket: t.number, action: action.type });
  }
  if (action.type === 'claim' && (t.status === 'claimed' || t.status === 'pending')) {
    throw new HelpdeskError('TICKET.ALREADY_CLAIMED', `ticket ${t.number} is already claimed`, {
      ticket: t.number,
      assignee: t.assignee?.name ?? t.assignee?.user ?? null,
    });
  }
  if (action.type === 'rate' && t.csat) {
    throw new HelpdeskError('TICKET.ALREADY_RATED', `ticket ${t.number} was already rated`, { ticket: t.number });
  }
  // A request absorbed by an incident waits as `new` out of triage; the incident's resolution
  // (the system, never a person) resolves it from there.
  const absorbedResolve = action.type === 'resolve' && t.status === 'new' && t.incidentId !== undefined && actor.kind === 'system';
  if (!FROM[action.type].includes(t.status) && !absorbedResolve) illegal(t, action.type);
  if (actor.kind === 'person') {
    if (AGENT_ONLY.has(action.type) && !isAgent(actor)) {
      throw new HelpdeskError('TICKET.NOT_AGENT', `only agents of desk ${t.deskId} can ${action.type}`, { ticket: t.number, action: action.type });
    }
    if (REQUESTER_ONLY.has(action.type) && !isRequester(t, actor)) {
      throw new HelpdeskError('TICKET.NOT_REQUESTER', `only the requester can ${action.type} ${t.number}`, { ticket: t.number, action: action.type });
    }
    // Closing an unresolved ticket is the requester withdrawing it (or an agent closing it).
    if (action.type === 'close' && t.status !== 'resolved' && !isRequester(t, actor) && !isAgent(actor)) {
      throw new HelpdeskError('TICKET.NOT_REQUESTER', `only the requester or an agent can close ${t.number}`, { ticket: t.number });
    }
    if (action.type === 'reopen' && !isRequester(t, actor) && !isAgent(actor)) {
      throw new HelpdeskError('TICKET.NOT_REQUESTER', `only the requester or an agent can reopen ${t.number}`, { ticket: t.number });
    }
    if (action.type === 'claim' && actor.agent && actor.agent.tier < t.tier) {
      throw new HelpdeskError('TICKET.NOT_AGENT', `tier ${actor.agent.tier} agents cannot claim a tier ${t.tier} ticket`, { ticket: t.number, tier: t.tier });
    }
  }

  switch (action.type) {
    case 'route':
      return { status: 'open' };
    case 'self_serve':
      if (t.status === 'open' && t.assignee) illegal(t, action.type);
      return { status: 'self_service', deflectedBy: action.articleId, resolvedAt: now };
    case 'claim': {
      if (actor.kind !== 'person') illegal(t, action.type);
      const patch: TicketPatch = { status: 'claimed', assignee: actor.identity, assigneeAgentId: actor.agent?.id, claimedAt: now };
      if (!t.sla.firstRespondedAt) patch.sla = { ...t.sla, firstRespondedAt: now };
      return patch;
    }
    case 'unclaim':
      if (actor.kind === 'person' && !actor.agent?.lead && !(t.assignee && sameIdentity(t.assignee, actor.identity))) {
        throw new HelpdeskError('TICKET.NOT_AGENT', `only the assignee or a lead can unclaim ${t.number}`, { ticket: t.number });
      }
      return { status: 'open', unset: ['assignee', 'assigneeAgentId', 'claimedAt'] };
    case 'pend':
      return { status: 'pending' };
    case 'resume':
      return { status: 'claimed' };
    case 'escalate':
      if (t.tier >= action.maxTier) {
        throw new HelpdeskError('TICKET.NO_HIGHER_TIER', `ticket ${t.number} is already at the highest tier (${t.tier})`, { ticket: t.number, tier: t.tier });
      }
      return { status: 'open', tier: t.tier + 1, escalationReason: action.reason, unset: ['assignee', 'assigneeAgentId', 'claimedAt'] };
    case 'resolve':
      return { status: 'resolved', resolvedAt: now };
    case 'reopen':
      return { status: 'open', unset: ['assignee', 'assigneeAgentId', 'claimedAt', 'resolvedAt'] };
    case 'close':
      return { status: 'closed', closedAt: now };
    case 'rate': {
      if (!Number.isInteger(action.score) || action.score < 1 || action.score > 5) {
        throw new HelpdeskError('TICKET.INVALID_RATING', `rating must be a whole number from 1 to 5`, { ticket: t.number });
      }
      const csat: Csat = { score: action.score as Csat['score'], at: now };
      const comment = action.comment?.trim();
      if (comment) csat.comment = comment.slice(0, 2000);
      return { csat };
    }
    case 'set_priority':
      return { priority: action.priority };
    case 'set_category':
      return { category: action.category };
  }
}

/** The statuses each action may start from (for docs, tests and UIs deciding which buttons to show). */
export const allowedFrom = (type: TicketAction['type']): readonly TicketStatus[] => FROM[type];
