import { maxTier } from '../domain/desk.js';
import { slaDeadlines } from '../domain/sla.js';
import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import { clipText } from '../views/text-limits.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { mutateTicket, type MutateOptions } from './mutate-ticket.js';
import type { ActorInput } from './resolve-actor.js';

/**
 * Moves the ticket to the next tier, unassigned there, with a fresh SLA for that tier.
 * `expectTier` makes automatic escalation exactly-once: a breach job for tier 1 that runs twice
 * finds the ticket at tier 2 the second time and does nothing (returns null). `known`: the ticket as
 * the caller just read or wrote it (saves a read; a stale copy only loses the version race).
 * `only`: escalate only while this holds for the ticket as read (else null, like `expectTier`);
 * `stamp`: fields written with the escalation (see MutateOptions.stamp).
 */
export async function escalateTicket(
  deps: CoreDeps,
  ref: TicketRef,
  who: ActorInput,
  reason: string,
  opts: { expectTier?: number; known?: Ticket; knownMayBeOld?: boolean; only?: (t: Ticket) => boolean; stamp?: MutateOptions['stamp'] } = {},
): Promise<Ticket | null> {
  let skipped = false;
  try {
    const { ticket } = await mutateTicket(
      deps,
      ref,
      (t) => {
        skipped = (opts.expectTier !== undefined && t.tier !== opts.expectTier) || (opts.only !== undefined && !opts.only(t));
        const desk = deps.directory.desk(t.deskId);
        // The card shows at most 500 characters of the reason (with the marker); the timeline keeps it all.
        const shown = clipText(reason.trim(), 500, translator(desk.locale)('text.truncated')).text;
        return { type: 'escalate', reason: shown, maxTier: skipped ? 0 : maxTier(desk) };
      },
      who,
      {
        note: reason,
        enrich: (t, patch, now) => ({ ...patch, sla: slaDeadlines(deps.directory.desk(t.deskId), t.priority, now, { firstRespondedAt: t.sla.firstRespondedAt }) }),
        known: opts.known,
        ...(opts.knownMayBeOld ? { knownMayBeOld: true } : {}),
        ...(opts.stamp ? { stamp: opts.stamp } : {}),
      },
    );
    return ticket;
  } catch (e) {
    if (skipped) return null;
    throw e;
  }
}
