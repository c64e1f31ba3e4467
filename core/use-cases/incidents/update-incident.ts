import { HelpdeskError } from '../../domain/errors.js';
import type { Identity } from '../../domain/identity.js';
import { isIncidentStatus, isSeverity, type Incident, type IncidentStatus, type Severity } from '../../domain/incident.js';
import type { ActorInput } from '../resolve-actor.js';
import type { IncidentDeps, IncidentRef } from './incident-deps.js';
import { loadIncident } from './load-incident.js';
import { mutateIncident } from './mutate-incident.js';

export interface IncidentChange {
  /** New open status (`resolve` has its own use case). */
  status?: Exclude<IncidentStatus, 'resolved'>;
  /** The update people read (public unless `internal`). */
  note?: string;
  severity?: Severity;
  /** New owner (an agent's identity). */
  owner?: Identity;
  /** Keep the note off broadcasts and status pages. */
  internal?: boolean;
}

/**
 * Posts an update on an open incident: a status change (with its note), a note alone, a new severity
 * and/or a new owner — each its own change, event and timeline entry, exactly once per
 * `deps.eventKey`. A "change" to the status it already has, with a note, is a note.
 * Events: `incident.status_changed`, `incident.note_added`, `incident.severity_changed`, `incident.owner_changed`.
 */
export async function updateIncident(deps: IncidentDeps, ref: IncidentRef, change: IncidentChange, who: ActorInput): Promise<Incident> {
  if (change.status !== undefined && (!isIncidentStatus(change.status) || change.status === ('resolved' as IncidentStatus))) {
    throw new HelpdeskError('INPUT.INVALID', 'status must be investigating, identified or monitoring', { detail: 'status must be investigating, identified or monitoring' });
  }
  if (change.severity !== undefined && !isSeverity(change.severity)) {
    throw new HelpdeskError('INPUT.INVALID', 'severity must be one of SEV1, SEV2, SEV3, SEV4', { detail: 'severity must be one of SEV1, SEV2, SEV3, SEV4' });
  }
  const note = change.note?.trim();
  if (!change.status && !note && !change.severity && !change.owner) {
    throw new HelpdeskError('INPUT.INVALID', 'an update needs a status, a note, a severity or an owner', { detail: 'an update needs a status, a note, a severity or an owner' });
  }
  const visibility = change.internal ? ('internal' as const) : ('public' as const);
  let current = await loadIncident(deps, ref);
  const at = { id: current.id };
  if (change.severity && change.severity !== current.severity) {
    current = (await mutateIncident(deps, at, { type: 'set_severity', severity: change.severity }, who, { visibility })).incident;
  }
  if (change.owner) {
    const agent = await deps.directory.agentByIdentity(change.owner);
    const owner = agent ? { ...change.owner, name: agent.name } : change.owner;
    current = (await mutateIncident(deps, at, { type: 'set_owner', owner, ...(agent ? { ownerAgentId: agent.id } : {}) }, who)).incident;
  }
  const retry = deps.eventKey !== undefined && current.lastEvent === `${deps.eventKey}:set_status`;
  // The status it already has, without a note, is refused by the state machine (ILLEGAL_TRANSITION).
  if (change.status && (change.status !== current.status || !note || retry)) {
    current = (await mutateIncident(deps, at, { type: 'set_status', status: change.status }, who, { note, visibility })).incident;
  } else if (note) {
    current = (await mutateIncident(deps, at, { type: 'note' }, who, { note, visibility })).incident;
  }
  return current;
}
