import { DEFAULT_ABSORB } from '../../domain/desk.js';
import { isHelpdeskError } from '../../domain/errors.js';
import type { IncidentEvent, TicketEvent } from '../../domain/events.js';
import type { Incident } from '../../domain/incident.js';
import type { Ticket } from '../../domain/ticket.js';
import { incidentResolvedView, knownIssueView } from '../../views/incident-views.js';
import { mutateTicket } from '../mutate-ticket.js';
import { requesterOps } from '../requester-ops.js';
import type { FanoutDeps } from './fanout-deps.js';

/** Linked tickets read per page when an incident resolves. */
export const RESOLUTION_PAGE = 200;

/** Statuses in which a linked ticket is resolved with its incident (claimed/pending: an agent has it). */
const RESOLVED_WITH_INCIDENT: ReadonlySet<Ticket['status']> = new Set(['new', 'open']);

/** The actor reason the notifier recognises: the incident notice replaces the usual "resolved" message. */
export const INCIDENT_ACTOR = 'incident';

/** Key of the one resolution notice a requester gets per incident, whatever path sends it. */
const resolvedKey = (inc: Incident, t: Ticket) => `incident:${inc.id}:resolved:${t.id}`;

/** Whether a linked ticket is resolved with its incident, and what its requester is told. */
function settlement(deps: FanoutDeps, t: Ticket): { resolve: boolean; closed: boolean; locale: string } {
  const desk = deps.directory.desk(t.deskId);
  const resolve = (desk.absorb ?? DEFAULT_ABSORB).resolveLinked && RESOLVED_WITH_INCIDENT.has(t.status);
  return { resolve, closed: resolve || t.status === 'resolved' || t.status === 'closed' || t.status === 'self_service', locale: t.locale ?? desk.locale };
}

/** The one resolution notice of a linked requester (keyed: whatever path or retry sends it, once). */
async function tellResolved(deps: FanoutDeps, inc: Incident, t: Ticket): Promise<void> {
  const s = settlement(deps, t);
  for (const op of requesterOps(t, incidentResolvedView(t, inc, s.closed, s.locale), resolvedKey(inc, t))) await deps.delivery.send(op);
}

/** Resolves a linked ticket with its incident, if the desk says so (keyed by the incident: once). */
async function resolveWith(deps: FanoutDeps, inc: Incident, t: Ticket): Promise<void> {
  if (!settlement(deps, t).resolve) return;
  try {
    await mutateTicket({ ...deps, eventKey: `incident:${inc.id}:settle:${t.id}` }, { id: t.id }, { type: 'resolve', note: inc.title }, { system: INCIDENT_ACTOR });
  } catch (err) {
    // Resolved, closed or claimed meanwhile by someone else: left as it is.
    if (!isHelpdeskError(err) || err.code !== 'TICKET.ILLEGAL_TRANSITION') throw err;
  }
}

/** Tells one linked requester the incident is resolved, then resolves their ticket (if the desk says so). */
export async function settleLinkedTicket(deps: FanoutDeps, inc: Incident, ticketId: string): Promise<void> {
  const t = await deps.store.get(ticketId);
  if (!t) return;
  await tellResolved(deps, inc, t);
  await resolveWith(deps, inc, t);
}

/** Linked tickets handled at once within a page. */
export const SETTLE_CONCURRENCY = 8;

/** Runs `work` over `items`, `n` at a time. */
async function lanes<T>(items: readonly T[], n: number, work: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  const lane = async () => {
    while (i < items.length) await work(items[i++]!);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
}

/**
 * One page of an incident's resolution fan-out over the linked tickets after `after` (ids
 * ascending): first every requester of the page is told (what people wait for: reads and queued
 * deliveries only), then the tickets are resolved. `onNext` gets the next page's cursor (or null) as
 * soon as it is known, so a job queue runs pages in parallel. Every step is keyed, so running a page
 * twice (a retried job) tells nobody twice and resolves nothing twice.
 */
export async function settleLinkedPage(deps: FanoutDeps, incidentId: string, after?: string, onNext?: (next: string | null) => Promise<void>): Promise<string | null> {
  const inc = await deps.incidents.get(incidentId);
  if (!inc || inc.status !== 'resolved') return null;
  const ids = await deps.incidents.linkedTickets(incidentId, { ...(after ? { after } : {}), limit: RESOLUTION_PAGE });
  const next = ids.length === RESOLUTION_PAGE ? ids[ids.length - 1]! : null;
  await onNext?.(next);
  const tickets: Ticket[] = [];
  await lanes(ids, SETTLE_CONCURRENCY, async (id) => {
    const t = await deps.store.get(id);
    if (!t) return;
    tickets.push(t);
    await tellResolved(deps, inc, t);
  });
  await lanes(tickets, SETTLE_CONCURRENCY, (t) => resolveWith(deps, inc, t));
  return next;
}

/** Runs the whole fan-out in this process (no job queue: tests, the CLI, the zero-config run). */
export async function settleAllLinked(deps: FanoutDeps, incidentId: string): Promise<void> {
  let after: string | null | undefined;
  do after = await settleLinkedPage(deps, incidentId, after ?? undefined);
  while (after);
}

/**
 * The requester side of absorption: the "known issue" answer when a request was absorbed, and —
 * when a link lands after the incident resolved (a race with the resolution's fan-out) — the
 * resolution notice right away. `onResolved` starts the resolution fan-out (inline or as jobs).
 */
export class AbsorbedRequests {
  constructor(private readonly deps: FanoutDeps, private readonly onResolved: (incidentId: string) => Promise<void>) {}

  attach(events: FanoutDeps['events']): () => void {
    const a = events.subscribe((e) => this.onTicket(e));
    const b = events.onIncident((e) => this.onIncident(e));
    return () => {
      a();
      b();
    };
  }

  async onTicket(e: TicketEvent): Promise<void> {
    if (e.type !== 'ticket.created' || !e.ticket.incidentId || e.ticket.status !== 'new') return;
    const t = e.ticket;
    const inc = await this.deps.incidents.get(t.incidentId!);
    if (!inc) return;
    if (inc.status === 'resolved') return settleLinkedTicket(this.deps, inc, t.id);
    const desk = this.deps.directory.desk(t.deskId);
    for (const op of requesterOps(t, knownIssueView(t, inc, t.locale ?? desk.locale), `${t.id}:known-issue:${inc.id}`)) await this.deps.delivery.send(op);
  }

  async onIncident(e: IncidentEvent): Promise<void> {
    if (e.type === 'incident.resolved') return this.onResolved(e.incident.id);
    // Linked after the resolution (a race the fan-out may have missed): tell them now.
    if (e.type === 'incident.tickets_linked' && e.incident.status === 'resolved') for (const id of e.ticketIds ?? []) await settleLinkedTicket(this.deps, e.incident, id);
  }
}
