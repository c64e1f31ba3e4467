/** Every error code the core can raise. Adapters map codes (never messages) to localized replies. */
export const ERROR_CODES = [
  'TICKET.NOT_FOUND',
  'TICKET.ILLEGAL_TRANSITION',
  'TICKET.ALREADY_CLAIMED',
  'TICKET.NOT_CLAIMED',
  'TICKET.NOT_AGENT',
  'TICKET.NOT_REQUESTER',
  'TICKET.ALREADY_RATED',
  'TICKET.INVALID_RATING',
  'TICKET.NO_HIGHER_TIER',
  'TICKET.CONFLICT',
  'INCIDENT.NOT_FOUND',
  'INCIDENT.ILLEGAL_TRANSITION',
  'INCIDENT.NOT_AGENT',
  'INCIDENT.CONFLICT',
  'DESK.NOT_FOUND',
  'INPUT.INVALID',
  'CONFIG.INVALID',
  'PLATFORM.UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Safe, loggable facts about an error (ids, states): never secrets or message bodies. */
export type ErrorMeta = Record<string, string | number | boolean | null | undefined>;

/**
 * Base of every error the helpdesk raises on purpose. `code` is stable and machine-readable;
 * `message` is for logs; `meta` is safe to log and to interpolate into the user's reply.
 */
export class HelpdeskError extends Error {
  override name = 'HelpdeskError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly meta: ErrorMeta = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  /** Errors a retry cannot fix (jobs map them to BullMQ's UnrecoverableError). */
  get retryable(): boolean {
    return this.code === 'TICKET.CONFLICT' || this.code === 'INCIDENT.CONFLICT' || this.code === 'PLATFORM.UNAVAILABLE' || this.code === 'INTERNAL';
  }
}

export const isHelpdeskError = (e: unknown): e is HelpdeskError => e instanceof HelpdeskError;
