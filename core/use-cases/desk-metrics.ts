import type { ReportFact } from '../ports/report-store.port.js';
import { PRIORITIES, type Priority } from '../domain/ticket.js';
import { daysBetween } from '../domain/ticket-fact.js';

export { daysBetween };

/** Nearest-rank percentile of an ascending list (null when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6_000) / 10);
const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
const asc = (xs: number[]) => xs.sort((a, b) => a - b);

export interface TimeStats {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export function timeStats(ms: number[]): TimeStats {
  const s = asc(ms);
  return { count: s.length, medianMinutes: minutes(percentile(s, 50)), p90Minutes: minutes(percentile(s, 90)) };
}

export interface DayPoint {
  day: string;
  total: number;
  byChannel: Record<string, number>;
  byCategory: Record<string, number>;
  byPriority: Record<string, number>;
  firstResponse: TimeStats;
  resolution: TimeStats;
}

export interface SlaRow {
  priority: Priority;
  /** Resolved or closed with neither target breached. */
  met: number;
  breached: number;
  /** Clock stopped, waiting on the requester, nothing breached yet. */
  paused: number;
  /** Still running. */
  running: number;
  /** met / (met + breached), null when none finished. */
  attainment: number | null;
}

export interface AgentRow {
  agentId: string;
  name: string;
  claimed: number;
  resolved: number;
  medianFirstResponseMinutes: number | null;
  /** Open, claimed or pending tickets assigned now (all periods). */
  currentLoad: number;
}

export interface KbGapGroup {
  /** The terms the questions share (KB analyzer stems). */
  terms: string[];
  count: number;
  noSuggestion: number;
  notHelpful: number;
  /** Up to 3 ticket subjects with their numbers. */
  examples: Array<{ number: string; question: string }>;
}

export interface ArticleRow {
  articleId: string;
  shown: number;
  helpful: number;
  notHelpful: number;
  deflected: number;
}

/** Every figure the reports page, `helpdesk report --json` and chat reports show, for one period. */
export interface DeskMetrics {
  deskId: string;
  /** First and last day, inclusive, in the desk's time zone. */
  fromDay: string;
  toDay: string;
  timezone: string;
  volume: { total: number; byChannel: Record<string, number>; byCategory: Record<string, number>; byPriority: Record<string, number> };
  /** Business time (desk calendar) from request to first response / resolution. */
  firstResponse: TimeStats;
  resolution: TimeStats;
  perDay: DayPoint[];
  sla: SlaRow[];
  /** Tickets escalated to each tier (key = tier level). */
  escalations: Record<string, number>;
  reopened: number;
  /** Reopened / tickets resolved at least once. */
  reopenRate: number | null;
  selfService: {
    /** Requests that were shown at least one article. */
    suggestionsShown: number;
    solvedIt: number;
    /** solvedIt / suggestionsShown. */
    deflectionRate: number | null;
    topDeflecting: Array<{ articleId: string; deflected: number }>;
  };
  csat: { count: number; average: number | null; distribution: Record<'1' | '2' | '3' | '4' | '5', number>; comments: Array<{ number: string; score: number; comment: string }> };
  agents: AgentRow[];
  kb: { articles: ArticleRow[]; gaps: KbGapGroup[] };
}

const bump = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

export interface MetricsInput {
  deskId: string;
  fromDay: string;
  toDay: string;
  timezone: string;
  facts: readonly ReportFact[];
  answers: ReadonlyArray<{ articleId: string; helpful: boolean }>;
  agents: ReadonlyArray<{ id: string; name: string }>;
  load: ReadonlyMap<string, number>;
  /** The KB analyzer's terms of a text (grouping of gaps); linear time, bounded input. */
  terms: (text: string) => string[];
}

/** One pass over the period's facts (pure). */
export function computeDeskMetrics(i: MetricsInput): DeskMetrics {
  const days = new Map<string, { p: DayPoint; fr: number[]; res: number[] }>();
  for (const day of daysBetween(i.fromDay, i.toDay)) {
    days.set(day, { p: { day, total: 0, byChannel: {}, byCategory: {}, byPriority: {}, firstResponse: timeStats([]), resolution: timeStats([]) }, fr: [], res: [] });
  }
  const volume = { total: 0, byChannel: {} as Record<string, number>, byCategory: {} as Record<string, number>, byPriority: {} as Record<string, number> };
  const fr: number[] = [];
  const res: number[] = [];
  const sla = new Map<Priority, SlaRow>(PRIORITIES.map((p) => [p, { priority: p, met: 0, breached: 0, paused: 0, running: 0, attainment: null }]));
  const escalations: Record<string, number> = {};
  let reopened = 0;
  let everResolved = 0;
  let shown = 0;
  let solved = 0;
  const deflecting: Record<string, number> = {};
  const articleShown: Record<string, number> = {};
  const csatDist = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let csatSum = 0;
  let csatCount = 0;
  const comments: DeskMetrics['csat']['comments'] = [];
  const agentAcc = new Map<string, { claimed: number; resolved: number; fr: number[] }>();
  const agent = (id: string) => agentAcc.get(id) ?? agentAcc.set(id, { claimed: 0, resolved: 0, fr: [] }).get(id)!;
  const gaps: Array<{ number: string; q: string; kind: 'none' | 'unhelpful' }> = [];

  for (const f of i.facts) {
    const d = days.get(f.day);
    const category = f.category || '(none)';
    volume.total++;
    bump(volume.byChannel, f.channel);
    bump(volume.byCategory, category);
    bump(volume.byPriority, f.priority);
    if (d) {
      d.p.total++;
      bump(d.p.byChannel, f.channel);
      bump(d.p.byCategory, category);
      bump(d.p.byPriority, f.priority);
      if (f.frBms !== undefined) d.fr.push(f.frBms);
      if (f.resBms !== undefined) d.res.push(f.resBms);
    }
    if (f.frBms !== undefined) fr.push(f.frBms);
    if (f.resBms !== undefined) res.push(f.resBms);
    if (f.routed) {
      const row = sla.get(f.priority);
      if (row) {
        if (f.frBreached || f.resBreached) row.breached++;
        else if (f.status === 'resolved' || f.status === 'closed') row.met++;
        else if (f.paused) row.paused++;
        else row.running++;
      }
    }
    for (const t of f.escTiers ?? []) bump(escalations, String(t));
    if (f.reopened) reopened++;
    if (f.resolvedAt || f.reopened) everResolved++;
    if (f.sa?.length) {
      shown++;
      for (const a of f.sa) bump(articleShown, a);
    }
    if (f.deflectedBy) {
      solved++;
      bump(deflecting, f.deflectedBy);
    }
    if (f.csat) {
      csatCount++;
      csatSum += f.csat;
      bump(csatDist, String(f.csat));
      if (f.csatComment) comments.push({ number: f.number, score: f.csat, comment: f.csatComment });
    }
    for (const a of f.claimers ?? []) agent(a).claimed++;
    if (f.resolver) agent(f.resolver).resolved++;
    if (f.firstResponder && f.frBms !== undefined) agent(f.firstResponder).fr.push(f.frBms);
    if (f.kbGap && f.q) gaps.push({ number: f.number, q: f.q, kind: f.kbGap });
  }

  for (const { p, fr: a, res: b } of days.values()) {
    p.firstResponse = timeStats(a);
    p.resolution = timeStats(b);
  }
  for (const row of sla.values()) row.attainment = rate(row.met, row.met + row.breached);

  const articles = new Map<string, ArticleRow>();
  const article = (id: string) => articles.get(id) ?? articles.set(id, { articleId: id, shown: 0, helpful: 0, notHelpful: 0, deflected: 0 }).get(id)!;
  for (const [id, n] of Object.entries(articleShown)) article(id).shown = n;
  for (const [id, n] of Object.entries(deflecting)) article(id).deflected = n;
  for (const a of i.answers) {
    if (a.helpful) article(a.articleId).helpful++;
    else article(a.articleId).notHelpful++;
  }

  const names = new Map(i.agents.map((a) => [a.id, a.name]));
  const agentIds = new Set([...i.agents.map((a) => a.id), ...agentAcc.keys()]);
  const agents: AgentRow[] = [...agentIds].map((id) => {
    const a = agentAcc.get(id) ?? { claimed: 0, resolved: 0, fr: [] };
    return { agentId: id, name: names.get(id) ?? id, claimed: a.claimed, resolved: a.resolved, medianFirstResponseMinutes: minutes(percentile(asc(a.fr), 50)), currentLoad: i.load.get(id) ?? 0 };
  });
  agents.sort((a, b) => b.resolved - a.resolved || b.claimed - a.claimed || (a.agentId < b.agentId ? -1 : 1));

  return {
    deskId: i.deskId,
    fromDay: i.fromDay,
    toDay: i.toDay,
    timezone: i.timezone,
    volume,
    firstResponse: timeStats(fr),
    resolution: timeStats(res),
    perDay: [...days.values()].map((d) => d.p),
    sla: [...sla.values()],
    escalations,
    reopened,
    reopenRate: rate(reopened, everResolved),
    selfService: {
      suggestionsShown: shown,
      solvedIt: solved,
      deflectionRate: rate(solved, shown),
      topDeflecting: Object.entries(deflecting).map(([articleId, deflected]) => ({ articleId, deflected })).sort((a, b) => b.deflected - a.deflected || (a.articleId < b.articleId ? -1 : 1)).slice(0, 10),
    },
    csat: { count: csatCount, average: csatCount ? Math.round((csatSum / csatCount) * 100) / 100 : null, distribution: csatDist, comments: comments.slice(-50).reverse() },
    agents,
    kb: {
      articles: [...articles.values()].sort((a, b) => b.shown - a.shown || (a.articleId < b.articleId ? -1 : 1)),
      gaps: groupGaps(gaps, i.terms),
    },
  };
}

/**
 * Groups gap questions by the terms they share: each question's key is its two terms that are most
 * frequent among all gap questions (ties by the term itself), so "vpn drops at home" and "vpn keeps
 * dropping" land together under `vpn` + `drop`. Linear in the total number of terms.
 */
export function groupGaps(gaps: ReadonlyArray<{ number: string; q: string; kind: 'none' | 'unhelpful' }>, terms: (text: string) => string[]): KbGapGroup[] {
  const termsOf = gaps.map((g) => [...new Set(terms(g.q.slice(0, 200)))].slice(0, 20));
  const df = new Map<string, number>();
  for (const ts of termsOf) for (const t of ts) df.set(t, (df.get(t) ?? 0) + 1);
  const groups = new Map<string, KbGapGroup>();
  gaps.forEach((g, idx) => {
    const ts = termsOf[idx]!;
    const top = [...ts].sort((a, b) => df.get(b)! - df.get(a)! || (a < b ? -1 : 1)).slice(0, 2);
    const shared = top.filter((t, j) => j === 0 || df.get(t)! > 1).sort();
    const k = shared.join(' ') || '(no terms)';
    const grp = groups.get(k) ?? groups.set(k, { terms: shared, count: 0, noSuggestion: 0, notHelpful: 0, examples: [] }).get(k)!;
    grp.count++;
    if (g.kind === 'none') grp.noSuggestion++;
    else grp.notHelpful++;
    if (grp.examples.length < 3) grp.examples.push({ number: g.number, question: g.q });
  });
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.terms.join() < b.terms.join() ? -1 : 1)).slice(0, 50);
}
