import type { RedisClient as Redis } from '../../../jobs/connection.js';
import * as client from 'openid-client';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** `${publicBaseUrl}/auth/oidc/callback` (a function: the base URL may be known only once listening). */
  redirectUri: () => string;
  redis: Redis;
  keyPrefix: string;
}

export interface OidcPerson {
  subject: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

/**
 * OpenID Connect authorization-code flow with PKCE, state and nonce (openid-client). The issuer is
 * discovered on first use, so the helpdesk starts even while the identity provider is down. The
 * state's verifier and nonce wait in Redis for 10 minutes and are taken once (any replica may
 * receive the callback).
 */
export class OidcClient {
  private config?: Promise<client.Configuration>;
  constructor(private readonly o: OidcOptions) {}

  private configuration(): Promise<client.Configuration> {
    this.config ??= client
      .discovery(new URL(this.o.issuer), this.o.clientId, this.o.clientSecret, undefined, new URL(this.o.issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((e: unknown) => {
        this.config = undefined; // try again on the next sign-in
        throw e;
      });
    return this.config;
  }

  private stateKey(state: string): string {
    return `${this.o.keyPrefix}web:oidc:${state}`;
  }

  /** The identity provider's URL to send the browser to. */
  async start(next: string): Promise<URL> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await this.o.redis.set(this.stateKey(state), JSON.stringify({ verifier, nonce, next }), 'EX', 600);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.o.redirectUri(),
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /** Completes the flow from the callback URL; throws when state, code or token do not check out. */
  async finish(callbackUrl: URL): Promise<{ person: OidcPerson; next: string }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    if (!state || state.length > 200) throw new Error('missing state');
    const raw = await this.o.redis.getdel(this.stateKey(state));
    if (!raw) throw new Error('unknown or already used state');
    const saved = JSON.parse(raw) as { verifier: string; nonce: string; next: string };
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: saved.verifier, expectedState: state, expectedNonce: saved.nonce });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    const str = (v: unknown) => (typeof v === 'string' && v.length <= 320 ? v : undefined);
    return {
      person: { subject: claims.sub, email: str(claims.email)?.toLowerCase(), emailVerified: claims.email_verified === true, name: str(claims.name) },
      next: saved.next,
    };
  }
}
