import { isOpenAt } from '../domain/business-hours.js';
import type { Agent } from '../domain/desk.js';
import { isHelpdeskError } from '../domain/errors.js';
import type { Ticket } from '../domain/ticket.js';
import { claimTicket } from './claim-ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';

/**
 * Round-robin bookkeeping shared by every replica (jobs/ keeps it in Redis) and a per-scope lock so
 * two replicas do not both give the last free slot of one agent away.
 */
export interface AssignmentLedger {
  /** When each agent was last auto-assigned on this desk (epoch ms); missing = never. */
  lastAssigned(deskId: string, agentIds: readonly string[]): Promise<Map<string, number>>;
  markAssigned(deskId: string, agentId: string, at: Date): Promise<void>;
  /** Runs `fn` while no other replica runs an assignment in the same scope. */
  exclusive<T>(scope: string, fn: () => Promise<T>): Promise<T>;
}

export type AssignOutcome =
  | { assigned: true; ticket: Ticket; agent: Agent }
  | { assigned: false; ticket: Ticket; reason: 'manual' | 'not_open' | 'nobody' };

/** Can this agent take a ticket of this tier and category right now (ignoring load)? */
export function fits(agent: Agent, t: Ticket, now: Date): boolean {
  const role = agent.desks.find((d) => d.desk === t.deskId);
  if (!role || role.tier !== t.tier) return false;
  if (agent.availability !== 'available') return false;
  if (agent.shift && !isOpenAt(now, agent.shift)) return false;
  if (t.category && agent.skills.length > 0 && !agent.skills.includes(t.category)) return false;
  return agent.identities.length > 0;
}

/**
 * Auto-assignment for desks in `round_robin` or `least_loaded` mode: among available, on-shift
 * agents of the ticket's tier with its skill and below their load limit, picks one and claims the
 * ticket on their behalf. Round robin: longest since last auto-assignment first; least loaded:
 * fewest active tickets, then round-robin order. Nobody fits: the ticket stays in the tier channel.
 */
export async function autoAssign(deps: CoreDeps, ledger: AssignmentLedger, ref: TicketRef): Promise<AssignOutcome> {
  const t0 = await loadTicket(deps, ref);
  const desk = deps.directory.desk(t0.deskId);
  if (desk.assignment === 'manual') return { assigned: false, ticket: t0, reason: 'manual' };
  return ledger.exclusive(`${desk.id}:${t0.tier}`, async () => {
    const t = await loadTicket(deps, { id: t0.id });
    if (t.status !== 'open' || t.assignee) return { assigned: false, ticket: t, reason: 'not_open' } as const;
    const now = deps.clock.now();
    const agents = (await deps.directory.agentsOf(desk.id)).filter((a) => fits(a, t, now));
    const ids = agents.map((a) => a.id);
    const [load, last] = await Promise.all([deps.store.activeLoad(ids), ledger.lastAssigned(desk.id, ids)]);
    const rr = (a: Agent, b: Agent) => (last.get(a.id) ?? 0) - (last.get(b.id) ?? 0) || a.id.localeCompare(b.id);
    const byLoad = (a: Agent, b: Agent) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || rr(a, b);
    const candidates = agents.filter((a) => (load.get(a.id) ?? 0) < a.maxLoad).sort(desk.assignment === 'least_loaded' ? byLoad : rr);
    for (const agent of candidates) {
      try {
        const ticket = await claimTicket(deps, { id: t.id }, agent.identities[0]!);
        await ledger.markAssigned(desk.id, agent.id, now);
        return { assigned: true, ticket, agent } as const;
      } catch (e) {
        if (!isHelpdeskError(e)) throw e;
        if (e.code === 'TICKET.NOT_AGENT') continue; // directory changed under us: try the next one
        // Claimed by a person or moved on meanwhile.
        return { assigned: false, ticket: await loadTicket(deps, { id: t.id }), reason: 'not_open' } as const;
      }
    }
    return { assigned: false, ticket: t, reason: 'nobody' } as const;
  });
}
