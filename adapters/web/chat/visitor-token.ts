import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Who a web visitor is: an anonymous visitor of one desk (name + email), or a signed-in person. */
export interface Visitor {
  /** Stable random id: the web identity's `user`. */
  id: string;
  desk: string;
  name: string;
  email?: string;
  /** Seconds since the epoch when issued. */
  iat: number;
}

const payloadSchema = z.object({ v: z.string().min(8).max(64), d: z.string().min(1).max(64), n: z.string().min(1).max(80), e: z.string().max(254).optional(), iat: z.number().int() }).strict();

/** Longest token accepted (checked before any decoding). */
export const MAX_TOKEN_LENGTH = 1024;

/**
 * Signed visitor tokens: `base64url(json).base64url(HMAC-SHA256)`. The full page keeps one in an
 * httpOnly cookie; the widget on another origin keeps it in localStorage and sends it as a header.
 * Tokens expire after `maxAgeDays`; the secret is shared by every web replica.
 */
export class VisitorTokens {
  constructor(private readonly secret: string, private readonly maxAgeDays = 30, private readonly now: () => number = () => Date.now()) {
    if (secret.length < 16) throw new Error('visitor token secret must be at least 16 characters');
  }

  issue(v: { desk: string; name: string; email?: string; id?: string }): { token: string; visitor: Visitor } {
    const visitor: Visitor = { id: v.id ?? `v${randomBytes(12).toString('hex')}`, desk: v.desk, name: v.name, ...(v.email ? { email: v.email } : {}), iat: Math.floor(this.now() / 1000) };
    const body = Buffer.from(JSON.stringify({ v: visitor.id, d: visitor.desk, n: visitor.name, ...(visitor.email ? { e: visitor.email } : {}), iat: visitor.iat })).toString('base64url');
    return { token: `${body}.${this.sign(body)}`, visitor };
  }

  /** The visitor a token names, or undefined when it is malformed, forged or expired. */
  verify(token: string | undefined): Visitor | undefined {
    if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.sign(body), 'base64url');
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const p = payloadSchema.safeParse(json);
    if (!p.success) return undefined;
    if (this.now() / 1000 - p.data.iat > this.maxAgeDays * 86_400) return undefined;
    return { id: p.data.v, desk: p.data.d, name: p.data.n, ...(p.data.e ? { email: p.data.e } : {}), iat: p.data.iat };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(`visitor.${body}`).digest('base64url');
  }
}
