import { addBusinessMinutes, businessMsBetween, subtractBusinessMinutes } from './business-hours.js';
import type { Desk } from './desk.js';
import type { Priority, SlaState, Ticket } from './ticket.js';

/** First-response and resolution deadlines for a ticket of `priority` that starts waiting at `from`. */
export function slaDeadlines(desk: Desk, priority: Priority, from: Date, prior: SlaState = {}): SlaState {
  const target = desk.sla.targets[priority];
  const next: SlaState = { ...prior };
  if (!prior.firstRespondedAt) next.firstResponseDueAt = addBusinessMinutes(from, target.firstResponseMinutes, desk.businessHours);
  next.resolutionDueAt = addBusinessMinutes(from, target.resolutionMinutes, desk.businessHours);
  return next;
}

export type SlaTargetKind = 'firstResponse' | 'resolution';

/** The deadline of one target, if it is still running (not met, not breached). */
export function runningDeadline(t: Ticket, kind: SlaTargetKind): Date | undefined {
  if (kind === 'firstResponse') return t.sla.firstRespondedAt || t.sla.firstResponseBreachedAt ? undefined : t.sla.firstResponseDueAt;
  return t.sla.resolutionBreachedAt ? undefined : t.sla.resolutionDueAt;
}

/**
 * When to warn before `due`: once `warnAtPercent` of the target has elapsed, i.e. the remaining
 * (100 − warnAtPercent) % of the target in business time before the deadline. Undefined when the
 * desk does not warn (0 or ≥ 100).
 */
export function slaWarnAt(desk: Desk, priority: Priority, kind: SlaTargetKind, due: Date): Date | undefined {
  const pct = desk.sla.warnAtPercent;
  if (!(pct > 0 && pct < 100)) return undefined;
  const target = desk.sla.targets[priority];
  const minutes = kind === 'firstResponse' ? target.firstResponseMinutes : target.resolutionMinutes;
  return subtractBusinessMinutes(due, (minutes * (100 - pct)) / 100, desk.businessHours);
}

/** Stops the clock (the ticket waits on the requester). Idempotent. */
export function pauseSla(sla: SlaState, now: Date): SlaState {
  return sla.pausedAt ? sla : { ...sla, pausedAt: now };
}

/**
 * Restarts a paused clock: each running deadline keeps the business time it had left when the
 * clock stopped, counted again from `now`. `pausedMs` accumulates wall time spent paused.
 */
export function resumeSla(desk: Desk, sla: SlaState, now: Date): SlaState {
  if (!sla.pausedAt) return sla;
  const pausedAt = new Date(sla.pausedAt);
  const shift = (due?: Date) => {
    if (!due) return due;
    const d = new Date(due);
    if (d <= pausedAt) return d; // already overdue when paused: stays overdue
    return addBusinessMinutes(now, businessMsBetween(pausedAt, d, desk.businessHours) / 60_000, desk.businessHours);
  };
  const { pausedAt: _p, ...rest } = sla;
  const next: SlaState = { ...rest, pausedMs: (sla.pausedMs ?? 0) + Math.max(0, now.getTime() - pausedAt.getTime()) };
  if (!sla.firstRespondedAt && sla.firstResponseDueAt && !sla.firstResponseBreachedAt) next.firstResponseDueAt = shift(sla.firstResponseDueAt);
  if (sla.resolutionDueAt && !sla.resolutionBreachedAt) next.resolutionDueAt = shift(sla.resolutionDueAt);
  return next;
}

/**
 * New deadlines after a priority change: each running deadline moves by the difference between the
 * two targets, in business time. Measuring from the current deadline (not from creation) keeps what
 * the ticket already had added: time paused while pending, a later start at a higher tier.
 */
export function retargetSla(desk: Desk, sla: SlaState, from: Priority, to: Priority): SlaState {
  if (from === to) return sla;
  const a = desk.sla.targets[from];
  const b = desk.sla.targets[to];
  const move = (due: Date | undefined, deltaMinutes: number) => {
    if (!due) return due;
    const d = new Date(due);
    return deltaMinutes >= 0 ? addBusinessMinutes(d, deltaMinutes, desk.businessHours) : subtractBusinessMinutes(d, -deltaMinutes, desk.businessHours);
  };
  const next: SlaState = { ...sla };
  if (!sla.firstRespondedAt && !sla.firstResponseBreachedAt && sla.firstResponseDueAt) {
    next.firstResponseDueAt = move(sla.firstResponseDueAt, b.firstResponseMinutes - a.firstResponseMinutes);
  }
  if (!sla.resolutionBreachedAt && sla.resolutionDueAt) next.resolutionDueAt = move(sla.resolutionDueAt, b.resolutionMinutes - a.resolutionMinutes);
  return next;
}
