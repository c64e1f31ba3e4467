import { PlatformError } from '../../core/ports/chat-platform.port.js';

/** Connector answers worth retrying through the delivery queue (throttling, precondition races, gateways). */
const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'REQUEST_SEND_ERROR']);

type HeaderBag = { get?: (name: string) => string | undefined } & Record<string, unknown>;

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const v = headers[name] ?? headers[name.toLowerCase()];
  return typeof v === 'string' ? v : undefined;
}

/** `Retry-After` in seconds or as an HTTP date → milliseconds. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(value);
  return Number.isNaN(d) ? undefined : Math.max(0, d - now);
}

/**
 * Maps whatever the Bot Connector client threw (a RestError with `statusCode` and response
 * headers, or a network error) to a PlatformError the delivery queue understands.
 */
export function toPlatformError(err: unknown, what: string): PlatformError {
  if (err instanceof PlatformError) return err;
  const e = (err ?? {}) as { statusCode?: number; status?: number; code?: string; message?: string; response?: { status?: number; headers?: HeaderBag } };
  const status = e.statusCode ?? e.response?.status ?? e.status;
  if (typeof status === 'number') {
    const after = retryAfterMs(header(e.response?.headers, 'retry-after'));
    return new PlatformError(`teams ${what} failed: HTTP ${status}`, RETRYABLE.has(status), after, status, { cause: err });
  }
  const network = typeof e.code === 'string' && NETWORK.has(e.code);
  return new PlatformError(`teams ${what} failed: ${e.message ?? String(err)}`, network, undefined, undefined, { cause: err });
}
