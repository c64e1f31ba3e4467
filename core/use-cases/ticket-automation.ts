import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import type { Delivery } from '../ports/delivery.port.js';
import { noticeView } from '../views/ticket-views.js';
import type { CoreDeps } from './deps.js';
import { closeTicket, resolveTicket } from './resolve-ticket.js';
import { routeToTriage } from './route-to-triage.js';
import { requesterOps } from './requester-ops.js';

/**
 * Time-driven steps of the lifecycle, called by jobs when their moment comes. Each re-reads the
 * ticket and does nothing when it moved on (jobs are at-least-once and may be stale).
 */

/** When the ticket last became pending (epoch ms), from its timeline; undefined if never. */
export async function pendingSince(deps: Pick<CoreDeps, 'store'>, t: Ticket): Promise<number | undefined> {
  const entries = await deps.store.timeline(t.id, { includeInternal: true, limit: 5000 });
  const pend = entries.filter((e) => e.kind === 'status' && e.event === 'pend').at(-1);
  return pend ? new Date(pend.at).getTime() : undefined;
}


/** Still `new` after the deflection window: nobody answered the suggestions, so a person takes over. */
export async function deflectionTimeout(deps: CoreDeps, ticketId: string): Promise<Ticket | null> {
  const t = await deps.store.get(ticketId);
  // An absorbed request waits on its incident, not on suggestions: it stays out of triage.
  if (!t || t.status !== 'new' || t.incidentId) return null;
  return routeToTriage(deps, { id: t.id }, { system: 'deflection-timeout' });
}

/**
 * Reminds the requester of a ticket pending since `since` (and that it will be resolved without an
 * answer). False when the ticket is no longer in that pending period.
 */
export async function remindPending(deps: CoreDeps, delivery: Delivery, ticketId: string, since: number, n: number): Promise<boolean> {
  const t = await deps.store.get(ticketId);
  if (!t || t.status !== 'pending' || (await pendingSince(deps, t)) !== since) return false;
  const desk = deps.directory.desk(t.deskId);
  const tr = translator(t.locale, desk.locale);
  let text = tr('notify.reminder', { number: t.number });
  const days = desk.automation.autoResolveAfterDays;
  if (days > 0) {
    const left = Math.max(1, Math.ceil((since + days * 86_400_000 - deps.clock.now().getTime()) / 86_400_000));
    text += `\n${tr('notify.auto_resolve_notice', { number: t.number, days: left })}`;
  }
  for (const op of requesterOps(t, noticeView(text, 'pending'), `${t.id}:reminder:${since}:${n}`)) await delivery.send(op);
  return true;
}

/** Resolves a ticket whose requester stayed silent since `since`, and tells them why. */
export async function autoResolvePending(deps: CoreDeps, delivery: Delivery, ticketId: string, since: number): Promise<Ticket | null> {
  const t = await deps.store.get(ticketId);
  if (!t || t.status !== 'pending' || (await pendingSince(deps, t)) !== since) return null;
  const desk = deps.directory.desk(t.deskId);
  const tr = translator(t.locale, desk.locale);
  const text = tr('notify.auto_resolved', { number: t.number });
  const resolved = await resolveTicket(deps, { id: t.id }, { system: 'auto-resolve' }, text);
  for (const op of requesterOps(resolved, noticeView(text, 'resolved'), `${t.id}:auto-resolved:${since}`)) await delivery.send(op);
  return resolved;
}

/** Closes a ticket still resolved (at the same time) once its reopen window has passed. */
export async function autoCloseResolved(deps: CoreDeps, ticketId: string, resolvedAt: number): Promise<Ticket | null> {
  const t = await deps.store.get(ticketId);
  if (!t || t.status !== 'resolved' || !t.resolvedAt || new Date(t.resolvedAt).getTime() !== resolvedAt) return null;
  return closeTicket(deps, { id: t.id }, { system: 'auto-close' });
}
