import type { Identity } from './domain/identity.js';
import type { Incident, IncidentUpdate } from './domain/incident.js';
import type { TicketRef } from './use-cases/deps.js';
import type { ActorInput } from './use-cases/resolve-actor.js';
import { attachAlert } from './use-cases/incidents/attach-alert.js';
import { declareIncident, type DeclareIncidentInput } from './use-cases/incidents/declare-incident.js';
import type { IncidentDeps, IncidentRef } from './use-cases/incidents/incident-deps.js';
import { linkIncidentTickets } from './use-cases/incidents/link-incident-tickets.js';
import { getIncident, incidentTimeline, listActiveIncidents, type ActiveIncidentQuery } from './use-cases/incidents/list-incidents.js';
import { resolveIncident } from './use-cases/incidents/resolve-incident.js';
import { updateIncident, type IncidentChange } from './use-cases/incidents/update-incident.js';

/**
 * The entry point for incidents (adapters, alert intake, jobs), next to `Helpdesk` for tickets.
 *
 * Every write takes a `key` — the command's platform event id, the alert job's id, a card click's
 * id — and is exactly-once per key with idempotent effects: a retry of a key after a partial failure
 * finishes the work (event, timeline entry, links) instead of repeating it. Refusals are coded
 * HelpdeskErrors (INCIDENT.NOT_FOUND, INCIDENT.ILLEGAL_TRANSITION, INCIDENT.NOT_AGENT,
 * INCIDENT.CONFLICT, INPUT.INVALID, DESK.NOT_FOUND, TICKET.NOT_FOUND for a link to an unknown ticket).
 */
export class Incidents {
  constructor(readonly deps: IncidentDeps) {}

  /** Declares an incident; `created: false` when this key already declared one (that one is returned). */
  declare(input: DeclareIncidentInput, who: ActorInput): Promise<{ incident: Incident; created: boolean }> {
    return declareIncident(this.deps, input, who);
  }

  /** Status (open ones) / note / severity / owner update. */
  update(ref: IncidentRef, change: IncidentChange, who: ActorInput, key: string): Promise<Incident> {
    return updateIncident(this.at(key), ref, change, who);
  }

  resolve(ref: IncidentRef, who: ActorInput, key: string, note?: string): Promise<Incident> {
    return resolveIncident(this.at(key), ref, who, note);
  }

  /** Links tickets; `linked` = the ticket ids this key linked (already linked ones are left out). */
  link(ref: IncidentRef, tickets: readonly TicketRef[], who: ActorInput, key: string): Promise<{ incident: Incident; linked: string[] }> {
    return linkIncidentTickets(this.at(key), ref, tickets, who);
  }

  attachAlert(ref: IncidentRef, fingerprint: string, who: ActorInput, key: string, note?: string): Promise<Incident> {
    return attachAlert(this.at(key), ref, fingerprint, who, note);
  }

  get(ref: IncidentRef): Promise<Incident> {
    return getIncident(this.deps, ref);
  }

  /** Open incidents, newest first, by desk and/or service. */
  active(q: ActiveIncidentQuery = {}): Promise<Incident[]> {
    return listActiveIncidents(this.deps, q);
  }

  timeline(ref: IncidentRef, opts: { includeInternal?: boolean; limit?: number } = {}): Promise<IncidentUpdate[]> {
    return incidentTimeline(this.deps, ref, opts);
  }

  /** Linked ticket ids, ascending, a page at a time. */
  linkedTickets(incidentId: string, opts: { after?: string; limit?: number } = {}): Promise<string[]> {
    return this.deps.incidents.linkedTickets(incidentId, opts);
  }

  countLinked(incidentId: string): Promise<number> {
    return this.deps.incidents.countLinked(incidentId);
  }

  /** Incidents (ids) a ticket is linked to, newest link first. */
  incidentsOfTicket(ticketId: string): Promise<string[]> {
    return this.deps.incidents.incidentsOfTicket(ticketId);
  }

  /** Is this person an agent of the desk (may manage its incidents)? */
  async isAgent(identity: Identity, deskId: string): Promise<boolean> {
    const a = await this.deps.directory.agentByIdentity(identity);
    return !!a?.desks.some((d) => d.desk === deskId);
  }

  private at(key: string): IncidentDeps {
    return { ...this.deps, eventKey: key };
  }
}
