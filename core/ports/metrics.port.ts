/** Daily per-desk counters that reports read (pre-aggregated, never recomputed from tickets). */
export const ROLLUP_FIELDS = [
  'opened', 'selfServed', 'routed', 'claimed', 'escalated', 'resolved', 'reopened', 'closed',
  'csatCount', 'csatSum', 'firstResponseCount', 'firstResponseMsSum', 'resolutionCount', 'resolutionMsSum',
] as const;
export type RollupField = (typeof ROLLUP_FIELDS)[number];

export interface DailyRollup extends Record<RollupField, number> {
  deskId: string;
  /** `YYYY-MM-DD` in UTC. */
  day: string;
}

export interface MetricsStore {
  increment(deskId: string, day: string, by: Partial<Record<RollupField, number>>): Promise<void>;
  read(deskId: string, fromDay: string, toDay: string): Promise<DailyRollup[]>;
}
