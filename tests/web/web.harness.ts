import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { MagicLinks } from '../../adapters/web/auth/magic-link.js';
import { startHelpdesk, type RunningHelpdesk } from '../../app/runtime.js';
import type { Ticket } from '../../core/domain/ticket.js';
import { SlackApiFake } from '../fakes/slack-api.fake.js';
import { randomId, testMongoUri, testRedisUrl } from '../support/services.js';

export const WEB_SECRET = 'test-web-secret-0123456789abcdef0123456789';
export const SLACK_SECRET = 'web-test-slack-secret';

/** The example desk file plus a second desk (`hr`) with its own agent (`hugo`), for permission tests. */
function deskFile(dir: string): string {
  const base = readFileSync(path.resolve(import.meta.dirname, '../../helpdesk.example.yaml'), 'utf8');
  const [desks, agents] = base.split('\nagents:\n');
  const hr = `
  - id: hr
    prefix: HR
    name: People team
    kind: internal
    locale: es
    categories: [payroll, leave]
    tiers:
      - level: 1
        name: HR desk
        channels:
          slack: { workspace: T0000000, channel: C0HR1 }
    businessHours: { timezone: Europe/Madrid, weekly: {}, holidays: [] }
    sla:
      targets:
        P1: { firstResponseMinutes: 15, resolutionMinutes: 240 }
        P2: { firstResponseMinutes: 60, resolutionMinutes: 480 }
        P3: { firstResponseMinutes: 240, resolutionMinutes: 1440 }
        P4: { firstResponseMinutes: 480, resolutionMinutes: 4800 }
`;
  const hugo = `  - id: hugo
    name: Hugo Ruiz
    identities:
      - { platform: slack, workspace: T0000000, user: U0HUGO }
      - { platform: web, workspace: email, user: hugo@example.com }
    desks: [{ desk: hr, tier: 1 }]
`;
  // The agents list ends at the next top-level key (`alerts:`), if any: hugo goes before it.
  const lines = agents!.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && l.length > 0 && l[0] !== ' ' && l[0] !== '#');
  const agentList = (end < 0 ? lines : lines.slice(0, end)).join('\n');
  const after = end < 0 ? '' : `\n${lines.slice(end).join('\n')}`;
  const file = path.join(dir, 'desks.yaml');
  writeFileSync(file, `${desks}${hr}\nagents:\n${agentList}${agentList.endsWith('\n') ? '' : '\n'}${hugo}${after}`);
  return file;
}

export interface WebHarness {
  hd: RunningHelpdesk;
  base: string;
  slack: SlackApiFake;
  magic: MagicLinks;
  /** Prefix of the web's Redis keys (sessions, live bus). */
  keyPrefix: string;
  /** A ticket as a Slack user's /help would create it (routed to triage: status open). */
  openTicket(text: string, opts?: { deskId?: string; user?: string; name?: string }): Promise<Ticket>;
  stop(): Promise<void>;
}

/** The whole runtime (role all) on real FerretDB and Redis, with Slack on its protocol fake. */
export async function startWebHarness(env: Record<string, string> = {}): Promise<WebHarness> {
  const slack = await new SlackApiFake({ userId: 'UBOT', botId: 'BBOT', teamId: 'T0000000' }).start();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hd-web-'));
  const prefix = `web${randomId()}`;
  const hd = await startHelpdesk(
    {
      PORT: '0',
      SMTP_LISTEN_PORT: '0', // never the shared default port (2525) in tests
      HOST: '127.0.0.1',
      HELPDESK_CONFIG: deskFile(dir),
      HELPDESK_DATA_DIR: dir,
      HELPDESK_QUEUE_PREFIX: prefix,
      HELPDESK_WEB_SECRET: WEB_SECRET,
      MONGODB_URI: testMongoUri(),
      REDIS_URL: testRedisUrl(),
      SLACK_BOT_TOKEN: 'xoxb-web',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'silent',
      ...env,
    },
    pino({ level: process.env.WEB_TEST_LOG ? 'info' : 'silent' }),
  );
  const base = `http://127.0.0.1:${hd.port}`;
  let n = 0;
  return {
    hd,
    base,
    slack,
    magic: new MagicLinks(WEB_SECRET, undefined, ''),
    keyPrefix: `${prefix}:`,
    async openTicket(text, o = {}) {
      const r = await hd.composed.helpdesk.handle({
        type: 'help.request',
        eventId: `web-test-${randomId()}-${n++}`,
        request: {
          idempotencyKey: `web-test-${randomId()}-${n++}`,
          requester: { platform: 'slack', workspace: 'T0000000', user: o.user ?? 'U0RITA', name: o.name ?? 'Rita' },
          text,
          origin: { platform: 'slack', workspace: 'T0000000', channel: 'CGEN' },
          deskId: o.deskId,
          skipSuggestions: true,
        },
      });
      if (r.kind !== 'opened') throw new Error(`unexpected ${r.kind}`);
      return (await hd.composed.store.get(r.ticket.id))!;
    },
    async stop() {
      await hd.stop();
      await slack.stop();
    },
  };
}

/** A tiny cookie-keeping HTTP client (what a browser does with our cookies, minus JavaScript). */
export class WebClient {
  private readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Origin and cookies, for hand-made requests. */
  headers(): Record<string, string> {
    return { origin: this.base, cookie: this.cookieHeader() };
  }

  async request(method: string, p: string, init: { body?: string | Record<string, string>; json?: unknown; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html', origin: this.base, cookie: this.cookieHeader(), ...init.headers };
    let body: string | undefined;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
      if (init.csrf !== false) headers['x-csrf-token'] = this.csrf;
    } else if (init.body !== undefined) {
      const fields = typeof init.body === 'string' ? new URLSearchParams(init.body) : new URLSearchParams(init.body);
      if (init.csrf !== false && !fields.has('_csrf')) fields.set('_csrf', this.csrf);
      body = fields.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const send = () => fetch(`${this.base}${p}`, { method, headers, body, redirect: 'manual' });
    // A kept-alive socket the server closed while idle (keepAliveTimeout 5 s) fails the next request: retry a GET once.
    const res = await send().catch((e: unknown) => (method === 'GET' ? send() : Promise.reject(e)));
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GET a page and remember its CSRF token. */
  async page(p: string): Promise<{ res: Response; html: string }> {
    const res = await this.request('GET', p);
    const html = await res.text();
    const m = html.match(/<meta name="csrf-token" content="([^"]+)">/);
    if (m) this.csrf = m[1]!;
    return { res, html };
  }

  post(p: string, body: Record<string, string>, o: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    return this.request('POST', p, { body, ...o });
  }

  /** Signs in with a magic link the way a browser does (confirmation page, then the POST). */
  async signIn(link: string): Promise<Response> {
    const u = new URL(link, this.base);
    const { res } = await this.page(`${u.pathname}${u.search}`);
    if (res.status !== 200) return res;
    const r = await this.post('/auth/magic', { t: u.searchParams.get('t')!, next: '/console' });
    if (r.status === 303) await this.page('/console');
    return r;
  }
}
