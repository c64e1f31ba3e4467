import { HelpdeskError } from '../domain/errors.js';
import { sameIdentity, type Identity } from '../domain/identity.js';
import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import { clipStored } from '../views/text-limits.js';
import type { TimelineEntry } from '../domain/timeline.js';
import type { LinkLocation } from '../ports/ticket-store.port.js';
import type { CoreDeps, TicketRef } from './deps.js';
import { loadTicket } from './load-ticket.js';
import { mutateTicket } from './mutate-ticket.js';
import { resolveActor } from './resolve-actor.js';

export interface PostMessageInput {
  /** The place the message was written (a linked thread/DM), or an explicit ticket. */
  at?: LinkLocation;
  ticket?: TicketRef;
  author: Identity;
  text: string;
  /** The platform's message id (dedupe and loop protection). */
  messageId?: string;
  /** Explicitly internal (an "Add internal note" action). Agents' messages with the desk's note prefix are too. */
  internal?: boolean;
  /**
   * The ticket as read ahead (`messageTicket`, started by Helpdesk.handle while it claims the
   * event, so the claim and the read are one round trip apart instead of two).
   */
  readAhead?: Promise<Ticket | null>;
}

/** The ticket a message is for (by id or number, else by the place it was written); null when none. */
export async function messageTicket(deps: Pick<CoreDeps, 'store'>, input: Pick<PostMessageInput, 'ticket' | 'at'>): Promise<Ticket | null> {
  return input.ticket ? loadTicket(deps, input.ticket) : input.at ? deps.store.findByLink(input.at) : null;
}

export type PostMessageResult = { recorded: false } | { recorded: true; ticket: Ticket; entry: TimelineEntry };

/**
 * Records a message written in a linked place on the ticket's timeline and emits `ticket.message`
 * (the notifier relays it to the other links; internal notes never reach the requester).
 * A message in a place no ticket is linked to is ignored (`recorded: false`).
 */
export async function postMessage(deps: CoreDeps, input: PostMessageInput): Promise<PostMessageResult> {
  const found = await (input.readAhead ?? messageTicket(deps, input));
  if (!found) return { recorded: false };
  let text = input.text.trim();
  if (!text) return { recorded: false };
  const desk = deps.directory.desk(found.deskId);
  const actor = await resolveActor(deps, found.deskId, input.author);
  const isAgent = actor.kind === 'person' && actor.agent !== undefined;
  const isRequester = sameIdentity(input.author, found.requester);
  let internal = input.internal === true;
  if (isAgent && desk.notePrefix && text.toLowerCase().startsWith(desk.notePrefix.toLowerCase())) {
    internal = true;
    text = text.slice(desk.notePrefix.length).trim();
  }
  if (internal && !isAgent) throw new HelpdeskError('TICKET.NOT_AGENT', 'only agents can add internal notes', { ticket: found.number });
  // Long text is kept up to the stored maximum; beyond it, cut with the marker and the author told (notifier).
  const stored = clipStored(text, translator(found.locale, desk.locale)('text.truncated'));
  if (stored.clippedFrom) deps.log.info({ ticket: found.number, received: stored.clippedFrom, kept: stored.text.length }, 'message over the stored maximum kept cut; the author is told');
  const now = deps.clock.now();
  // A public message is not written with the ticket: the ticket stops carrying its public log
  // (core/domain/public-log.ts) before the message is stored — once per ticket, none once dropped.
  // (Not for a replay of the ticket's own opening request, which stores nothing.)
  let current = found;
  const logged = internal || !found.publicLog || found.idempotencyKey === deps.eventKey;
  if (!logged) current = (await deps.store.dropPublicLog(found, now)) ?? found;
  // Keyed by the inbound event: a retry (or a replay that reaches here by another path, e.g. a
  // requester's first message replayed once their chat is linked) finds the entry stored the first
  // time and records nothing new; the steps below are idempotent and the relay's keys are stable.
  const entry = await deps.store.appendTimeline({
    ticketId: found.id,
    at: now,
    kind: internal ? 'note' : 'message',
    actor,
    visibility: internal ? 'internal' : 'public',
    text: stored.text,
    ...(stored.clippedFrom ? { clippedFrom: stored.clippedFrom } : {}),
    source: input.at ? { platform: input.at.platform, channel: input.at.channel, thread: input.at.thread, message: input.messageId } : undefined,
  }, { ...(deps.eventKey ? { key: deps.eventKey } : {}), logged: true });
  // The same key on another ticket, or this ticket's opening request replayed as a message: nothing to do.
  if (entry.created === false && (entry.ticketId !== found.id || found.idempotencyKey === deps.eventKey)) return { recorded: false };
  let ticket = current;
  // A requester's answer takes a pending ticket back to the agent.
  if (isRequester && !isAgent && ticket.status === 'pending') {
    ticket = (await mutateTicket(deps, { id: ticket.id }, { type: 'resume' }, { system: 'requester-replied' })).ticket;
  }
  // The message is stored: relay it now (the notifier is the bus's first subscriber), before the
  // first-response write below, which the relay does not need. A retry (its entry stored by the
  // failed attempt) omits `before`, so whatever that attempt did not finish is written again
  // (report facts: an already answered ticket without `before` counts as answered).
  await deps.events.emit({ type: 'ticket.message', ticket, actor, at: now, entry, ...(entry.created === false ? {} : { before: current }) });
  // An agent's first public answer is the first response (SLA), even before a formal claim:
  // `ticket.responded` (timers, report facts, queue rows) once this write is what set it.
  if (isAgent && !internal && !ticket.sla.firstRespondedAt) {
    const before = ticket;
    let wrote = false;
    for (let i = 0; i < 5 && !ticket.sla.firstRespondedAt; i++) {
      const updated = await deps.store.update(ticket.id, ticket.version, { sla: { ...ticket.sla, firstRespondedAt: now } }, now);
      wrote = updated !== null;
      ticket = updated ?? (await loadTicket(deps, { id: ticket.id }));
    }
    if (wrote) await deps.events.emit({ type: 'ticket.responded', ticket, before, actor, at: now });
  }
  return { recorded: true, ticket, entry };
}
