import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOidcUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

/**
 * A protocol-level OpenID Connect provider on loopback: discovery, JWKS, an authorization endpoint
 * that "signs in" `nextUser` at once and redirects back with a code, and a token endpoint that checks
 * the client secret (HTTP Basic or form), the redirect URI and the PKCE verifier (S256), and answers
 * with an RS256-signed ID token carrying the nonce. Codes are single use.
 */
export class OidcProviderFake {
  nextUser: FakeOidcUser = { sub: 'user-1', email: 'someone@example.com', email_verified: true, name: 'Someone' };
  readonly tokenRequests: Array<Record<string, string>> = [];
  private server?: Server;
  private readonly key: KeyObject;
  private readonly publicJwk: Record<string, unknown>;
  private readonly codes = new Map<string, { user: FakeOidcUser; nonce?: string; challenge?: string; redirectUri: string }>();

  constructor(
    readonly clientId = 'helpdesk',
    readonly clientSecret = 'oidc-secret',
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.key = privateKey;
    this.publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  }

  get issuer(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.writeHead(500).end()));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  private idToken(user: FakeOidcUser, nonce?: string): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64({ iss: this.issuer, aud: this.clientId, iat: now, exp: now + 300, ...(nonce ? { nonce } : {}), ...user })}`;
    return `${body}.${sign('sha256', Buffer.from(body), this.key).toString('base64url')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'email', 'profile'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [this.publicJwk] });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== this.clientId || q.get('response_type') !== 'code') return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('base64url');
      this.codes.set(code, { user: this.nextUser, nonce: q.get('nonce') ?? undefined, challenge: q.get('code_challenge') ?? undefined, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      this.tokenRequests.push(form);
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : undefined;
      const [id, secret] = basic ? basic.split(':').map(decodeURIComponent) : [form.client_id, form.client_secret];
      if (id !== this.clientId || secret !== this.clientSecret) return json(401, { error: 'invalid_client' });
      const grant = this.codes.get(form.code ?? '');
      this.codes.delete(form.code ?? '');
      if (!grant || grant.redirectUri !== form.redirect_uri) return json(400, { error: 'invalid_grant' });
      if (grant.challenge && createHash('sha256').update(form.code_verifier ?? '').digest('base64url') !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE' });
      return json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: this.idToken(grant.user, grant.nonce) });
    }
    json(404, { error: 'not_found' });
  }
}
