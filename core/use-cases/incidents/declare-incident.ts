import { HelpdeskError } from '../../domain/errors.js';
import type { IncidentEvent } from '../../domain/events.js';
import type { Identity } from '../../domain/identity.js';
import {
  INCIDENT_NOTE_MAX,
  INCIDENT_TITLE_MAX,
  MAX_FINGERPRINTS,
  MAX_SERVICES,
  isSeverity,
  serviceName,
  type Incident,
  type IncidentUpdate,
  type Severity,
} from '../../domain/incident.js';
import { assertIncidentAgent } from '../../domain/incident.state-machine.js';
import type { TicketRef } from '../deps.js';
import { resolveActor, type ActorInput } from '../resolve-actor.js';
import type { IncidentDeps } from './incident-deps.js';
import { linkIncidentTickets } from './link-incident-tickets.js';

export interface DeclareIncidentInput {
  deskId: string;
  title: string;
  /** Affected services (normalized: trimmed, lower-case, unique; 1–20 of 1–64 characters). */
  services: readonly string[];
  severity: Severity;
  /** First public update (what is known so far); defaults to the title. */
  description?: string;
  /** Makes the declaration exactly-once: the command's event id, the alert episode's key… */
  idempotencyKey: string;
  /** When the problem started (an alert's `startsAt`); defaults to now. */
  startedAt?: Date;
  /** The agent in charge; defaults to the declaring agent. */
  owner?: Identity;
  alertFingerprints?: readonly string[];
  /** Tickets to link right away (a spike suggestion's examples). */
  tickets?: readonly TicketRef[];
}

function invalid(detail: string): never {
  throw new HelpdeskError('INPUT.INVALID', `incident: ${detail}`, { detail });
}

/** Checks and normalizes what a person or an alert asked for; throws INPUT.INVALID naming the field. */
export function validateDeclaration(input: Pick<DeclareIncidentInput, 'title' | 'services' | 'severity' | 'idempotencyKey'>): { title: string; services: string[] } {
  const title = input.title.replace(/\s+/g, ' ').trim();
  if (!title) invalid('title is empty');
  if (title.length > INCIDENT_TITLE_MAX) invalid(`title is longer than ${INCIDENT_TITLE_MAX} characters`);
  if (!isSeverity(input.severity)) invalid('severity must be one of SEV1, SEV2, SEV3, SEV4');
  if (!input.idempotencyKey) invalid('an idempotency key is required');
  const services: string[] = [];
  for (const s of input.services) {
    const n = serviceName(s);
    if (!n) invalid('a service name is empty or longer than 64 characters');
    if (!services.includes(n)) services.push(n);
  }
  if (services.length === 0) invalid('at least one affected service is required');
  if (services.length > MAX_SERVICES) invalid(`at most ${MAX_SERVICES} services`);
  return { title, services };
}

/**
 * Declares an incident (status `investigating`), exactly once per idempotency key: a replay returns
 * the incident the first call stored (`created: false`) and finishes what it left undone (event,
 * timeline entry, links). People must be agents of the desk (INCIDENT.NOT_AGENT); the alert intake
 * declares as the system. Emits `incident.declared` (and `incident.tickets_linked` with `tickets`).
 */
export async function declareIncident(deps: IncidentDeps, input: DeclareIncidentInput, who: ActorInput): Promise<{ incident: Incident; created: boolean }> {
  const { title, services } = validateDeclaration(input);
  const desk = deps.directory.desk(input.deskId);
  const actor = await resolveActor(deps, desk.id, who);
  assertIncidentAgent({ number: 'new', deskId: desk.id }, actor, 'declare');
  const now = deps.clock.now();
  let owner = input.owner ?? (actor.kind === 'person' ? actor.identity : undefined);
  let ownerAgentId: string | undefined;
  if (owner) {
    const agent = await deps.directory.agentByIdentity(owner);
    if (agent) {
      ownerAgentId = agent.id;
      owner = { ...owner, name: agent.name };
    }
  }
  const fingerprints = [...new Set(input.alertFingerprints ?? [])].slice(0, MAX_FINGERPRINTS);
  const { incident, created } = await deps.incidents.create(
    {
      deskId: desk.id,
      idempotencyKey: input.idempotencyKey,
      title,
      services,
      severity: input.severity,
      status: 'investigating',
      owner,
      ownerAgentId,
      alertFingerprints: fingerprints,
      declaredBy: actor.kind === 'person' ? { kind: 'person', identity: actor.identity } : { kind: 'system', reason: actor.reason },
      startedAt: input.startedAt ?? now,
    },
    now,
  );
  const key = `${input.idempotencyKey}:declared`;
  if (created || !(await deps.incidents.keyedEntry(key))) {
    const description = (input.description ?? '').trim().slice(0, INCIDENT_NOTE_MAX) || title;
    const entry: Omit<IncidentUpdate, 'id'> = { incidentId: incident.id, at: incident.createdAt, kind: 'declared', actor, visibility: 'public', text: description, status: 'investigating', severity: incident.severity };
    const event: IncidentEvent = { type: 'incident.declared', incident, actor, at: incident.createdAt, entry };
    await deps.events.emitIncident(event);
    await deps.incidents.appendTimeline(entry, { key });
  }
  if (input.tickets?.length) {
    const linked = await linkIncidentTickets({ ...deps, eventKey: `${input.idempotencyKey}:declare-links` }, { id: incident.id }, input.tickets, who);
    return { incident: linked.incident, created };
  }
  return { incident, created };
}
