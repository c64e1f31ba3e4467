import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient as Redis } from '../../../jobs/connection.js';
import type { Identity } from '../../../core/domain/identity.js';

/** Who a browser session belongs to. */
export type SessionPerson =
  | { kind: 'agent'; agentId: string; name: string; identity: Identity }
  | { kind: 'visitor'; name?: string; email?: string; identity: Identity };

export interface Session {
  /** The opaque id in the cookie (never logged). */
  id: string;
  person: SessionPerson;
  /** Synchronizer token: state-changing requests of this session must carry it. */
  csrf: string;
  createdAt: string;
  /** How the person signed in (`magic-link`, `oidc`, `visitor`). */
  via: string;
}

export const SESSION_COOKIE = 'hd_session';

/** Random, URL-safe token of `bytes` bytes of entropy. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * Sessions kept in Redis (any replica serves any browser), keyed by a hash of the cookie value so
 * the keys themselves are not credentials. Expire after `ttlSeconds` of no use.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    /** @defaultValue 12 hours */
    readonly ttlSeconds = 12 * 3600,
  ) {}

  private key(id: string): string {
    return `${this.keyPrefix}web:session:${createHash('sha256').update(id).digest('base64url')}`;
  }

  async create(person: SessionPerson, via: string): Promise<Session> {
    const s: Session = { id: randomToken(), person, csrf: randomToken(), createdAt: new Date().toISOString(), via };
    await this.redis.set(this.key(s.id), JSON.stringify(s), 'EX', this.ttlSeconds);
    return s;
  }

  /** The session for a cookie value, sliding its expiry; null if unknown, expired or malformed. */
  async get(id: string | undefined): Promise<Session | null> {
    // Bound what reaches Redis: our ids are 43 base64url characters.
    if (!id || id.length > 64) return null;
    const raw = await this.redis.getex(this.key(id), 'EX', this.ttlSeconds);
    if (!raw) return null;
    try {
      const s = JSON.parse(raw) as Session;
      return s.id === id ? s : null;
    } catch {
      return null;
    }
  }

  async destroy(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
