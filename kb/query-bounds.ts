/**
 * How much of a text is analysed as a query. A help request may be 40,000 characters (a pasted log);
 * searching all of it would block the event loop for tens of milliseconds or more, and what it is
 * about is said at the start. Search (`search.ts`) and the feedback key (`feedback.ts`) both apply
 * these bounds, so a long request and its first lines are the same query.
 */

/** Characters of the raw text that are cleaned and analysed. @defaultValue 2,000 */
export const MAX_QUERY_CHARS = 2_000;

/** Distinct content words (query units) kept from those characters, in order. @defaultValue 32 */
export const MAX_QUERY_WORDS = 32;

/**
 * Unknown words looked up as typos per query (the costliest step per word); later unknown words
 * count as unknown. A person's question has a few typos, not dozens. @defaultValue 8
 */
export const MAX_TYPO_LOOKUPS = 8;

/** The first {@link MAX_QUERY_CHARS} characters of `query`, never ending in half a surrogate pair. */
export function boundQuery(query: string): string {
  if (query.length <= MAX_QUERY_CHARS) return query;
  const end = MAX_QUERY_CHARS;
  const code = query.charCodeAt(end - 1);
  return query.slice(0, code >= 0xd800 && code <= 0xdbff ? end - 1 : end);
}
