import type { IncidentStore } from '../../ports/incident-store.port.js';
import type { CoreDeps } from '../deps.js';

/** What incident use cases may use: the core's dependencies plus the incident store. */
export type IncidentDeps = Omit<CoreDeps, 'eventKey'> & {
  incidents: IncidentStore;
  /**
   * The key of the command, alert or step being handled. Every write carries it (the incident's
   * `lastEvent`, keyed timeline entries, link ownership), so a retry after a partial failure
   * finishes the work instead of doing it twice. Use cases called without one are not retry-safe.
   */
  eventKey?: string;
};

/** An incident named by id (internal) or by human number (`INC-1007`, typed by people). */
export type IncidentRef = { id: string } | { number: string };
