import { maxTier } from '../domain/desk.js';
import { slaDeadlines } from '../domain/sla.js';
import type { Ticket } from '../domain/ticket.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/**
 * Moves the ticket to the next tier, unassigned there, with a fresh SLA for that tier.
 * `expectTier` makes automatic escalation exactly-once: a breach job for tier 1 that runs twice
 * finds the ticket at tier 2 the second time and does nothing (returns null).
 */
export async function escalateTicket(
  deps: CoreDeps,
  ref: TicketRef,
  who: ActorInput,
  reason: string,
  opts: { expectTier?: number } = {},
): Promise<Ticket | null> {
  let skipped = false;
  try {
    const { ticket } = await mutateTicket(
      deps,
      ref,
      (t) => {
        if (opts.expectTier !== undefined && t.tier !== opts.expectTier) skipped = true;
        return { type: 'escalate', reason: reason.trim().slice(0, 500), maxTier: skipped ? 0 : maxTier(deps.directory.desk(t.deskId)) };
      },
      who,
      {
        note: reason,
        enrich: (t, patch, now) => ({ ...patch, sla: slaDeadlines(deps.directory.desk(t.deskId), t.priority, now, { firstRespondedAt: t.sla.firstRespondedAt }) }),
      },
    );
    return ticket;
  } catch (e) {
    if (skipped) return null;
    throw e;
  }
}
