/** One knowledge-base article, as loaded from a Markdown file or from the database. */
export interface Article {
  id: string;
  title: string;
  /** `en`, `es`… (`und` when the front matter does not say). */
  lang: string;
  category?: string;
  tags: string[];
  /** From the front matter, or derived from the body's first paragraph. */
  summary: string;
  /** Markdown body without the front matter. */
  body: string;
  /** Where it came from: a file path, or `db:<id>` for ticket-saved articles. */
  source: string;
}

/** A file the loader skipped, with the reason. */
export interface LoadIssue {
  path: string;
  reason: string;
}

export interface LoadResult {
  articles: Article[];
  issues: LoadIssue[];
}
