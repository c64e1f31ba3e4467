/** A "possible incident" suggestion: similar new tickets of one desk, shown as one tier-2 card. */
export interface Spike {
  /** Derived from the first ticket of the group: the same on every replica and retry. */
  id: string;
  deskId: string;
  /** Oldest first (bounded by the spike window's scan, 500). */
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
  /** Records the incident declared from it (first writer wins); returns the stored spike. */
  markDeclared(id: string, incidentId: string): Promise<Spike | null>;
}
