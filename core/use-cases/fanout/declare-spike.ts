import { HelpdeskError } from '../../domain/errors.js';
import type { Identity } from '../../domain/identity.js';
import type { Incident } from '../../domain/incident.js';
import { SERVICE_NAME_MAX } from '../../domain/incident.js';
import type { Ticket } from '../../domain/ticket.js';
import { declareIncident } from '../incidents/declare-incident.js';
import { linkIncidentTickets, MAX_LINKS_PER_CALL } from '../incidents/link-incident-tickets.js';
import type { FanoutDeps } from './fanout-deps.js';
import { spikeCardOps } from './detect-spike.js';

/** Severity of an incident declared from a spike (agents change it with `/help incident update`). */
const SPIKE_SEVERITY = 'SEV3';

/** The most common category of the tickets, else the desk's name: an incident needs a service. */
function serviceOf(tickets: readonly Ticket[], fallback: string): string {
  const counts = new Map<string, number>();
  for (const t of tickets) if (t.category) counts.set(t.category, (counts.get(t.category) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return (top ?? fallback).trim().toLowerCase().slice(0, SERVICE_NAME_MAX) || 'general';
}

/**
 * The Declare button of a spike card: declares one incident for the spike (the same one whatever
 * the clicks, agents or retries: keyed by the spike), links every ticket of the spike, marks them
 * as about the incident (the tickets that joined the spike too, in calls of at most 1,000), and edits
 * the cards to say so. Only agents of the desk may (INCIDENT.NOT_AGENT).
 */
export async function declareFromSpike(deps: FanoutDeps, spikeId: string, who: Identity): Promise<{ incident: Incident; linked: number }> {
  const spike = await deps.spikes?.get(spikeId);
  if (!spike) throw new HelpdeskError('INPUT.INVALID', 'unknown spike', { detail: 'this suggestion is no longer available' });
  const tickets = await loadTickets(deps, spike.ticketIds);
  if (!tickets.length) throw new HelpdeskError('INPUT.INVALID', 'spike without tickets', { detail: 'the tickets of this suggestion are gone' });
  const desk = deps.directory.desk(spike.deskId);
  const first = tickets[0]!;
  const key = `spike:${spike.id}:declare`;
  const { incident } = await declareIncident(
    deps,
    {
      deskId: desk.id,
      title: first.subject.slice(0, 200),
      services: [serviceOf(tickets, desk.name)],
      severity: SPIKE_SEVERITY,
      idempotencyKey: key,
      tickets: tickets.slice(0, MAX_LINKS_PER_CALL).map((t) => ({ id: t.id })),
    },
    who,
  );
  // Joins stop once it is marked; the ones stored since the read above are linked too.
  const declared = (await deps.spikes!.markDeclared(spike.id, incident.id)) ?? spike;
  const read = new Set(tickets.map((t) => t.id));
  const all = [...tickets, ...(await loadTickets(deps, declared.ticketIds.filter((id) => !read.has(id))))];
  for (let i = MAX_LINKS_PER_CALL; i < all.length; i += MAX_LINKS_PER_CALL) {
    await linkIncidentTickets({ ...deps, eventKey: `${key}-links-${i}` }, { id: incident.id }, all.slice(i, i + MAX_LINKS_PER_CALL).map((t) => ({ id: t.id })), who);
  }
  await deps.spikeWindow?.forget(desk.id, declared.ticketIds);
  for (const t of all) await markAbout(deps, t, incident.id);
  for (const op of await spikeCardOps(deps, { ...declared, incidentId: incident.id }, incident)) await deps.delivery.send(op);
  return { incident, linked: all.length };
}

/** The spike's tickets that still exist, in its order. */
async function loadTickets(deps: FanoutDeps, ids: readonly string[]): Promise<Ticket[]> {
  return (await Promise.all(ids.map((id) => deps.store.get(id)))).filter((t): t is Ticket => !!t);
}

/** Sets `incidentId` on a ticket not yet about one (optimistic; a few tries under contention). */
async function markAbout(deps: FanoutDeps, t: Ticket, incidentId: string): Promise<void> {
  let cur: Ticket | null = t;
  for (let i = 0; i < 5 && cur && !cur.incidentId; i++) {
    if (await deps.store.update(cur.id, cur.version, { incidentId }, deps.clock.now())) return;
    cur = await deps.store.get(t.id);
  }
}
