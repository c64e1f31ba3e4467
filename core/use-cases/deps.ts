import type { EventBus } from '../domain/event-bus.js';
import type { Clock } from '../ports/clock.port.js';
import type { Directory } from '../ports/directory.port.js';
import type { KnowledgeBase } from '../ports/kb.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { IdempotencyStore, TicketStore } from '../ports/ticket-store.port.js';
import type { QueueIndex } from '../ports/queue-index.port.js';
import type { AttachmentStore } from '../ports/attachment-store.port.js';
import type { Reporting } from './desk-report-view.js';
import type { MessageRefStore } from '../ports/message-ref.port.js';
import type { IncidentStore } from '../ports/incident-store.port.js';

/** What every use case may use. Built once in app/ (the composition root). */
export interface CoreDeps {
  store: TicketStore;
  directory: Directory;
  kb: KnowledgeBase;
  events: EventBus;
  clock: Clock;
  idempotency: IdempotencyStore;
  log: Logger;
  /**
   * The key of the inbound event being handled (set by `Helpdesk.handle`). Writes carry it —
   * timeline entries keyed by it, `lastEvent` on the ticket — so a retry after a partial failure
   * finishes the work instead of doing it twice.
   */
  eventKey?: string;
  /** Optional read model that makes the default queue views fast (the web console's). */
  queueIndex?: QueueIndex;
  /** Files kept with tickets (mail attachments). */
  attachments?: AttachmentStore;
  /** Desk reports for chat (`/help report`) and digests: the same code path as the web page and CLI. */
  reporting?: Reporting;
  /** Keyed message refs (incident announcements, edited in place); used by deliveries. */
  messageRefs?: MessageRefStore;
  /** Incidents, for absorbing requests about an active one (docs/incidents.md); without it none are absorbed. */
  incidents?: IncidentStore;
}

/** A ticket named by id (internal) or by human number (`IT-1042`, typed by people). */
export type TicketRef = { id: string } | { number: string };
