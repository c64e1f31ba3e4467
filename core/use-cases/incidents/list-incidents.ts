import { ACTIVE_INCIDENT_STATUSES, serviceName, type Incident, type IncidentUpdate } from '../../domain/incident.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';
import { loadIncident } from './load-incident.js';

export interface ActiveIncidentQuery {
  /** One desk, or every desk when absent. */
  deskId?: string;
  /** Only incidents affecting this service (normalized like declared services). */
  service?: string;
  /** @defaultValue 50 (at most 200) */
  limit?: number;
}

/** Open incidents (investigating, identified, monitoring), newest first. */
export async function listActiveIncidents(deps: Pick<IncidentDeps, 'incidents'>, q: ActiveIncidentQuery = {}): Promise<Incident[]> {
  const service = q.service !== undefined ? serviceName(q.service) : undefined;
  if (q.service !== undefined && !service) return [];
  return deps.incidents.list({ deskId: q.deskId, service, status: ACTIVE_INCIDENT_STATUSES, limit: q.limit ?? 50 });
}

/** One incident by id or number (INCIDENT.NOT_FOUND). */
export function getIncident(deps: Pick<IncidentDeps, 'incidents'>, ref: IncidentRef): Promise<Incident> {
  return loadIncident(deps, ref);
}

/** An incident's timeline, oldest first; internal entries only when asked (agents). */
export async function incidentTimeline(deps: Pick<IncidentDeps, 'incidents'>, ref: IncidentRef, opts: { includeInternal?: boolean; limit?: number } = {}): Promise<IncidentUpdate[]> {
  const i = await loadIncident(deps, ref);
  return deps.incidents.timeline(i.id, opts);
}
