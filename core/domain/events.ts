import type { Actor } from './actor.js';
import type { Ticket } from './ticket.js';
import type { TimelineEntry } from './timeline.js';

export type TicketEventType =
  | 'ticket.created'
  | 'ticket.self_served'
  | 'ticket.routed'
  | 'ticket.claimed'
  | 'ticket.unclaimed'
  | 'ticket.pending'
  | 'ticket.resumed'
  | 'ticket.escalated'
  | 'ticket.resolved'
  | 'ticket.reopened'
  | 'ticket.closed'
  | 'ticket.rated'
  | 'ticket.priority_changed'
  | 'ticket.category_changed'
  | 'ticket.message'
  | 'ticket.linked';

/** Emitted after a change is stored. Subscribers (adapters, jobs) must tolerate replays. */
export interface TicketEvent {
  type: TicketEventType;
  ticket: Ticket;
  /** The ticket before the change (absent on create). */
  before?: Ticket;
  actor: Actor;
  at: Date;
  /** For `ticket.message`: the recorded entry. */
  entry?: TimelineEntry;
}

export type TicketEventListener = (e: TicketEvent) => void | Promise<void>;
