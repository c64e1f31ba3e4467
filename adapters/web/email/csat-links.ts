import { createHmac, timingSafeEqual } from 'node:crypto';

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

const MAX_TOKEN = 400;

/**
 * One-click CSAT links: `base64url(json claims).base64url(HMAC-SHA256)`, expiring. Not single use:
 * recording is idempotent instead (one event id per ticket, and core accepts one rating per ticket),
 * so a mail scanner that follows the link changes nothing, and neither does a second click.
 */
export class CsatLinks {
  constructor(
    private readonly secret: string,
    /** @defaultValue 30 days */
    readonly ttlMs = 30 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {
    if (secret.length < 32) throw new Error('CSAT link secret: at least 32 characters');
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(`csat.${body}`).digest('base64url');
  }

  token(ticketId: string, score: number, ttlMs = this.ttlMs): string {
    const body = Buffer.from(JSON.stringify({ t: ticketId, s: score, e: this.now() + ttlMs } satisfies CsatClaims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** `<base>/rate?t=…` (`&lang=es` for Spanish tickets, so the page speaks the ticket's language). */
  url(base: string, ticketId: string, score: number, locale?: string): string {
    const lang = locale?.toLowerCase().startsWith('es') ? '&lang=es' : '';
    return `${base}/rate?t=${this.token(ticketId, score)}${lang}`;
  }

  verify(token: string | undefined): CsatCheck {
    if (!token || token.length > MAX_TOKEN) return { ok: false, reason: 'malformed' };
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.sign(body), 'base64url');
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return { ok: false, reason: 'bad-signature' };
    let c: CsatClaims;
    try {
      c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CsatClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof c.t !== 'string' || c.t.length > 100 || !Number.isInteger(c.s) || c.s < 1 || c.s > 5 || typeof c.e !== 'number') return { ok: false, reason: 'malformed' };
    if (c.e <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: c };
  }
}
