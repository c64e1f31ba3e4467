import type { Actor } from './actor.js';
import type { Identity } from './identity.js';

/**
 * An incident: one problem affecting one or more services, worked by a desk's agents, fed by
 * monitoring alerts and linked to the tickets people file about it.
 *
 * Unbounded collections live outside the incident document (DESIGN.md "no unbounded arrays"):
 * its timeline in `incident_timeline`, its linked tickets in `incident_links`. The fingerprints of
 * the alerts that fed it are kept on the document up to `MAX_FINGERPRINTS` (the first ones; later
 * alerts still update the incident through the alert intake's own fingerprint index).
 */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Statuses in which an incident is still open. */
export const ACTIVE_INCIDENT_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
/** SEV1 is the worst (everyone affected), SEV4 the mildest. */
export type Severity = (typeof SEVERITIES)[number];

/** Longest title kept (longer input is refused with INPUT.INVALID). */
export const INCIDENT_TITLE_MAX = 200;
/** Most affected services per incident; a service name is 1–64 characters. */
export const MAX_SERVICES = 20;
export const SERVICE_NAME_MAX = 64;
/** Most alert fingerprints remembered on the incident document. */
export const MAX_FINGERPRINTS = 50;
/** Longest update note kept (cut with the truncation marker beyond). */
export const INCIDENT_NOTE_MAX = 4000;

export interface Incident {
  id: string;
  deskId: string;
  /** Human number, e.g. `INC-1007` (one sequence for every desk). */
  number: string;
  /** The declaring request's idempotency key (command event id, alert episode key…). */
  idempotencyKey: string;
  title: string;
  /** Affected services, lower-cased, unique, in declaration order. */
  services: string[];
  severity: Severity;
  status: IncidentStatus;
  /** The agent in charge, if any. */
  owner?: Identity;
  ownerAgentId?: string;
  /** Fingerprints of the monitoring alerts that opened or joined it (at most MAX_FINGERPRINTS). */
  alertFingerprints: string[];
  /** Who declared it: a person, or the alert intake (`system`). */
  declaredBy: { kind: 'person'; identity: Identity } | { kind: 'system'; reason: string };
  /** When the problem started (an alert's `startsAt`), else when it was declared. */
  startedAt: Date;
  identifiedAt?: Date;
  monitoringAt?: Date;
  resolvedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  /** The key of the inbound event whose change was written last (retries finish, never redo). */
  lastEvent?: string;
  /** Incremented by every write: optimistic concurrency. */
  version: number;
}

/** Fields chosen when an incident is declared; the rest are derived. */
export type NewIncident = Pick<Incident, 'deskId' | 'idempotencyKey' | 'title' | 'services' | 'severity' | 'owner' | 'ownerAgentId' | 'alertFingerprints' | 'declaredBy' | 'startedAt'>;

export type IncidentUpdateKind = 'declared' | 'status' | 'note' | 'severity' | 'owner' | 'link' | 'alert';

/** One entry of an incident's timeline (own collection). `public` entries may be broadcast and shown on status pages. */
export interface IncidentUpdate {
  id: string;
  incidentId: string;
  at: Date;
  kind: IncidentUpdateKind;
  actor: Actor;
  visibility: 'public' | 'internal';
  text: string;
  /** For `status` entries (and `declared`): the status after the change. */
  status?: IncidentStatus;
  /** For `severity` entries: the severity after the change. */
  severity?: Severity;
  /** For `link` entries: how many tickets were newly linked. */
  linked?: number;
  /** For `alert` entries: the alert's fingerprint. */
  fingerprint?: string;
  clippedFrom?: number;
}

export const isSeverity = (s: unknown): s is Severity => typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
export const isIncidentStatus = (s: unknown): s is IncidentStatus => typeof s === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(s);
export const isActiveIncident = (i: Pick<Incident, 'status'>): boolean => i.status !== 'resolved';

/** Normalizes a service name (trimmed, lower-case); empty when it is not usable. */
export function serviceName(s: string): string {
  const n = s.trim().toLowerCase();
  return n.length > SERVICE_NAME_MAX ? '' : n;
}

/** Looks like an incident number (`INC-1007`, any case)? Linear: no regular expression. */
export function isIncidentNumber(s: string): boolean {
  if (s.length < 5 || s.length > 20 || s.slice(0, 4).toUpperCase() !== 'INC-') return false;
  const digits = s.slice(4);
  for (const ch of digits) if (ch < '0' || ch > '9') return false;
  return true;
}
