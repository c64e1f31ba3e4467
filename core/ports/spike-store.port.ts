/**
 * Most tickets one spike lists (a storm beyond that is still one card; Declare links these). Joins
 * written together may pass it by their number (at most the joins at once in one process).
 */
export const SPIKE_TICKETS_MAX = 5_000;

/** A "possible incident" suggestion: similar new tickets of one desk, shown as one tier-2 card. */
export interface Spike {
  /** Derived from the first ticket of the group: the same on every replica and retry. */
  id: string;
  deskId: string;
  /** Oldest first: the tickets that made it, then the ones that joined (at most {@link SPIKE_TICKETS_MAX}). */
  ticketIds: string[];
  windowMinutes: number;
  at: Date;
  /** Set once declared (a second click links nothing twice and declares nothing new). */
  incidentId?: string;
}

export interface SpikeStore {
  /** Stores the spike unless one with its id exists; returns the stored one. */
  create(s: Spike): Promise<Spike>;
  get(id: string): Promise<Spike | null>;
  /**
   * Adds a ticket that joined the spike (once; not past {@link SPIKE_TICKETS_MAX}; not once declared); resolves once
   * it is stored, with the stored spike, or null when it does not exist. Concurrent joins may be written together.
   */
  addTicket(id: string, ticketId: string): Promise<Spike | null>;
  /** Records the incident declared from it (first writer wins); returns the stored spike. */
  markDeclared(id: string, incidentId: string): Promise<Spike | null>;
}
