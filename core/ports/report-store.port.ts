import type { FactWrite, TicketFact } from '../domain/ticket-fact.js';

/** Fields a report reads from each fact (a bounded projection). */
export type ReportFact = Omit<TicketFact, 'v' | 'ticketId' | 'deskId'>;

/** Storage of ticket facts (one per ticket) and of KB answers for reports. */
export interface ReportStore {
  /** Idempotent: a snapshot older than the stored one changes nothing; flags only ever get set. */
  recordFact(w: FactWrite): Promise<void>;
  /** Facts of tickets of `deskId` created on the days `fromDay`..`toDay` (inclusive, desk time zone). */
  facts(deskId: string, fromDay: string, toDay: string): Promise<ReportFact[]>;
  /** The same facts read from the one-document-per-ticket store (the exact path the read model is checked against). */
  exactFacts(deskId: string, fromDay: string, toDay: string): Promise<ReportFact[]>;
  /** "Solved it" / "Didn't help" answers of a desk in [from, to). */
  kbAnswers(deskId: string, from: Date, to: Date): Promise<Array<{ articleId: string; helpful: boolean; at: Date }>>;
}
