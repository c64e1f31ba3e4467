import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

/** A token request the bot made (client credentials), as the fake's token endpoint saw it. */
export interface TokenRequest {
  host: string;
  path: string;
  form: Record<string, string>;
}

export interface SignOptions {
  /** Signing key: `msteams` (endorsed for Teams, the default), `other` (endorsed for another channel only). */
  key?: 'msteams' | 'other';
  /** Seconds from now; negative = already expired. @defaultValue 3600 */
  expiresIn?: number;
  /** Corrupt the signature after signing. */
  tamper?: boolean;
}

/** The hosts whose TLS connections {@link BotIdentityFake.routeLoginHosts} sends to the fake. */
export const LOGIN_HOSTS = ['login.microsoftonline.com', 'login.botframework.com', 'login.helpdesk.test'];

/**
 * Sends this process's https connections to {@link LOGIN_HOSTS} to `127.0.0.1:port`, trusting `ca`
 * for them only; everything else is untouched. Returns the undo. Also used by a child process's
 * preload (tests/support/login-hosts.preload.ts).
 */
export function routeLoginHostsTo(port: number, ca: string): () => void {
  const previous = https.globalAgent;
  const agent = new https.Agent({ keepAlive: false });
  const original = agent.createConnection.bind(agent);
  (agent as unknown as { createConnection: (opts: tls.ConnectionOptions & { host?: string }, cb?: () => void) => unknown }).createConnection = (opts, cb) => {
    const host = opts.host ?? '';
    if (!LOGIN_HOSTS.includes(host)) return (original as (o: unknown, c?: unknown) => unknown)(opts, cb);
    return tls.connect({ host: '127.0.0.1', port, servername: host, ca }, cb);
  };
  https.globalAgent = agent;
  return () => {
    https.globalAgent = previous;
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/**
 * A protocol-level fake of Microsoft's identity endpoints for a bot:
 * - inbound (channel → bot): OpenID metadata + JWKS over http, with `endorsements` per key, and
 *   {@link sign} to issue the channel's RS256 tokens with test keys;
 * - outbound (bot → channel): an https "login" host (AAD instance discovery, tenant OpenID
 *   configuration, the v2.0 token endpoint for client credentials). MSAL refuses http authorities and
 *   validates custom ones against login.microsoftonline.com, so the test routes those host names to this
 *   server with a test CA ({@link routeLoginHosts}): a connect hook of the test process, not of the app.
 */
export class BotIdentityFake {
  readonly tokenRequests: TokenRequest[] = [];
  /** Access tokens handed out, in order. */
  readonly issued: string[] = [];
  /** Requests to the inbound metadata server (paths), to tell a cached key from a fetched one. */
  readonly metadataHits: string[] = [];
  private http?: Server;
  private https?: https.Server;
  private readonly keys: Record<'msteams' | 'other', { kid: string; priv: KeyObject; endorsements: string[] }>;
  private ca = '';
  private tmp = '';
  private restoreAgent?: () => void;
  /** Base of the inbound metadata server, e.g. `http://127.0.0.1:PORT`. */
  metadataBase = '';
  httpsPort = 0;

  constructor(
    readonly o: { issuer: string; appId: string; appPassword: string; oauthScope: string },
  ) {
    const mk = (kid: string, endorsements: string[]) => ({ kid, priv: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, endorsements });
    this.keys = { msteams: mk(`k-teams-${randomBytes(3).toString('hex')}`, ['msteams', 'skype']), other: mk(`k-other-${randomBytes(3).toString('hex')}`, ['webchat']) };
  }

  /** `TEAMS_OPENID_METADATA_URL` for the bot. */
  get openIdMetadataUrl(): string {
    return `${this.metadataBase}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => this.onMetadata(req, res));
    await new Promise<void>((r) => this.http!.listen(0, '127.0.0.1', r));
    this.metadataBase = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    const { cert, key } = this.makeCertificates();
    this.https = https.createServer({ cert, key }, (req, res) => void this.onLogin(req, res));
    await new Promise<void>((r) => this.https!.listen(0, '127.0.0.1', r));
    this.httpsPort = (this.https.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.restoreAgent?.();
    await new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    await new Promise<void>((r) => (this.https ? this.https.close(() => r()) : r()));
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }

  /**
   * Sends this process's https connections to {@link LOGIN_HOSTS} to the fake (trusting its test CA
   * for them only); everything else is untouched. Undone by {@link stop}.
   */
  routeLoginHosts(): void {
    this.restoreAgent = routeLoginHostsTo(this.httpsPort, this.ca);
  }

  /** The test CA's certificate (PEM): what a child process needs to route its login hosts here too. */
  get caPem(): string {
    return this.ca;
  }

  /** A channel → bot token (RS256) as the Teams channel sends it; `claims` override the valid defaults. */
  sign(serviceUrl: string, claims: Record<string, unknown> = {}, opts: SignOptions = {}): string {
    const k = this.keys[opts.key ?? 'msteams'];
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: this.o.issuer, aud: this.o.appId, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + (opts.expiresIn ?? 3600), ...claims };
    const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: k.kid, x5t: k.kid }))}.${b64url(JSON.stringify(payload))}`;
    let sig = sign('sha256', Buffer.from(input), k.priv);
    if (opts.tamper) sig = Buffer.from(sig.map((b, i) => (i === 10 ? b ^ 0xff : b)));
    return `${input}.${b64url(sig)}`;
  }

  private onMetadata(req: IncomingMessage, res: ServerResponse): void {
    const p = (req.url ?? '').split('?')[0]!;
    this.metadataHits.push(p);
    if (p === '/v1/.well-known/openidconfiguration') {
      return json(res, 200, { issuer: this.o.issuer, authorization_endpoint: `${this.metadataBase}/v1/auth`, jwks_uri: `${this.metadataBase}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] });
    }
    if (p === '/v1/.well-known/keys') {
      const keys = Object.values(this.keys).map((k) => {
        const jwk = createPublicKey(k.priv).export({ format: 'jwk' });
        return { kty: 'RSA', use: 'sig', kid: k.kid, x5t: k.kid, n: jwk.n, e: jwk.e, endorsements: k.endorsements };
      });
      return json(res, 200, { keys });
    }
    json(res, 404, { error: 'not found' });
  }

  private async onLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').split(':')[0]!;
    const url = new URL(req.url ?? '/', `https://${host}`);
    const body = await new Promise<string>((r) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString()));
      req.on('end', () => r(s));
    });
    // AAD instance discovery: any authority on a login host of ours is trusted.
    if (url.pathname === '/common/discovery/instance') {
      const authorize = new URL(url.searchParams.get('authorization_endpoint') ?? 'https://invalid/');
      const tenant = authorize.pathname.split('/')[1];
      return json(res, 200, {
        tenant_discovery_endpoint: `https://${authorize.host}/${tenant}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: authorize.host, preferred_cache: authorize.host, aliases: [authorize.host] }],
      });
    }
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token)$/.exec(url.pathname);
    if (!m) return json(res, 404, { error: 'not_found', error_description: `no ${url.pathname}` });
    const [, tenant, what] = m;
    const base = `https://${host}/${tenant}`;
    if (what!.startsWith('v2.0')) {
      return json(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `https://${host}/${tenant}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
      });
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    this.tokenRequests.push({ host, path: url.pathname, form });
    if (form.grant_type !== 'client_credentials' || form.client_id !== this.o.appId || form.client_secret !== this.o.appPassword) {
      return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
    }
    if (form.scope !== `${this.o.oauthScope}/.default`) return json(res, 400, { error: 'invalid_scope', error_description: `unknown scope ${form.scope}` });
    const token = `fake-bot-token-${this.issued.length + 1}-${randomBytes(4).toString('hex')}`;
    this.issued.push(token);
    json(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
  }

  /** A test CA and a server certificate for the login hosts, made with the openssl CLI. */
  private makeCertificates(): { cert: string; key: string } {
    this.tmp = mkdtempSync(path.join(os.tmpdir(), 'hd-identity-'));
    const f = (n: string) => path.join(this.tmp, n);
    const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=helpdesk test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=login.microsoftonline.com');
    writeFileSync(f('ext.cnf'), `subjectAltName=${LOGIN_HOSTS.map((h) => `DNS:${h}`).join(',')}\n`);
    ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '2', '-extfile', f('ext.cnf'));
    this.ca = readFileSync(f('ca.pem'), 'utf8');
    return { cert: readFileSync(f('server.pem'), 'utf8'), key: readFileSync(f('server.key'), 'utf8') };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
