import { randomBytes } from 'node:crypto';
import { isHelpdeskError } from '../../core/domain/errors.js';
import type { Logger } from '../../core/ports/logger.port.js';
import { errorView } from '../../core/views/ticket-views.js';
import type { View } from '../../core/views/view.js';

/**
 * The one error sink of an adapter: a coded HelpdeskError becomes its localized sentence; anything
 * else is logged with a short reference id that the person also sees. Never a stack trace.
 */
export function errorReply(err: unknown, locale: string | undefined, log: Logger, context: Record<string, unknown> = {}): View {
  if (isHelpdeskError(err)) {
    log.info({ code: err.code, meta: err.meta, ...context }, 'request refused');
    return errorView(err, locale);
  }
  const ref = randomBytes(4).toString('hex');
  log.error({ err, ref, ...context }, 'request failed');
  return errorView({ code: 'INTERNAL', meta: { ref } }, locale);
}

/**
 * Runs `work`; on failure sends `errorReply` through `reply`. A failure of the reply itself is only
 * logged (the person cannot be reached then). `retry(err)` true: an uncoded error is rethrown
 * instead (the intake worker tries the request again later).
 */
export async function replyOnError(
  work: () => Promise<void>,
  reply: (view: View) => Promise<unknown>,
  opts: { locale?: string; log: Logger; context?: Record<string, unknown>; retry?: (err: unknown) => boolean },
): Promise<void> {
  try {
    await work();
  } catch (err) {
    // Processed from the durable intake: an infrastructure failure is retried there, not told to the person.
    if (!isHelpdeskError(err) && opts.retry?.(err)) throw err;
    const view = errorReply(err, opts.locale, opts.log, opts.context);
    await reply(view).catch((e: unknown) => opts.log.warn({ err: e, ...opts.context }, 'could not deliver error reply'));
  }
}
