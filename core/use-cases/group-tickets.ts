import type { TextSignature } from '../ports/text-signature.port.js';

/**
 * Near-identical tickets, as the storm card shows them and as an incident could take them over:
 * `key` is stable for the same wording (the representative's terms), `label` the first ticket's
 * subject, `ticketIds` in arrival order.
 */
export interface TicketGroup {
  key: string;
  label: string;
  ticketIds: string[];
}

/** How much of a ticket is compared (subject and the start of the description). */
const SIGNATURE_INPUT_MAX = 400;

/** Terms shared over terms in either: 1 for the same words, 0 for nothing in common. */
function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Groups tickets whose subject and description say nearly the same thing (term-set similarity at
 * least `minSimilarity` with the group's first ticket). Greedy and order-preserving: O(tickets ×
 * groups), meant for one card's worth of tickets. Tickets without content terms group by subject.
 */
export function groupNearIdentical(tickets: ReadonlyArray<{ id: string; subject: string; description: string }>, signature: TextSignature, minSimilarity = 0.5): TicketGroup[] {
  const groups: Array<TicketGroup & { terms: Set<string>; subject: string }> = [];
  for (const t of tickets) {
    const text = `${t.subject}\n${t.description}`.slice(0, SIGNATURE_INPUT_MAX);
    const terms = new Set(signature(text));
    const subject = t.subject.trim().toLowerCase();
    const home = groups.find((g) => (terms.size === 0 || g.terms.size === 0 ? g.subject === subject : jaccard(terms, g.terms) >= minSimilarity));
    if (home) home.ticketIds.push(t.id);
    else groups.push({ key: [...terms].sort().slice(0, 6).join('+') || `subject:${subject.slice(0, 60)}`, label: t.subject, ticketIds: [t.id], terms, subject });
  }
  return groups.map(({ key, label, ticketIds }) => ({ key, label, ticketIds }));
}
