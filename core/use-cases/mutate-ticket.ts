import type { Actor } from '../domain/actor.js';
import { HelpdeskError } from '../domain/errors.js';
import type { TicketEventType } from '../domain/events.js';
import { withLogged } from '../domain/public-log.js';
import { decide, type TicketAction, type TicketPatch } from '../domain/ticket.state-machine.js';
import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import { STORED_TEXT_MAX, clipText } from '../views/text-limits.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { resolveActor, type ActorInput } from './resolve-actor.js';

const EVENT_OF: Record<TicketAction['type'], TicketEventType> = {
  route: 'ticket.routed',
  self_serve: 'ticket.self_served',
  claim: 'ticket.claimed',
  unclaim: 'ticket.unclaimed',
  pend: 'ticket.pending',
  resume: 'ticket.resumed',
  escalate: 'ticket.escalated',
  resolve: 'ticket.resolved',
  reopen: 'ticket.reopened',
  close: 'ticket.closed',
  rate: 'ticket.rated',
  set_priority: 'ticket.priority_changed',
  set_category: 'ticket.category_changed',
};

export interface MutateOptions {
  /** Adds derived fields (SLA deadlines…) to the state machine's patch. */
  enrich?: (t: Ticket, patch: TicketPatch, now: Date) => TicketPatch;
  /** Text for the timeline entry (a resolution note, an escalation reason). */
  note?: string;
  /**
   * Longest note kept; longer is cut at a safe boundary with the marker (core/views/text-limits.ts).
   * @defaultValue STORED_TEXT_MAX
   */
  noteMax?: number;
  /**
   * The ticket as the caller just read or wrote it: the first attempt decides on it instead of
   * reading it again (a stale copy only costs a lost race and a re-read).
   */
  known?: Ticket;
  /**
   * `known` may be long outdated (an SLA timer's copy): its write is a trial (`TicketStore.update`'s
   * `trial`) — a lost race there returns at once and the next attempt reads.
   */
  knownMayBeOld?: boolean;
  /**
   * Fields recorded in the same write, as if stored just before the action (an SLA breach with the
   * escalation it causes: one compare-and-set instead of two). The action, `enrich` and the event's
   * `before` see the ticket with them; the patch writes them unless it sets the same fields itself.
   * Called on every attempt with the ticket as read; null for none.
   */
  stamp?: (t: Ticket, now: Date) => Omit<TicketPatch, 'unset'> | null;
}

const MAX_ATTEMPTS = 20;

/**
 * Read–decide–write with optimistic concurrency: the write only lands if nobody changed the
 * ticket since it was read; otherwise re-read and decide again (so of 50 racing claims exactly
 * one wins and the others see TICKET.ALREADY_CLAIMED from the state machine).
 */
export async function mutateTicket(
  deps: CoreDeps,
  ref: TicketRef,
  action: TicketAction | ((t: Ticket) => TicketAction),
  who: ActorInput,
  opts: MutateOptions = {},
): Promise<{ ticket: Ticket; before: Ticket; actor: Actor }> {
  let id: string | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const read = attempt === 0 && opts.known ? opts.known : await loadTicket(deps, id ? { id } : ref);
    id = read.id;
    const actor = await resolveActor(deps, read.deskId, who);
    const now = deps.clock.now();
    const stamped = opts.stamp?.(read, now) ?? null;
    const before: Ticket = stamped ? { ...read, ...stamped } : read;
    const act = typeof action === 'function' ? action(before) : action;
    const key = changeKey(deps, act);
    const entry = changeEntry(deps, before, act, actor, now, opts);
    if (key && before.lastEvent === key) {
      // A retry of an event whose change is already stored: finish what the failed attempt left
      // undone (its events, then its timeline entry, which is written last) and do not change again.
      if (!(await deps.store.keyedEntry(key))) {
        await deps.events.emit({ type: EVENT_OF[act.type], ticket: before, actor, at: now, changeKey: key });
        await deps.store.appendTimeline(entry, { key, logged: true });
      }
      return { ticket: read, before: read, actor };
    }
    let patch = decide(before, act, actor, now);
    if (opts.enrich) patch = opts.enrich(before, patch, now);
    if (stamped) patch = { ...stamped, ...patch };
    if (key) patch = { ...patch, lastEvent: key };
    // The status entry rides in the ticket's public log with the change itself (core/domain/public-log.ts).
    patch = withLogged(before, entry, patch);
    // `read`, not `before`: the stored version (the stamp's fields are in the patch).
    const trial = attempt === 0 && opts.knownMayBeOld === true && opts.known !== undefined;
    const ticket = await deps.store.update(before.id, before.version, patch, now, read, trial ? { trial } : undefined);
    if (!ticket) {
      // Lost the race: back off a little (jittered) before re-reading (an old copy's trial: no race, read now).
      if (!trial) await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      continue;
    }
    await announceChange(deps, act, ticket, before, actor, now, entry);
    return { ticket, before, actor };
  }
  throw new HelpdeskError('TICKET.CONFLICT', `ticket ${id ?? ''} kept changing; gave up after ${MAX_ATTEMPTS} attempts`, { ticket: id });
}

/** The key a change made under an inbound event is stored with (`lastEvent`, its timeline entry). */
export const changeKey = (deps: Pick<CoreDeps, 'eventKey'>, act: TicketAction): string | undefined => (deps.eventKey ? `${deps.eventKey}:${act.type}` : undefined);

/** The status entry a change leaves on the timeline. */
export function changeEntry(deps: Pick<CoreDeps, 'directory'>, before: Ticket, act: TicketAction, actor: Actor, now: Date, opts: Pick<MutateOptions, 'note' | 'noteMax'> = {}) {
  const note = clipText(opts.note ?? '', opts.noteMax ?? STORED_TEXT_MAX, translator(before.locale, deps.directory.desk(before.deskId).locale)('text.truncated'));
  return {
    ticketId: before.id,
    at: now,
    kind: 'status' as const,
    actor,
    visibility: act.type === 'set_category' ? ('internal' as const) : ('public' as const),
    text: note.text,
    ...(note.clipped ? { clippedFrom: opts.note!.length } : {}),
    event: act.type,
  };
}

/**
 * After a change is stored: its event, then its (keyed) timeline entry last — a stored entry means
 * the whole change is done, and a retry of the event finishes what is missing (see `mutateTicket`).
 */
export async function announceChange(deps: CoreDeps, act: TicketAction, ticket: Ticket, before: Ticket, actor: Actor, now: Date, entry: ReturnType<typeof changeEntry>): Promise<void> {
  const key = changeKey(deps, act);
  await deps.events.emit({ type: EVENT_OF[act.type], ticket, before, actor, at: now, ...(key ? { changeKey: key } : {}) });
  // Already in the ticket's public log (written with the change), if it keeps one.
  await deps.store.appendTimeline(entry, { ...(key ? { key } : {}), logged: true });
}
