import { UnrecoverableError } from 'bullmq';
import { isHelpdeskError } from '../core/domain/errors.js';

/** Codes meaning "the ticket moved on": the job's work is moot, not failed. */
const MOOT = new Set(['TICKET.ILLEGAL_TRANSITION', 'TICKET.ALREADY_CLAIMED', 'TICKET.NOT_FOUND', 'TICKET.NO_HIGHER_TIER', 'INCIDENT.ILLEGAL_TRANSITION', 'INCIDENT.NOT_FOUND']);

/**
 * Runs a processor body and maps core's errors for BullMQ: moot ones complete the job as skipped,
 * other non-retryable ones become UnrecoverableError (failed at once, kept for inspection),
 * everything else is retried with backoff.
 */
export async function classified<T>(fn: () => Promise<T>): Promise<T | 'moot'> {
  try {
    return await fn();
  } catch (e) {
    if (isHelpdeskError(e)) {
      if (MOOT.has(e.code)) return 'moot';
      if (!e.retryable) throw new UnrecoverableError(`${e.code}: ${e.message}`);
    }
    throw e;
  }
}
