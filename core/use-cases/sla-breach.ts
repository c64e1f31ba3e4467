import { maxTier, tierOf, type Desk } from '../domain/desk.js';
import { isHelpdeskError } from '../domain/errors.js';
import { runningDeadline, type SlaTargetKind } from '../domain/sla.js';
import { ACTIVE_STATUSES, type SlaState, type Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import type { Delivery, DeliveryOp } from '../ports/delivery.port.js';
import { noticeView } from '../views/ticket-views.js';
import type { View } from '../views/view.js';
import type { CoreDeps } from './deps.js';
import { escalateTicket } from './escalate-ticket.js';

/** One SLA timer as the scheduler set it. `dueAt` (epoch ms) is the deadline it was set for. */
export interface SlaTimer {
  ticketId: string;
  target: SlaTargetKind;
  stage: 'warn' | 'breach';
  dueAt: number;
  /** The ticket's tier when the timer was set: automatic escalation only moves it from there. */
  tier: number;
  /**
   * The ticket as it was when the timer was set (or last refreshed), if the timer carries it: a
   * breach that escalates tries its compare-and-set on that version without reading the ticket
   * first. A version that moved since only loses that race, and the ticket is read and decided on
   * as it is now (exactly as without it).
   */
  known?: Ticket;
}

export type SlaTimerOutcome =
  | { outcome: 'stale' }
  /** `after`: the ticket as the warning left it (the next step's timer carries it: `SlaTimer.known`). */
  | { outcome: 'warned'; after?: Ticket }
  | { outcome: 'breached'; firstTime: boolean; escalated: boolean; lateMs: number; ticket: { deskId: string; number: string } };

/** A timer's copy of the ticket is tried only this long after its write (write guards are pruned after a day: app/runtime.ts). */
const COPY_TRUSTED_MS = 20 * 3600_000;
const BREACH_FIELD = { firstResponse: 'firstResponseBreachedAt', resolution: 'resolutionBreachedAt' } as const;
const DUE_FIELD = { firstResponse: 'firstResponseDueAt', resolution: 'resolutionDueAt' } as const;
const ms = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).getTime());

/** Is the timer still about the ticket as it is now? (Deadline unchanged, clock running, target open.) */
function current(t: Ticket | null, timer: SlaTimer): t is Ticket {
  if (!t || !ACTIVE_STATUSES.includes(t.status) || t.sla.pausedAt) return false;
  if (ms(t.sla[DUE_FIELD[timer.target]]) !== timer.dueAt) return false;
  if (timer.target === 'firstResponse' && t.sla.firstRespondedAt) return false;
  // A warning after the breach is pointless; a breach already recorded may still need its escalation.
  return timer.stage === 'breach' || runningDeadline(t, timer.target) !== undefined;
}

/**
 * Handles an SLA timer firing. Timers are at-least-once and may be stale (the deadline moved, the
 * ticket was resolved or paused): the ticket is re-read and a stale timer does nothing.
 * A warning notifies the assignee (or the tier channel). A breach is recorded on the ticket once
 * (compare-and-set on the version) and, if the desk says so, escalates with `expectTier` so that
 * two workers, or a retry after a crash, escalate exactly once. When both happen they are one write
 * (the escalation records the breach); a breach already recorded only escalates.
 */
export async function handleSlaTimer(deps: CoreDeps, delivery: Delivery, timer: SlaTimer): Promise<SlaTimerOutcome> {
  // A breach that would escalate the ticket as the timer knows it starts from that copy, not a read:
  // the escalation's compare-and-set on its version is the check (a moved version → read, decide again).
  const snap = timer.known?.id === timer.ticketId && timer.stage === 'breach' ? timer.known : undefined;
  // Not a copy written more than COPY_TRUSTED_MS ago: a version moved since then may have lost its write
  // guard to pruning, and a trial would then win the guard and send a write that matches nothing.
  const young = snap !== undefined && deps.clock.now().getTime() - new Date(snap.updatedAt).getTime() < COPY_TRUSTED_MS;
  const fromSnap = young && current(snap, timer) && !snap.sla[BREACH_FIELD[timer.target]] && escalates(deps.directory.desk(snap.deskId), snap, timer);
  let t = fromSnap ? snap : await deps.store.get(timer.ticketId);
  if (!current(t, timer)) return { outcome: 'stale' };
  const desk = deps.directory.desk(t.deskId);
  const tr = translator(desk.locale, desk.locale);
  const target = tr(timer.target === 'firstResponse' ? 'sla.first_response' : 'sla.resolution');
  const keyBase = `${t.id}:sla:${timer.target}:${timer.stage}:${timer.dueAt}`;

  if (timer.stage === 'warn') {
    const due = new Intl.DateTimeFormat(desk.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: desk.businessHours.timezone }).format(new Date(timer.dueAt));
    const view = noticeView(tr('notify.sla_warning', { number: t.number, target, due }), 'pending');
    for (const op of staffNotice(t, desk, view, keyBase)) await delivery.send(op);
    const r = await setSla(deps, t, (s) => (s.warnedAt ? null : { ...s, warnedAt: deps.clock.now() }));
    return { outcome: 'warned', ...(r.ticket ? { after: r.ticket } : {}) };
  }

  const now = deps.clock.now();
  const field = BREACH_FIELD[timer.target];
  const canEscalate = (x: Ticket) => escalates(desk, x, timer);
  if (!t.sla[field] && canEscalate(t)) {
    // The breach and the escalation it causes in one compare-and-set: the escalation's write also
    // records the breach (its event's `before` carries it, as two writes did), instead of a breach
    // write and then an escalation write. A duplicate or a retry finds the ticket at the next tier.
    const reason = tr('notify.sla_breached', { number: t.number, target });
    let firstTime = false;
    let escalated: Ticket | null = null;
    try {
      escalated = await escalateTicket(deps, { id: t.id }, { system: 'sla-breach' }, reason, {
        expectTier: timer.tier,
        known: t,
        ...(t === snap ? { knownMayBeOld: true } : {}),
        only: (x) => current(x, timer),
        stamp: (x) => {
          firstTime = !x.sla[field]; // the winning attempt's value is the one returned
          return firstTime ? { sla: { ...x.sla, [field]: now } } : null;
        },
      });
    } catch (e) {
      if (!(isHelpdeskError(e) && ['TICKET.ILLEGAL_TRANSITION', 'TICKET.NO_HIGHER_TIER'].includes(e.code))) throw e;
    }
    if (escalated) {
      if (firstTime) await breachEntry(deps, t.id, now, reason);
      return { outcome: 'breached', firstTime, escalated: true, lateMs: now.getTime() - timer.dueAt, ticket: { deskId: t.deskId, number: t.number } };
    }
    // Not escalated here (another worker did, or the ticket changed meanwhile): decide again on the
    // ticket as it is now, as below.
    t = await deps.store.get(timer.ticketId);
    if (!current(t, timer)) return { outcome: 'stale' };
  }
  let firstTime = false;
  if (!t.sla[field]) {
    const r = await setSla(deps, t, (s, fresh) => (s[field] || !current(fresh, timer) ? null : { ...s, [field]: now }));
    firstTime = r.changed;
    if (!r.ticket || !current(r.ticket, timer)) return { outcome: 'stale' };
    t = r.ticket;
  }
  const reason = tr('notify.sla_breached', { number: t.number, target });
  if (firstTime) await breachEntry(deps, t.id, now, reason);
  let escalated = false;
  if (canEscalate(t)) {
    try {
      escalated = (await escalateTicket(deps, { id: t.id }, { system: 'sla-breach' }, reason, { expectTier: timer.tier, known: t })) !== null;
    } catch (e) {
      // Resolved or closed meanwhile, or already at the top: the breach stays recorded, nothing to move.
      if (!(isHelpdeskError(e) && ['TICKET.ILLEGAL_TRANSITION', 'TICKET.NO_HIGHER_TIER'].includes(e.code))) throw e;
    }
  } else if (!desk.sla.escalateOnBreach || timer.tier >= maxTier(desk)) {
    for (const op of staffNotice(t, desk, noticeView(reason, 'escalated'), keyBase)) await delivery.send(op);
  }
  return { outcome: 'breached', firstTime, escalated, lateMs: now.getTime() - timer.dueAt, ticket: { deskId: t.deskId, number: t.number } };
}

/** Does a breach of this timer escalate the ticket (the desk escalates on breach, from the timer's tier, below the top)? */
const escalates = (desk: Desk, x: Ticket, timer: SlaTimer) => desk.sla.escalateOnBreach && x.tier === timer.tier && timer.tier < maxTier(desk);

/** The internal timeline entry of a breach, written once by whoever recorded it. */
async function breachEntry(deps: CoreDeps, ticketId: string, at: Date, reason: string): Promise<void> {
  await deps.store.appendTimeline({ ticketId, at, kind: 'system', actor: { kind: 'system', reason: 'sla-breach' }, visibility: 'internal', text: reason, event: 'sla_breach' });
}

/**
 * A notice for the people working the ticket: the assignee privately, else the tier's channels
 * (in the ticket card's thread where there is one).
 */
export function staffNotice(t: Ticket, desk: Desk, view: View, key: string): DeliveryOp[] {
  if (t.assignee) return [{ kind: 'dm', key: `${key}:assignee`, platform: t.assignee.platform, person: t.assignee, view, ticketId: t.id }];
  const tier = tierOf(desk, t.tier);
  if (!tier) return [];
  return Object.entries(tier.channels).map(([platform, ch]) => {
    const card = t.links.find((l) => l.role === 'triage' && l.platform === platform && (l.tier ?? 1) === t.tier && l.message);
    return {
      kind: 'post' as const,
      key: `${key}:tier:${platform}`,
      platform: platform as Ticket['requester']['platform'],
      target: { workspace: ch!.workspace, channel: card?.channel ?? ch!.channel, thread: card ? (card.thread ?? card.message) : undefined, data: card?.data },
      view,
      ticketId: t.id,
    };
  });
}

/**
 * Compare-and-set of `ticket.sla`: `change` returns the new state or null for "nothing to do".
 * Retries on version races with the fresh ticket. No event is emitted (timers are not ticket changes).
 */
export async function setSla(
  deps: Pick<CoreDeps, 'store' | 'clock'>,
  t: Ticket,
  change: (s: SlaState, fresh: Ticket) => SlaState | null,
): Promise<{ ticket: Ticket | null; changed: boolean }> {
  let cur: Ticket | null = t;
  for (let i = 0; i < 20 && cur; i++) {
    const next = change(cur.sla, cur);
    if (!next) return { ticket: cur, changed: false };
    const updated = await deps.store.update(cur.id, cur.version, { sla: next }, deps.clock.now(), cur);
    if (updated) return { ticket: updated, changed: true };
    await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
    cur = await deps.store.get(t.id);
  }
  return { ticket: cur, changed: false };
}
