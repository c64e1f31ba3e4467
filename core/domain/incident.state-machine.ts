import type { Actor } from './actor.js';
import { HelpdeskError } from './errors.js';
import type { Identity } from './identity.js';
import { MAX_FINGERPRINTS, type Incident, type IncidentStatus, type Severity } from './incident.js';

/** Everything that can happen to an incident after it is declared. Validated here and nowhere else. */
export type IncidentAction =
  /** Move to another open status (forward, or back to `investigating` when it regresses). */
  | { type: 'set_status'; status: Exclude<IncidentStatus, 'resolved'> }
  | { type: 'resolve' }
  | { type: 'note' }
  | { type: 'set_severity'; severity: Severity }
  | { type: 'set_owner'; owner: Identity; ownerAgentId?: string }
  | { type: 'link_tickets' }
  | { type: 'attach_alert'; fingerprint: string };

export type IncidentPatch = Partial<Omit<Incident, 'id' | 'version' | 'createdAt'>> & { unset?: (keyof Incident)[] };

/**
 * Which statuses each action may start from. Resolved is final: a problem that comes back after
 * resolution is a new incident (its timeline links the old one through the alert fingerprint).
 */
const FROM: Record<IncidentAction['type'], readonly IncidentStatus[]> = {
  set_status: ['investigating', 'identified', 'monitoring'],
  resolve: ['investigating', 'identified', 'monitoring'],
  note: ['investigating', 'identified', 'monitoring', 'resolved'],
  set_severity: ['investigating', 'identified', 'monitoring'],
  set_owner: ['investigating', 'identified', 'monitoring'],
  link_tickets: ['investigating', 'identified', 'monitoring'],
  attach_alert: ['investigating', 'identified', 'monitoring'],
};

function illegal(i: Incident, action: string, to?: string): never {
  throw new HelpdeskError('INCIDENT.ILLEGAL_TRANSITION', `cannot ${action}${to ? ` to ${to}` : ''} incident ${i.number} while it is ${i.status}`, {
    incident: i.number,
    status: i.status,
    action,
    to: to ?? null,
  });
}

/** Only agents of the incident's desk (or the system) may change an incident. */
export function assertIncidentAgent(i: Pick<Incident, 'number' | 'deskId'>, actor: Actor, action: string): void {
  if (actor.kind === 'person' && !actor.agent) {
    throw new HelpdeskError('INCIDENT.NOT_AGENT', `only agents of desk ${i.deskId} can ${action} incidents`, { incident: i.number, action });
  }
}

/**
 * Validates `action` by `actor` on `i` and returns the fields to change. Pure: no I/O, no clock
 * other than `now`. Throws a coded HelpdeskError for every refusal:
 * INCIDENT.NOT_AGENT (a person who is not an agent of the desk), INCIDENT.ILLEGAL_TRANSITION (wrong
 * status, or a status change to the status it already has).
 */
export function decideIncident(i: Incident, action: IncidentAction, actor: Actor, now: Date): IncidentPatch {
  assertIncidentAgent(i, actor, action.type);
  if (!FROM[action.type].includes(i.status)) illegal(i, action.type, action.type === 'set_status' ? action.status : undefined);
  switch (action.type) {
    case 'set_status': {
      if (action.status === i.status) illegal(i, 'set_status', action.status);
      const patch: IncidentPatch = { status: action.status };
      if (action.status === 'identified' && !i.identifiedAt) patch.identifiedAt = now;
      if (action.status === 'monitoring') patch.monitoringAt = now;
      // Back to investigating (the problem came back while monitoring): the monitoring mark goes.
      if (action.status === 'investigating') patch.unset = ['monitoringAt'];
      return patch;
    }
    case 'resolve':
      return { status: 'resolved', resolvedAt: now };
    case 'note':
    case 'link_tickets':
      return {};
    case 'set_severity':
      return action.severity === i.severity ? {} : { severity: action.severity };
    case 'set_owner':
      return action.ownerAgentId ? { owner: action.owner, ownerAgentId: action.ownerAgentId } : { owner: action.owner, unset: ['ownerAgentId'] };
    case 'attach_alert': {
      if (i.alertFingerprints.includes(action.fingerprint) || i.alertFingerprints.length >= MAX_FINGERPRINTS) return {};
      return { alertFingerprints: [...i.alertFingerprints, action.fingerprint] };
    }
  }
}

/** The statuses each action may start from (docs, tests, UIs deciding which buttons to show). */
export const incidentActionFrom = (type: IncidentAction['type']): readonly IncidentStatus[] => FROM[type];
