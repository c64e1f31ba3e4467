/** Comparing the KB analyzer's text signatures (`KnowledgeBase.signature`): pure, linear. */

/**
 * How alike two signatures are, in [0, 1]: the Dice coefficient 2·|A∩B| / (|A|+|B|); 0 when either
 * is empty. One shared word between two one-word texts is 1; a shared word in two long texts is low.
 */
export function signatureSimilarity(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  const set = new Set(b);
  let shared = 0;
  for (const t of new Set(a)) if (set.has(t)) shared++;
  return (2 * shared) / (new Set(a).size + set.size);
}
