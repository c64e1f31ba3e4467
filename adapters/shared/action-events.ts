import type { Identity } from '../../core/domain/identity.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import type { DecodedAction } from './action-codec.js';

/** What a person entered along with an action: a select's choice, a CSAT comment, an escalation reason. */
export interface ActionInput {
  selected?: string;
  comment?: string;
  reason?: string;
}

/**
 * The one action→event mapping of every platform: a decoded button/select action (plus what the
 * person entered) → the core event it stands for. Returns null for `note` (it needs a text input
 * first; the adapter later sends `ticket.message` with `internal`) and for actions missing their
 * argument. Adapters that ask for more first (Slack's CSAT comment dialog, Discord's escalation
 * reason modal) call this once they have it.
 */
export function actionToEvent(a: DecodedAction, actor: Identity, eventId: string, input: ActionInput | string = {}): InboundEvent | null {
  const i: ActionInput = typeof input === 'string' ? { selected: input } : input;
  const ticket = { id: a.ticketId };
  switch (a.action) {
    case 'claim':
      return { type: 'ticket.claim', eventId, actor, ticket };
    case 'unclaim':
      return { type: 'ticket.unclaim', eventId, actor, ticket };
    case 'escalate': {
      // The card carries the tier it showed: a second click on a stale card escalates nothing.
      const tier = Number(a.arg);
      const reason = i.reason?.trim();
      return { type: 'ticket.escalate', eventId, actor, ticket, ...(reason ? { reason } : {}), ...(Number.isInteger(tier) && tier > 0 ? { expectTier: tier } : {}) };
    }
    case 'resolve':
      return { type: 'ticket.resolve', eventId, actor, ticket };
    case 'reopen':
      return { type: 'ticket.reopen', eventId, actor, ticket };
    case 'priority': {
      const priority = i.selected ?? a.arg;
      return priority ? { type: 'ticket.set_priority', eventId, actor, ticket, priority } : null;
    }
    case 'solved':
      return a.arg ? { type: 'deflection.solved', eventId, actor, ticket, articleId: a.arg } : null;
    case 'need_help':
      return { type: 'deflection.need_help', eventId, actor, ticket };
    case 'rate': {
      if (a.arg === undefined) return null;
      const comment = i.comment?.trim();
      return { type: 'ticket.rate', eventId, actor, ticket, score: Number(a.arg), ...(comment ? { comment } : {}) };
    }
    case 'declare':
      return { type: 'incident.declare_spike', eventId, actor, spikeId: a.ticketId };
    case 'note':
      return null;
  }
}
