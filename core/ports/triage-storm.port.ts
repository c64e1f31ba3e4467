import type { Platform } from '../domain/identity.js';
import type { TicketStatus } from '../domain/ticket.js';
import type { Posted } from './chat-platform.port.js';

/** One tier channel of a desk on one platform: where triage cards go. */
export interface TriageChannel {
  platform: Platform;
  workspace: string;
  channel: string;
  deskId: string;
  tier: number;
}

/**
 * What to do with a new ticket's triage card in a channel: post its own card, or list it on the
 * channel's storm card (the posting backlog would delay a card beyond the threshold). `gen` keys the
 * storm card's next render (see {@link TriageStorm.beginFlush}).
 */
export type StormAdmission = ({ mode: 'card' } | { mode: 'storm'; cardId: string; gen: number }) & {
  /** A storm card this admission closed (full, or the storm ended): render it once more as complete. */
  closed?: { cardId: string; gen: number };
};

/**
 * What a storm card shows of a ticket, kept with the card's state so a render reads no database:
 * written when the ticket joins and on every later change (a newer `version` wins).
 */
export interface StormTicket {
  id: string;
  number: string;
  subject: string;
  /** The start of the description (what grouping compares). */
  description: string;
  status: TicketStatus;
  tier: number;
  /** Who has it, by name. */
  assignee?: string;
  version: number;
}

/** A storm card: one "N new tickets" message per channel, edited in place. */
export interface StormCard {
  id: string;
  channel: TriageChannel;
  /** Where it was posted, once it was. */
  posted?: Posted;
  /** Tickets listed on it, in the order they arrived. */
  ticketIds: string[];
  /** Their summaries as last recorded (same order; a ticket without one is left out). */
  tickets: StormTicket[];
  /** No more tickets join it (capacity reached, or the storm ended); it is still edited on changes. */
  closed: boolean;
}

/**
 * The storm-aware triage decision and the storm cards' state, shared by every replica (jobs/
 * implements it in Redis, atomically). Core decides nothing about platforms here: the backlog
 * estimate comes from the delivery queue's per-channel reservations.
 */
export interface TriageStorm {
  /**
   * Decides a new (or newly escalated, `ch.tier` ≥ 2) ticket's card in `ch`. Idempotent per (ticket, channel): a replayed event gets the
   * same decision (and, in storm mode, the card's current render generation). `cardKey` is the
   * delivery key of the card it would post: a `card` decision reserves that card's posting slot in
   * the same atomic step, so concurrent admissions cannot all slip under the threshold.
   */
  admit(ch: TriageChannel, ticket: StormTicket, cardKey: string): Promise<StormAdmission>;
  /**
   * A listed ticket changed: records its summary on every storm card listing it (unless a newer one
   * is there) and returns those cards, each with the generation that keys its next render.
   */
  changed(ticket: StormTicket): Promise<Array<{ cardId: string; gen: number; channel: TriageChannel }>>;
  /** A new render of the card is wanted (a listed ticket changed): the generation to key it by. */
  touch(cardId: string): Promise<number>;
  /**
   * Starts a render: advances the generation (changes after this point get a new render job) and
   * takes the card's render lock for `holdMs`. `locked: false` when another render holds it.
   */
  beginFlush(cardId: string, holdMs: number): Promise<{ card: StormCard; gen: number; locked: boolean } | null>;
  /** Records where the card was posted (first render). */
  setPosted(cardId: string, posted: Posted): Promise<void>;
  /** Releases the render lock. */
  endFlush(cardId: string): Promise<void>;
  /** Storm cards still taking tickets (every desk, or one), newest first: for consoles and incidents. */
  openCards(deskId?: string): Promise<StormCard[]>;
}
