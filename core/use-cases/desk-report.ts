import type { DailyRollup } from '../ports/metrics.port.js';

export interface DeskReport {
  deskId: string;
  from: string;
  to: string;
  opened: number;
  selfServed: number;
  /** Share of requests solved by an article (self-served / opened). */
  deflectionRate: number | null;
  routed: number;
  escalated: number;
  resolved: number;
  reopened: number;
  /** Mean wall-clock time from request to first agent response, in minutes. */
  meanFirstResponseMinutes: number | null;
  meanResolutionMinutes: number | null;
  csatCount: number;
  /** Mean satisfaction, 1–5. */
  csatMean: number | null;
  /** Requests per day, oldest first (volume). */
  perDay: Array<{ day: string; opened: number; resolved: number }>;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** Sums daily rollups into one report (pure: reports read rollups, never scan tickets). */
export function summarizeRollups(deskId: string, from: string, to: string, rows: readonly DailyRollup[]): DeskReport {
  const sum = (f: keyof DailyRollup) => rows.reduce((n, r) => n + (typeof r[f] === 'number' ? (r[f] as number) : 0), 0);
  return {
    deskId,
    from,
    to,
    opened: sum('opened'),
    selfServed: sum('selfServed'),
    deflectionRate: round(ratio(sum('selfServed'), sum('opened')), 3),
    routed: sum('routed'),
    escalated: sum('escalated'),
    resolved: sum('resolved'),
    reopened: sum('reopened'),
    meanFirstResponseMinutes: round(ratio(sum('firstResponseMsSum') / 60_000, sum('firstResponseCount'))),
    meanResolutionMinutes: round(ratio(sum('resolutionMsSum') / 60_000, sum('resolutionCount'))),
    csatCount: sum('csatCount'),
    csatMean: round(ratio(sum('csatSum'), sum('csatCount')), 2),
    perDay: rows.map((r) => ({ day: r.day, opened: r.opened, resolved: r.resolved })),
  };
}
