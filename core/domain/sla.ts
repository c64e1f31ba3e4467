import { addBusinessMinutes } from './business-hours.js';
import type { Desk } from './desk.js';
import type { Priority, SlaState } from './ticket.js';

/** First-response and resolution deadlines for a ticket of `priority` that starts waiting at `from`. */
export function slaDeadlines(desk: Desk, priority: Priority, from: Date, prior: SlaState = {}): SlaState {
  const target = desk.sla.targets[priority];
  const next: SlaState = { ...prior };
  if (!prior.firstRespondedAt) next.firstResponseDueAt = addBusinessMinutes(from, target.firstResponseMinutes, desk.businessHours);
  next.resolutionDueAt = addBusinessMinutes(from, target.resolutionMinutes, desk.businessHours);
  return next;
}
