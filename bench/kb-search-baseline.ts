/** The baseline the issue names: plain fuse.js over title, tags and body with default options. */
import Fuse from 'fuse.js';
import type { Article } from '../kb/types.js';

export interface BaselineSearch {
  search: (q: string, limit?: number) => string[];
  buildMs: number;
}

export function buildBaseline(articles: Article[]): BaselineSearch {
  const t0 = performance.now();
  const fuse = new Fuse(articles, { keys: ['title', 'tags', 'body'] });
  const buildMs = performance.now() - t0;
  return { buildMs, search: (q, limit = 3) => fuse.search(q, { limit }).map((r) => r.item.id) };
}
