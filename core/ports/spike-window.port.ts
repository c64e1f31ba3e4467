/** One new ticket as the spike detector sees it. */
export interface SpikeObservation {
  deskId: string;
  ticketId: string;
  /** `KnowledgeBase.signature` of its subject and text. */
  signature: string[];
  windowMs: number;
  /** Similarity (0–1, Dice over signatures) at which two tickets count as the same problem. */
  minSimilarity: number;
  /** How many similar tickets (this one included) make a spike. */
  threshold: number;
}

/**
 * The recent new tickets of each desk, shared by every replica (Redis). `observe` records a ticket
 * and, in the same atomic step, finds the recent tickets similar to it that no earlier spike took:
 * when they reach the threshold it claims them and returns their ids (oldest first) — so one group
 * of similar tickets yields exactly one spike, whatever the number of replicas — else null.
 */
export interface SpikeWindow {
  observe(o: SpikeObservation): Promise<string[] | null>;
  /** Takes tickets out of future spikes (they were linked to an incident). */
  forget(deskId: string, ticketIds: readonly string[]): Promise<void>;
}
