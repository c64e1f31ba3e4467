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
 * What observing a ticket decided: a new spike of these tickets (oldest first), or the ticket joins
 * the spike whose first ticket is `firstTicketId` (it is similar to a ticket that spike took).
 * A join hands out at most one render of the spike's card per `renderInMs` period across replicas:
 * `renderInMs` (≥ 0) asks this caller to re-render the card then; `renderAt` (epoch ms, window's
 * clock) grows with each render of a spike: its version. Absent, a render already due shows this ticket too.
 */
export type SpikeObserved = { kind: 'new'; ticketIds: string[] } | { kind: 'join'; firstTicketId: string; renderInMs?: number; renderAt?: number };

/**
 * The recent new tickets of each desk, shared by every replica (Redis). `observe` records a ticket
 * and, in the same atomic step, either joins it to a still-open spike it is similar to, or finds the
 * recent tickets similar to it that no spike took: when they reach the threshold it claims them and
 * returns them — so one storm of similar tickets yields exactly one spike, whatever the number of
 * replicas — else null.
 */
export interface SpikeWindow {
  observe(o: SpikeObservation): Promise<SpikeObserved | null>;
  /** Takes tickets out of future spikes and joins (they were linked to an incident). */
  forget(deskId: string, ticketIds: readonly string[]): Promise<void>;
}

/**
 * Durable, delayed renders of a spike's card (the count edit a join was handed): queued in Redis
 * (jobs/ implements it as a delayed automation job, one per spike and version), so whichever worker
 * takes it does the edit, even when the replica that saw the join stops first.
 */
export interface SpikeRenders {
  /** Re-render the card of `spikeId` at `version` (the window's render time) `delayMs` from now. */
  later(spikeId: string, delayMs: number, version: number): Promise<void>;
}
