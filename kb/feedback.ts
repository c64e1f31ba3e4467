/**
 * Feedback from "This solved it" / "Didn't help": recorded per article and query, and turned into a
 * bounded ranking boost. The store is a port: core/store/kb-feedback.store.ts keeps it in MongoDB;
 * `MemoryFeedbackStore` serves the CLI and single-process local runs.
 */
import type { KbFeedback } from '../core/ports/kb.port.js';
import { stemEn } from './stem.js';
import { isStopWord } from './stopwords.js';
import { words } from './text.js';
import { cleanQuery } from './clean-query.js';
import { boundQuery, MAX_QUERY_WORDS } from './query-bounds.js';

export interface FeedbackEvent extends KbFeedback {
  /** Normalised query (sorted distinct stems) so rewordings of the same words share a tally. */
  queryKey: string;
  at: Date;
}

/** Counts for one article, either overall (`queryKey` = '') or for one normalised query. */
export interface FeedbackTally {
  articleId: string;
  queryKey: string;
  helpful: number;
  unhelpful: number;
  /** Helpful answers tied to a ticket: the ticket was resolved by self-service. */
  deflections: number;
}

export interface FeedbackStore {
  record(e: FeedbackEvent): Promise<void>;
  /** Tallies for these articles: their overall ones and the ones for `queryKey`. */
  tallies(articleIds: string[], queryKey: string, deskId?: string): Promise<FeedbackTally[]>;
  /** Overall tallies per article for reports, most helpful first. */
  report(deskId?: string): Promise<FeedbackTally[]>;
}

/** The most a feedback history can move an article's ranking score, either way. */
export const MAX_BOOST = 0.15;

/** The normalised query feedback is counted under: the sorted distinct stems search would use. */
export function queryKey(query: string): string {
  const stems = new Set<string>();
  for (const w of words(cleanQuery(boundQuery(query)))) {
    if (w.length > 1 && !isStopWord(w)) stems.add(stemEn(w));
    if (stems.size >= MAX_QUERY_WORDS) break;
  }
  return [...stems].sort().join(' ');
}

/** Smoothed net helpfulness in (-1, 1): a handful of votes moves it a little, many votes more. */
const net = (t: FeedbackTally | undefined, prior: number): number => (t ? (t.helpful - t.unhelpful) / (t.helpful + t.unhelpful + prior) : 0);

/** Boost per article: a third from its overall record, two thirds from this exact query's record. */
export function boostsFrom(tallies: FeedbackTally[], key: string): Map<string, number> {
  const overall = new Map<string, FeedbackTally>();
  const forQuery = new Map<string, FeedbackTally>();
  for (const t of tallies) (t.queryKey === '' ? overall : t.queryKey === key ? forQuery : undefined)?.set(t.articleId, t);
  const out = new Map<string, number>();
  for (const id of new Set([...overall.keys(), ...forQuery.keys()])) {
    const b = (MAX_BOOST / 3) * net(overall.get(id), 10) + ((2 * MAX_BOOST) / 3) * net(forQuery.get(id), 3);
    if (b !== 0) out.set(id, Math.max(-MAX_BOOST, Math.min(MAX_BOOST, b)));
  }
  return out;
}

/** In-process feedback store (tests of ranking, CLI, local single-process runs). */
export class MemoryFeedbackStore implements FeedbackStore {
  private readonly t = new Map<string, FeedbackTally & { deskId: string }>();
  readonly events: FeedbackEvent[] = [];

  async record(e: FeedbackEvent): Promise<void> {
    this.events.push(e);
    for (const qk of ['', e.queryKey]) {
      const k = `${e.deskId ?? ''}|${e.articleId}|${qk}`;
      const cur = this.t.get(k) ?? { deskId: e.deskId ?? '', articleId: e.articleId, queryKey: qk, helpful: 0, unhelpful: 0, deflections: 0 };
      if (e.helpful) cur.helpful++;
      else cur.unhelpful++;
      if (e.helpful && e.ticketId) cur.deflections++;
      this.t.set(k, cur);
    }
  }

  async tallies(articleIds: string[], key: string, deskId?: string): Promise<FeedbackTally[]> {
    const ids = new Set(articleIds);
    return [...this.t.values()].filter((x) => x.deskId === (deskId ?? '') && ids.has(x.articleId) && (x.queryKey === '' || x.queryKey === key));
  }

  async report(deskId?: string): Promise<FeedbackTally[]> {
    return [...this.t.values()].filter((x) => x.deskId === (deskId ?? '') && x.queryKey === '').sort((a, b) => b.helpful - a.helpful);
  }
}
