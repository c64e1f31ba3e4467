import type { Incident, IncidentStatus, IncidentUpdate, NewIncident } from '../domain/incident.js';
import type { IncidentPatch } from '../domain/incident.state-machine.js';

export interface IncidentQuery {
  deskId?: string;
  /** Incidents affecting this service (normalized name). */
  service?: string;
  status?: readonly IncidentStatus[];
  /** Newest first; default 20, at most 200. */
  limit?: number;
  /**
   * May be answered from a copy read up to this many ms ago (a request's incident match in a storm):
   * the store drops its copies on its own incident writes, so only another process's change can be
   * missed, for at most this long. Without it the store is read.
   */
  maxAgeMs?: number;
}

/** The system of record for incidents, their timelines and their linked tickets. */
export interface IncidentStore {
  /**
   * Stores a new incident with the next `INC-` number, or returns the incident already stored under
   * the same idempotency key (`created: false`) without writing anything.
   */
  create(input: NewIncident & { status: IncidentStatus }, now: Date): Promise<{ incident: Incident; created: boolean }>;
  findByIdempotencyKey(key: string): Promise<Incident | null>;
  get(id: string): Promise<Incident | null>;
  /** By human number, case-insensitive (`inc-1007`). */
  getByNumber(number: string): Promise<Incident | null>;
  /** Applies `patch` only if the stored version is `expectedVersion` (exactly once across processes); null when it was not. */
  update(id: string, expectedVersion: number, patch: IncidentPatch, now: Date): Promise<Incident | null>;
  list(q: IncidentQuery): Promise<Incident[]>;
  /** With `key`, exactly once per key: a repeat returns the first entry (`created: false`). */
  appendTimeline(entry: Omit<IncidentUpdate, 'id'>, opts?: { key?: string }): Promise<IncidentUpdate & { created?: boolean }>;
  keyedEntry(key: string): Promise<IncidentUpdate | null>;
  /** Oldest first. */
  timeline(incidentId: string, opts?: { includeInternal?: boolean; limit?: number }): Promise<IncidentUpdate[]>;
  /**
   * Links tickets to the incident, each at most once whatever the retries or concurrent callers
   * (a unique `_id` per pair): returns the ids this call linked — with `key`, also those linked
   * earlier under the same key (a retry of a crashed attempt). Links made by others are left out.
   */
  linkTickets(incidentId: string, ticketIds: readonly string[], now: Date, opts?: { key?: string }): Promise<string[]>;
  /** Linked ticket ids in ascending id order, a page at a time (`after` = last id of the previous page). */
  linkedTickets(incidentId: string, opts?: { after?: string; limit?: number }): Promise<string[]>;
  countLinked(incidentId: string): Promise<number>;
  /** Incidents a ticket is linked to (newest link first). */
  incidentsOfTicket(ticketId: string): Promise<string[]>;
}
