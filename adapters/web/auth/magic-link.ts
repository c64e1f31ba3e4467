import type { RedisClient as Redis } from '../../../jobs/connection.js';
import { SignedTokens } from '../security/signed-token.js';
import { randomToken } from './session.js';

export interface MagicClaims {
  /** Directory agent id. */
  agentId: string;
  /** Expiry, ms since epoch. */
  exp: number;
  /** Single-use nonce. */
  n: string;
  /** Purpose: `invite` (CLI) or `first-admin` (start log). */
  p: 'invite' | 'first-admin';
}

export type MagicCheck = { ok: true; claims: MagicClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'used' };

/**
 * Sign-in links: `base64url(json claims).base64url(HMAC-SHA256)`, expiring, and single use — the
 * nonce is consumed with one atomic `SET NX` in Redis, so two replicas cannot both accept it.
 */
export class MagicLinks {
  private readonly tokens: SignedTokens;
  constructor(
    secret: string,
    private readonly redis: Redis | undefined,
    private readonly keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = new SignedTokens(secret, 'magic', 512);
  }

  issue(agentId: string, ttlMs: number, purpose: MagicClaims['p'] = 'invite'): string {
    const claims: MagicClaims = { agentId, exp: this.now() + ttlMs, n: randomToken(16), p: purpose };
    return this.tokens.seal(claims);
  }

  /** Checks signature and expiry without consuming (to show the confirmation page). */
  verify(token: string | undefined): MagicCheck {
    const opened = this.tokens.open(token);
    if (!opened.ok) return opened;
    const claims = opened.claims as MagicClaims;
    if (typeof claims.agentId !== 'string' || typeof claims.exp !== 'number' || typeof claims.n !== 'string') return { ok: false, reason: 'malformed' };
    if (claims.exp <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }

  /** Verifies and consumes: true for exactly one caller across all replicas. */
  async consume(token: string | undefined): Promise<MagicCheck> {
    const v = this.verify(token);
    if (!v.ok) return v;
    if (!this.redis) throw new Error('magic links need Redis to be consumed');
    const ttl = Math.max(1, v.claims.exp - this.now());
    const first = await this.redis.set(`${this.keyPrefix}web:magic-used:${v.claims.n}`, '1', 'PX', ttl, 'NX');
    return first === 'OK' ? v : { ok: false, reason: 'used' };
  }
}
