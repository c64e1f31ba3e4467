import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, self-contained tokens for links: `base64url(json claims).base64url(HMAC-SHA256)`. The
 * purpose is part of what is signed, so a token made for one kind of link (a sign-in, a rating) is
 * refused by another that shares the secret.
 */
export class SignedTokens {
  constructor(
    private readonly secret: string,
    private readonly purpose: string,
    private readonly maxLength: number,
  ) {}

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(`${this.purpose}.${body}`).digest('base64url');
  }

  seal(claims: object): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The claims as sent, once the signature holds (their fields are the caller's to check), or why not. */
  open(token: string | undefined): { ok: true; claims: unknown } | { ok: false; reason: 'malformed' | 'bad-signature' } {
    if (!token || token.length > this.maxLength) return { ok: false, reason: 'malformed' };
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.sign(body), 'base64url');
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return { ok: false, reason: 'bad-signature' };
    try {
      return { ok: true, claims: JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown };
    } catch {
      return { ok: false, reason: 'malformed' };
    }
  }
}
