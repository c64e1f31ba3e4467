import type { Incident } from '../../domain/incident.js';
import type { ActorInput } from '../resolve-actor.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';
import { mutateIncident } from './mutate-incident.js';

/**
 * Records that a monitoring alert (by fingerprint) belongs to an open incident: an internal
 * timeline entry and `incident.alert_attached`; the fingerprint is kept on the incident (the first
 * MAX_FINGERPRINTS). Exactly once per `deps.eventKey`.
 */
export async function attachAlert(deps: IncidentDeps, ref: IncidentRef, fingerprint: string, who: ActorInput, note?: string): Promise<Incident> {
  return (await mutateIncident(deps, ref, { type: 'attach_alert', fingerprint }, who, { note: note ?? fingerprint, visibility: 'internal' })).incident;
}
