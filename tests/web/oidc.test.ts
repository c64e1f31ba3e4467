import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcProviderFake } from '../fakes/oidc-provider.fake.js';
import { startWebHarness, WebClient, type WebHarness } from './web.harness.js';

/**
 * OpenID Connect sign-in with openid-client against a local provider fake (discovery, PKCE, state,
 * nonce, RS256 ID token): a verified agent email gets an agent session; anyone else does not.
 */
let idp: OidcProviderFake;
let h: WebHarness;

beforeAll(async () => {
  idp = await new OidcProviderFake().start();
  h = await startWebHarness({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret });
});
afterAll(async () => {
  await h?.stop();
  await idp?.stop();
});

/** Follows the redirects a browser would: us → provider → our callback. Returns the callback's response. */
async function signInWithOidc(c: WebClient, next = '/console'): Promise<{ res: Response; callback: string }> {
  await c.page('/auth/signin');
  const start = await c.request('GET', `/auth/oidc/start?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(302);
  const atIdp = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(atIdp.status).toBe(302);
  const cb = new URL(atIdp.headers.get('location')!);
  const callback = `${cb.pathname}${cb.search}`;
  return { res: await c.request('GET', callback), callback };
}

describe('OpenID Connect sign-in', () => {
  it('offers the company sign-in on the sign-in page', async () => {
    const { html } = await new WebClient(h.base).page('/auth/signin');
    expect(html).toContain('/auth/oidc/start?next=%2Fconsole');
  });

  it('signs in an agent by verified email, with PKCE', async () => {
    idp.nextUser = { sub: 'idp-hugo', email: 'Hugo@Example.com', email_verified: true, name: 'Hugo R.' };
    const c = new WebClient(h.base);
    const { res } = await signInWithOidc(c);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    const { res: consoleRes, html } = await c.page('/console?desk=hr');
    expect(consoleRes.status).toBe(200);
    expect(html).toContain('Signed in as Hugo Ruiz');
    expect(idp.tokenRequests.at(-1)!.code_verifier).toBeTruthy();
  });

  it('a callback cannot be replayed, and a forged state is refused', async () => {
    idp.nextUser = { sub: 'idp-hugo', email: 'hugo@example.com', email_verified: true };
    const c = new WebClient(h.base);
    const { res, callback } = await signInWithOidc(c);
    expect(res.status).toBe(303);
    expect((await new WebClient(h.base).request('GET', callback)).status).toBe(400);
    expect((await new WebClient(h.base).request('GET', '/auth/oidc/callback?code=x&state=forged')).status).toBe(400);
  });

  it('does not make an agent of an unverified or unknown email', async () => {
    idp.nextUser = { sub: 'idp-x', email: 'hugo@example.com', email_verified: false };
    const a = new WebClient(h.base);
    expect((await signInWithOidc(a)).res.status).toBe(403);
    expect((await a.request('GET', '/console')).status).toBe(403);
    idp.nextUser = { sub: 'idp-y', email: 'stranger@example.com', email_verified: true, name: 'Stranger' };
    const b = new WebClient(h.base);
    const r = await signInWithOidc(b);
    expect(r.res.status).toBe(403);
    expect(await r.res.text()).toContain('stranger@example.com');
    // Signed in as a visitor, who may use the chat but not the console.
    expect((await b.request('GET', '/console')).status).toBe(403);
  });
});
