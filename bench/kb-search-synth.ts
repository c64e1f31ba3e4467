/**
 * Synthesises a large knowledge base from real articles: each synthetic article keeps the shape of a
 * real one (title, tags, sections) but mixes lines from two other articles of the same language and
 * adds made-up product and system names, so the vocabulary grows the way a real knowledge base's does.
 * Deterministic (seeded), so every run measures the same corpus.
 */
import type { Article } from '../kb/types.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYL = ['ka', 'lo', 'mi', 'tra', 'ven', 'dor', 'qui', 'sel', 'pan', 'rix', 'zu', 'no', 'bel', 'gar', 'fen', 'tos', 'lia', 'mar', 'cor', 'vex'];

export function synthesize(real: Article[], n: number, seed = 42): Article[] {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const names = Array.from({ length: Math.max(2000, Math.floor(n / 2)) }, () => {
    const k = 2 + Math.floor(rand() * 3);
    return Array.from({ length: k }, () => pick(SYL)).join('') + (rand() < 0.3 ? String(Math.floor(rand() * 100)) : '');
  });
  const byLang = new Map<string, Article[]>();
  for (const a of real) byLang.set(a.lang, [...(byLang.get(a.lang) ?? []), a]);
  const lines = (a: Article): string[] => a.body.split('\n').filter((l) => l.trim());
  const out: Article[] = [];
  for (let i = 0; i < n; i++) {
    const base = real[i % real.length]!;
    const peers = byLang.get(base.lang) ?? real;
    const [o1, o2] = [pick(peers), pick(peers)];
    const mine = lines(base);
    const other = [...lines(o1), ...lines(o2)];
    const body: string[] = [];
    for (const l of mine) {
      body.push(rand() < 0.35 && !l.startsWith('#') ? pick(other) : l);
      if (rand() < 0.1) body.push(`${pick(names)} ${pick(names)}: ${pick(other).replace(/^[-#\d.\s]+/, '')}`);
    }
    const product = pick(names);
    out.push({
      ...base,
      id: `${base.id}-${i}`,
      title: `${base.title} (${product})`,
      tags: [...base.tags.slice(0, 3), product],
      summary: base.summary,
      body: `${body.join('\n')}\n\nApplies to ${product} and ${pick(names)}.`,
      source: `synthetic:${i}`,
    });
  }
  return out;
}
