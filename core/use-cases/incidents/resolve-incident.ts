import type { Incident } from '../../domain/incident.js';
import type { ActorInput } from '../resolve-actor.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';
import { mutateIncident } from './mutate-incident.js';

/**
 * Resolves an open incident (any open status → `resolved`, `resolvedAt` set), exactly once per
 * `deps.eventKey`; a resolved incident refuses with INCIDENT.ILLEGAL_TRANSITION. Emits `incident.resolved`.
 */
export async function resolveIncident(deps: IncidentDeps, ref: IncidentRef, who: ActorInput, note?: string): Promise<Incident> {
  return (await mutateIncident(deps, ref, { type: 'resolve' }, who, { note })).incident;
}
