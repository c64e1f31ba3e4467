import type { Identity } from './identity.js';
import type { Priority } from './ticket.js';
import type { HelpRequest } from '../use-cases/open-ticket.js';
import type { LinkLocation } from '../ports/ticket-store.port.js';

export type TicketRefInput = { id: string } | { number: string };

/**
 * The closed set of things that can arrive from any platform, once an adapter has verified and
 * parsed the payload. `eventId` is the platform's id for dedupe (retries do nothing twice).
 */
export type InboundEvent =
  | ({ type: 'help.request'; eventId: string } & { request: HelpRequest })
  | { type: 'deflection.solved'; eventId: string; actor: Identity; ticket: TicketRefInput; articleId: string }
  | { type: 'deflection.need_help'; eventId: string; actor: Identity; ticket: TicketRefInput }
  /** The Declare button of a "possible incident" card: declares it and links the spike's tickets. */
  | { type: 'incident.declare_spike'; eventId: string; actor: Identity; spikeId: string }
  | { type: 'ticket.claim'; eventId: string; actor: Identity; ticket: TicketRefInput }
  | { type: 'ticket.unclaim'; eventId: string; actor: Identity; ticket: TicketRefInput }
  | { type: 'ticket.escalate'; eventId: string; actor: Identity; ticket: TicketRefInput; reason?: string; /** Only escalate if still at this tier (stale cards, double clicks). */ expectTier?: number }
  | { type: 'ticket.resolve'; eventId: string; actor: Identity; ticket: TicketRefInput; note?: string }
  | { type: 'ticket.reopen'; eventId: string; actor: Identity; ticket: TicketRefInput }
  | { type: 'ticket.close'; eventId: string; actor: Identity; ticket: TicketRefInput }
  | { type: 'ticket.set_priority'; eventId: string; actor: Identity; ticket: TicketRefInput; priority: Priority | string }
  | { type: 'ticket.set_category'; eventId: string; actor: Identity; ticket: TicketRefInput; category: string }
  | { type: 'ticket.rate'; eventId: string; actor: Identity; ticket: TicketRefInput; score: number; comment?: string }
  | { type: 'ticket.pend'; eventId: string; actor: Identity; ticket: TicketRefInput }
  | { type: 'ticket.macro'; eventId: string; actor: Identity; ticket: TicketRefInput; name: string; at?: LinkLocation; messageId?: string }
  | { type: 'ticket.message'; eventId: string; actor: Identity; at?: LinkLocation; ticket?: TicketRefInput; text: string; messageId?: string; internal?: boolean }
  | { type: 'query.mine'; eventId: string; actor: Identity }
  | { type: 'query.status'; eventId: string; actor: Identity; ticket: TicketRefInput }
  | { type: 'query.queue'; eventId: string; actor: Identity; deskId: string; tier?: number };

export type InboundType = InboundEvent['type'];
