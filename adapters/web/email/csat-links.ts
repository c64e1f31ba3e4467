import { SignedTokens } from '../security/signed-token.js';

/** What a one-click rating link carries. */
export interface CsatClaims {
  /** Ticket id. */
  t: string;
  /** Score 1–5. */
  s: number;
  /** Expiry, ms since epoch. */
  e: number;
}

export type CsatCheck = { ok: true; claims: CsatClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/**
 * One-click CSAT links: `base64url(json claims).base64url(HMAC-SHA256)`, expiring. Not single use:
 * recording is idempotent instead (one event id per ticket, and core accepts one rating per ticket),
 * so a mail scanner that follows the link changes nothing, and neither does a second click.
 */
export class CsatLinks {
  private readonly tokens: SignedTokens;
  constructor(
    secret: string,
    /** @defaultValue 30 days */
    readonly ttlMs = 30 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 32) throw new Error('CSAT link secret: at least 32 characters');
    this.tokens = new SignedTokens(secret, 'csat', 400);
  }

  token(ticketId: string, score: number, ttlMs = this.ttlMs): string {
    return this.tokens.seal({ t: ticketId, s: score, e: this.now() + ttlMs } satisfies CsatClaims);
  }

  /** `<base>/rate?t=…` (`&lang=es` for Spanish tickets, so the page speaks the ticket's language). */
  url(base: string, ticketId: string, score: number, locale?: string): string {
    const lang = locale?.toLowerCase().startsWith('es') ? '&lang=es' : '';
    return `${base}/rate?t=${this.token(ticketId, score)}${lang}`;
  }

  verify(token: string | undefined): CsatCheck {
    const opened = this.tokens.open(token);
    if (!opened.ok) return opened;
    const c = opened.claims as CsatClaims;
    if (typeof c.t !== 'string' || c.t.length > 100 || !Number.isInteger(c.s) || c.s < 1 || c.s > 5 || typeof c.e !== 'number') return { ok: false, reason: 'malformed' };
    if (c.e <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: c };
  }
}
