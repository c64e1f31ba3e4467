import type { Actor } from './actor.js';
import type { Incident, IncidentUpdate } from './incident.js';
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
  /** An agent's first public message was stored as the ticket's first response (after its `ticket.message`). */
  | 'ticket.responded'
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
  /**
   * Set when the write that stored this change also stored a later one, announced right after as an
   * event of this type (a request no article answers is created and routed by one insert):
   * subscribers that keep only a ticket's latest state may wait for that event instead.
   */
  supersededBy?: TicketEventType;
  /**
   * The key the change was stored with when an inbound event made it (`<event key>:<action>`, the
   * ticket's `lastEvent`). A retry that announces the change again (its first attempt died before
   * recording it) sees the ticket at a later version (links stored by the first announcement's
   * deliveries), so work done once per change is keyed by {@link changeIdOf}, not by the version.
   */
  changeKey?: string;
}

/** What identifies this change across replays: its stored key when it has one, else the version it wrote. */
export const changeIdOf = (e: Pick<TicketEvent, 'changeKey' | 'ticket'>): string => (e.changeKey ? `k:${e.changeKey}` : `v${e.ticket.version}`);

export type TicketEventListener = (e: TicketEvent) => void | Promise<void>;

export type IncidentEventType =
  | 'incident.declared'
  | 'incident.status_changed'
  | 'incident.resolved'
  | 'incident.note_added'
  | 'incident.severity_changed'
  | 'incident.owner_changed'
  | 'incident.tickets_linked'
  | 'incident.alert_attached';

/**
 * Emitted after an incident change is stored, on the same bus as ticket events (subscribe with
 * `EventBus.onIncident`). Subscribers must tolerate replays (a retried command re-emits an event
 * whose timeline entry was not yet written).
 */
export interface IncidentEvent {
  type: IncidentEventType;
  incident: Incident;
  /** The incident before the change (absent on declare). */
  before?: Incident;
  actor: Actor;
  at: Date;
  /**
   * The timeline entry recorded for this change (written right after the event; public entries are
   * what broadcasts show). A stable key for work done per change: `${incident.id}:${incident.version}`.
   */
  entry?: Omit<IncidentUpdate, 'id'>;
  /** For `incident.tickets_linked`: the ticket ids newly linked by this change (never repeated). */
  ticketIds?: string[];
  /** For `incident.alert_attached`: the alert's fingerprint. */
  fingerprint?: string;
}

export type IncidentEventListener = (e: IncidentEvent) => void | Promise<void>;
