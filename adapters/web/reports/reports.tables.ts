import type { DeskMetrics } from '../../../core/use-cases/desk-metrics.js';

export type Cell = string | number | null;
export interface Table {
  header: string[];
  rows: Cell[][];
}

export const TABLES = ['volume', 'times', 'sla', 'escalations', 'self_service', 'csat', 'comments', 'agents', 'kb_gaps', 'kb_articles', 'comparison'] as const;
export type TableName = (typeof TABLES)[number];
export const isTableName = (s: string): s is TableName => (TABLES as readonly string[]).includes(s);

/** The keys a split (channel, category, priority) takes over the period, in order of volume. */
export const splitKeys = (m: Record<string, number>): string[] => Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);

/** The headline figures of a period (what the comparison and the chat report show). */
export function headline(m: DeskMetrics): Array<[string, number | null]> {
  const finished = m.sla.reduce((n, r) => n + r.met + r.breached, 0);
  const met = m.sla.reduce((n, r) => n + r.met, 0);
  return [
    ['tickets', m.volume.total],
    ['first_response_median_min', m.firstResponse.medianMinutes],
    ['first_response_p90_min', m.firstResponse.p90Minutes],
    ['resolution_median_min', m.resolution.medianMinutes],
    ['resolution_p90_min', m.resolution.p90Minutes],
    ['sla_attainment', finished ? Math.round((met / finished) * 1000) / 1000 : null],
    ['escalated', Object.values(m.escalations).reduce((a, b) => a + b, 0)],
    ['reopen_rate', m.reopenRate],
    ['deflection_rate', m.selfService.deflectionRate],
    ['csat_average', m.csat.average],
  ];
}

/**
 * Every table of the reports page as rows (the page renders them; `?table=` exports one as CSV).
 * `agents` only when the viewer leads the desk.
 */
export function reportTables(m: DeskMetrics, prev: DeskMetrics, showAgents: boolean): Partial<Record<TableName, Table>> {
  const ch = splitKeys(m.volume.byChannel);
  const cat = splitKeys(m.volume.byCategory);
  const pr = splitKeys(m.volume.byPriority);
  const t: Partial<Record<TableName, Table>> = {
    volume: {
      header: ['day', 'total', ...ch.map((k) => `channel:${k}`), ...cat.map((k) => `category:${k}`), ...pr.map((k) => `priority:${k}`)],
      rows: m.perDay.map((d) => [d.day, d.total, ...ch.map((k) => d.byChannel[k] ?? 0), ...cat.map((k) => d.byCategory[k] ?? 0), ...pr.map((k) => d.byPriority[k] ?? 0)]),
    },
    times: {
      header: ['day', 'first_response_count', 'first_response_median_min', 'first_response_p90_min', 'resolution_count', 'resolution_median_min', 'resolution_p90_min'],
      rows: m.perDay.map((d) => [d.day, d.firstResponse.count, d.firstResponse.medianMinutes, d.firstResponse.p90Minutes, d.resolution.count, d.resolution.medianMinutes, d.resolution.p90Minutes]),
    },
    sla: { header: ['priority', 'met', 'breached', 'paused', 'running', 'attainment'], rows: m.sla.map((r) => [r.priority, r.met, r.breached, r.paused, r.running, r.attainment]) },
    escalations: { header: ['tier', 'tickets'], rows: Object.entries(m.escalations).sort().map(([k, n]) => [Number(k), n]) },
    self_service: {
      header: ['article', 'deflected'],
      rows: m.selfService.topDeflecting.map((a) => [a.articleId, a.deflected]),
    },
    csat: { header: ['score', 'ratings'], rows: (['1', '2', '3', '4', '5'] as const).map((k) => [Number(k), m.csat.distribution[k]]) },
    comments: { header: ['ticket', 'score', 'comment'], rows: m.csat.comments.map((c) => [c.number, c.score, c.comment]) },
    kb_gaps: {
      header: ['terms', 'questions', 'no_suggestion', 'not_helpful', 'examples'],
      rows: m.kb.gaps.map((g) => [g.terms.join(' '), g.count, g.noSuggestion, g.notHelpful, g.examples.map((e) => `${e.number}: ${e.question}`).join(' | ')]),
    },
    kb_articles: { header: ['article', 'shown', 'helpful', 'not_helpful', 'deflected'], rows: m.kb.articles.map((a) => [a.articleId, a.shown, a.helpful, a.notHelpful, a.deflected]) },
    comparison: (() => {
      const before = new Map(headline(prev));
      return {
        header: ['figure', `${m.fromDay}..${m.toDay}`, `${prev.fromDay}..${prev.toDay}`, 'change'],
        rows: headline(m).map(([k, v]) => {
          const p = before.get(k) ?? null;
          return [k, v, p, v !== null && p !== null ? Math.round((v - p) * 1000) / 1000 : null];
        }),
      };
    })(),
  };
  if (showAgents) {
    t.agents = { header: ['agent', 'name', 'claimed', 'resolved', 'median_first_response_min', 'current_load'], rows: m.agents.map((a) => [a.agentId, a.name, a.claimed, a.resolved, a.medianFirstResponseMinutes, a.currentLoad]) };
  }
  return t;
}

/**
 * RFC 4180 CSV: every field quoted when it holds a quote, comma or line break; text that a
 * spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`.
 */
export function toCsv(t: Table): string {
  const cell = (v: Cell): string => {
    if (v === null) return '';
    if (typeof v === 'number') return String(v);
    let s = v;
    if (s.length && '=+-@\t\r'.includes(s[0]!)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [t.header, ...t.rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
