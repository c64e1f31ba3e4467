/** One suggested article, best first. `score` is in [0, 1], higher is better. */
export interface KbSuggestion {
  id: string;
  title: string;
  summary: string;
  lang: string;
  category?: string;
  score: number;
  /** A link to the full article when the KB has one. */
  url?: string;
}

export interface KbFeedback {
  articleId: string;
  query: string;
  helpful: boolean;
  deskId?: string;
  ticketId?: string;
}

/** Knowledge-base search behind core (kb/ implements it). */
export interface KnowledgeBase {
  /** Up to `limit` (default 3) good articles, or none when nothing fits well enough. */
  suggest(query: string, opts?: { limit?: number; lang?: string; deskId?: string }): Promise<KbSuggestion[]>;
  recordFeedback(f: KbFeedback): Promise<void>;
  /** The article's full text (Markdown) for platforms that show it inline. */
  article?(id: string): Promise<{ id: string; title: string; body: string } | null>;
  /**
   * The analyzer's terms of a text (stems and concepts, bounded), for telling whether two requests
   * are about the same problem (incident absorption, spike detection). Without it, core matches
   * incidents by service and category only and detects no spikes.
   */
  signature?(text: string): string[];
}
