/**
 * Text signatures for "is this the same problem?" (incident absorption, spike detection): the KB
 * analyzer's content stems plus glossary concepts, so `vpn se corta`, `VPN keeps dropping` and
 * `the vpn disconnects` share terms. Bounded like a query (first 2,000 characters, 32 terms) and
 * linear in the input.
 */
import { analyze } from './analyze.js';
import { defaultGlossary, type Glossary } from './glossary.js';
import { boundQuery, MAX_QUERY_WORDS } from './query-bounds.js';

/** Distinct terms of `text`: stems and glossary concept ids (`~printer`), at most {@link MAX_QUERY_WORDS} stems. */
export function textSignature(text: string, glossary: Glossary = defaultGlossary()): string[] {
  const out = new Set<string>();
  let stems = 0;
  for (const t of analyze(boundQuery(text), glossary)) {
    if (t.stem && !out.has(t.stem)) {
      if (stems >= MAX_QUERY_WORDS) break;
      out.add(t.stem);
      stems++;
    }
    for (const c of t.concepts) out.add(c); // already `~concept`
  }
  return [...out];
}

export { signatureSimilarity } from '../core/domain/similarity.js';
