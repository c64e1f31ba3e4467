/**
 * The labelled knowledge-base sets the quality benches share: the six fitting sets (tuned and chosen
 * on) and kb-unseen, kb-unseen2 and kb-unseen3 (never tuned on: run only for totals at the end of a change).
 */
import { join } from 'node:path';

export interface KbSet {
  name: string;
  articles: string;
  queries: string;
  /** A fitting set (choices may be made on it); false for kb-unseen. */
  fitting: boolean;
}

/** `--dev DIR` (default `../shared/kb-dev`) from the command line. */
export function devDir(argv: readonly string[] = process.argv): string {
  const i = argv.indexOf('--dev');
  return i > 0 && argv[i + 1] ? argv[i + 1]! : '../shared/kb-dev';
}

export function kbSets(dev: string): KbSet[] {
  return [
    { name: 'kb-dev', articles: join(dev, 'articles'), queries: join(dev, 'queries.jsonl'), fitting: true },
    { name: 'kb-holdout', articles: 'kb/articles', queries: 'bench/kb-holdout/queries.jsonl', fitting: true },
    { name: 'kb-fit3', articles: 'bench/kb-fit3/articles', queries: 'bench/kb-fit3/queries.jsonl', fitting: true },
    { name: 'kb-fit4', articles: 'bench/kb-fit4/articles', queries: 'bench/kb-fit4/queries.jsonl', fitting: true },
    { name: 'kb-fit5', articles: 'bench/kb-fit5/articles', queries: 'bench/kb-fit5/queries.jsonl', fitting: true },
    { name: 'kb-fit6', articles: 'bench/kb-fit6/articles', queries: 'bench/kb-fit6/queries.jsonl', fitting: true },
    { name: 'kb-unseen', articles: 'bench/kb-unseen/articles', queries: 'bench/kb-unseen/queries.jsonl', fitting: false },
    { name: 'kb-unseen2', articles: 'bench/kb-unseen2/articles', queries: 'bench/kb-unseen2/queries.jsonl', fitting: false },
    { name: 'kb-unseen3', articles: 'bench/kb-unseen3/articles', queries: 'bench/kb-unseen3/queries.jsonl', fitting: false },
  ];
}

/**
 * The fitting sets as `[short name, articles, queries]` (`dev`, `holdout`, `fit3`…), only those named in
 * `only` when given — for the benches that look at single queries (never kb-unseen).
 */
export function fittingSetTuples(dev: string, only?: readonly string[]): Array<[string, string, string]> {
  return kbSets(dev)
    .filter((s) => s.fitting)
    .map((s): [string, string, string] => [s.name.replace(/^kb-/, ''), s.articles, s.queries])
    .filter(([name]) => !only || only.includes(name));
}
