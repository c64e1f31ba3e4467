import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality: both sides are hashed first, so neither content nor length leaks. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** `Authorization: Bearer <token>` matches `token` (scheme case-insensitive). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || header.length > 4096) return false;
  const space = header.indexOf(' ');
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'bearer') return false;
  return sameSecret(header.slice(space + 1).trim(), token);
}

/** Largest clock difference accepted between the sender's timestamp and ours. */
export const SIGNATURE_WINDOW_S = 5 * 60;

export type SignatureCheck = { ok: true; timestamp: number; signature: string } | { ok: false; reason: string };

const isDigits = (s: string) => s.length > 0 && [...s].every((c) => c >= '0' && c <= '9');
const isHex = (s: string) => [...s].every((c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));

/**
 * Verifies `X-Helpdesk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>` with
 * `X-Helpdesk-Timestamp: <unix seconds>` within 5 minutes of `nowS`. Constant-time comparison.
 */
export function verifySignature(secret: string, timestampHeader: string | undefined, signatureHeader: string | undefined, rawBody: string, nowS: number): SignatureCheck {
  const ts = (timestampHeader ?? '').trim();
  if (!ts) return { ok: false, reason: 'missing X-Helpdesk-Timestamp' };
  if (ts.length > 12 || !isDigits(ts)) return { ok: false, reason: 'X-Helpdesk-Timestamp must be unix seconds' };
  const timestamp = Number(ts);
  if (Math.abs(nowS - timestamp) > SIGNATURE_WINDOW_S) return { ok: false, reason: 'stale or future X-Helpdesk-Timestamp (5-minute window)' };
  const sig = (signatureHeader ?? '').trim().toLowerCase();
  if (!sig) return { ok: false, reason: 'missing X-Helpdesk-Signature' };
  if (!sig.startsWith('sha256=') || sig.length !== 7 + 64 || !isHex(sig.slice(7))) return { ok: false, reason: 'X-Helpdesk-Signature must be sha256=<64 hex digits>' };
  const expected = createHmac('sha256', secret).update(`${ts}.${rawBody}`).digest();
  if (!timingSafeEqual(Buffer.from(sig.slice(7), 'hex'), expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true, timestamp, signature: sig.slice(7) };
}

/** What a sender computes (docs, tests, the `helpdesk` CLI). */
export function signAlert(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}
