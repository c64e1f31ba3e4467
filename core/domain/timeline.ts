import type { Actor } from './actor.js';
import type { Platform } from './identity.js';

export type TimelineKind = 'message' | 'note' | 'status' | 'system';

/** One entry in a ticket's history. Kept in its own collection (no unbounded arrays). */
export interface TimelineEntry {
  id: string;
  ticketId: string;
  at: Date;
  kind: TimelineKind;
  actor: Actor;
  /** `internal` entries never reach the requester. */
  visibility: 'public' | 'internal';
  text: string;
  /** Where it was written, to relay it everywhere else and to skip echoing it back. */
  source?: { platform: Platform; channel: string; thread?: string; message?: string };
  /**
   * Set when the written text was longer than the ticket keeps (core/views/text-limits.ts): its
   * original length in characters. `text` then holds the first part and the truncation marker.
   */
  clippedFrom?: number;
  /** For status entries: what happened (`claimed`, `escalated`…). */
  event?: string;
}
