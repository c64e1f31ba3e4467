import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isHelpdeskError, type ErrorCode } from '../../core/domain/errors.js';

/** An error with an HTTP status, a message safe to show and a stable code. */
export class WebError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    message: string,
    readonly code: string,
  ) {
    super(status, { message });
  }
}

export const webError = (status: ContentfulStatusCode, message: string, code = 'BAD_REQUEST'): WebError => new WebError(status, message, code);

const STATUS_BY_CODE: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  'TICKET.NOT_FOUND': 404,
  'DESK.NOT_FOUND': 404,
  'TICKET.NOT_AGENT': 403,
  'TICKET.NOT_REQUESTER': 403,
  'TICKET.ILLEGAL_TRANSITION': 409,
  'TICKET.ALREADY_CLAIMED': 409,
  'TICKET.NOT_CLAIMED': 409,
  'TICKET.ALREADY_RATED': 409,
  'TICKET.NO_HIGHER_TIER': 409,
  'TICKET.CONFLICT': 409,
  'TICKET.INVALID_RATING': 400,
  'INPUT.INVALID': 400,
  'PLATFORM.UNAVAILABLE': 503,
};

/** HTTP status, code and (for HelpdeskErrors) the stable code to localize; undefined for unexpected errors. */
export function classify(err: unknown): { status: ContentfulStatusCode; code: string; message: string } | undefined {
  if (err instanceof WebError) return { status: err.status as ContentfulStatusCode, code: err.code, message: err.message };
  if (err instanceof HTTPException) {
    // hono's csrf middleware throws a bare 403 for a form posted from another origin.
    const fallback = err.status === 403 ? 'refused: a form posted from another site (Origin check)' : 'request refused';
    return { status: err.status as ContentfulStatusCode, code: err.status === 413 ? 'TOO_LARGE' : err.status === 403 ? 'CSRF' : 'HTTP', message: err.message || fallback };
  }
  if (isHelpdeskError(err)) {
    const status = STATUS_BY_CODE[err.code];
    if (status) return { status, code: err.code, message: err.message };
  }
  return undefined;
}
