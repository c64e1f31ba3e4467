import type { Actor } from '../domain/actor.js';
import type { Desk } from '../domain/desk.js';
import { slaDeadlines } from '../domain/sla.js';
import { decide, type TicketPatch } from '../domain/ticket.state-machine.js';
import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { withLogged } from '../domain/public-log.js';
import { changeEntry, mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/**
 * Sends a `new` ticket to its desk's tier-1 queue and starts its SLA clock. Idempotent: a ticket
 * that is already past `new` is returned unchanged (the person pressing "I still need help" twice,
 * or the deflection window job firing after they did). `known`: the ticket as the caller just stored
 * it (opening a ticket), so neither this nor the write reads it again.
 */
export async function routeToTriage(deps: CoreDeps, ref: TicketRef, who: ActorInput, known?: Ticket): Promise<Ticket> {
  // The route stored by an earlier attempt of this same event (`lastEvent`) whose announcement may
  // not have happened (the process died, or the event bus failed, between the write and the events):
  // mutateTicket finishes it instead of treating the ticket as routed by someone else. Without this
  // the card was never posted and the requester never told (a SIGKILL right after the write).
  const key = deps.eventKey ? `${deps.eventKey}:route` : undefined;
  const ours = (t: Ticket) => key !== undefined && t.lastEvent === key;
  const current = known ?? (await loadTicket(deps, ref));
  if (current.status !== 'new' && !ours(current)) return current;
  const desk = deps.directory.desk(current.deskId);
  // `k`: the ticket as last seen, saving the write's own read (not after a failure: it may be stale).
  const route = (k?: Ticket) =>
    mutateTicket(deps, { id: current.id }, { type: 'route' }, who, {
      enrich: (t, patch, now) => withSla(desk, t, patch, now),
      ...(k ? { known: k } : {}),
    });
  try {
    return (await route(known)).ticket;
  } catch (e) {
    const after = await loadTicket(deps, { id: current.id });
    // Our own write landed and something after it failed: finish it (or fail, and be retried).
    if (ours(after)) return (await route()).ticket;
    // Someone else routed or deflected it in the meantime: not an error for this caller.
    if (after.status !== 'new') return after;
    throw e;
  }
}

const withSla = (desk: Desk, t: Ticket, patch: TicketPatch, now: Date): TicketPatch => ({ ...patch, sla: slaDeadlines(desk, t.priority, now, t.sla) });

/**
 * The route's patch for a ticket as `mutateTicket` would write it (state machine, SLA deadlines, the
 * event's key): a request no article answers is stored routed in the insert that creates it.
 */
export function routePatch(deps: Pick<CoreDeps, 'directory' | 'eventKey'>, t: Ticket, actor: Actor, now: Date): TicketPatch {
  const act = { type: 'route' } as const;
  const patch = withSla(deps.directory.desk(t.deskId), t, decide(t, act, actor, now), now);
  // The route's status entry in the ticket's public log, as mutateTicket writes it (the same entry
  // `finishOpening` appends to the timeline).
  return withLogged(t, changeEntry(deps, t, act, actor, now), deps.eventKey ? { ...patch, lastEvent: `${deps.eventKey}:route` } : patch);
}
