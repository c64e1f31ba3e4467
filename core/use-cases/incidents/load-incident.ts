import { HelpdeskError } from '../../domain/errors.js';
import type { Incident } from '../../domain/incident.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';

/** Loads an incident by id or number (case-insensitive); throws INCIDENT.NOT_FOUND. */
export async function loadIncident(deps: Pick<IncidentDeps, 'incidents'>, ref: IncidentRef): Promise<Incident> {
  const i = 'id' in ref ? await deps.incidents.get(ref.id) : await deps.incidents.getByNumber(ref.number);
  if (!i) {
    const name = ('id' in ref ? ref.id : ref.number).slice(0, 40);
    throw new HelpdeskError('INCIDENT.NOT_FOUND', `incident ${name} not found`, { incident: name });
  }
  return i;
}
