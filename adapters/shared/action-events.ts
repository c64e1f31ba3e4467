import type { Identity } from '../../core/domain/identity.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import type { DecodedAction } from './action-codec.js';

/**
 * Maps a decoded button/select action to the core event it stands for. Returns null for actions
 * that need platform UI first (`note` opens a text input; `rate` may ask for a comment) — the
 * adapter handles those itself and later sends `ticket.message` / `ticket.rate`.
 */
export function actionToEvent(a: DecodedAction, actor: Identity, eventId: string, selected?: string): InboundEvent | null {
  const ticket = { id: a.ticketId };
  switch (a.action) {
    case 'claim':
      return { type: 'ticket.claim', eventId, actor, ticket };
    case 'unclaim':
      return { type: 'ticket.unclaim', eventId, actor, ticket };
    case 'escalate': {
      // The card carries the tier it showed: a second click on a stale card escalates nothing.
      const tier = Number(a.arg);
      return { type: 'ticket.escalate', eventId, actor, ticket, ...(Number.isInteger(tier) && tier > 0 ? { expectTier: tier } : {}) };
    }
    case 'resolve':
      return { type: 'ticket.resolve', eventId, actor, ticket };
    case 'reopen':
      return { type: 'ticket.reopen', eventId, actor, ticket };
    case 'priority': {
      const priority = selected ?? a.arg;
      return priority ? { type: 'ticket.set_priority', eventId, actor, ticket, priority } : null;
    }
    case 'solved':
      return a.arg ? { type: 'deflection.solved', eventId, actor, ticket, articleId: a.arg } : null;
    case 'need_help':
      return { type: 'deflection.need_help', eventId, actor, ticket };
    case 'rate':
    case 'note':
      return null;
  }
}
