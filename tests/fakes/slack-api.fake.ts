import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded Web API call: method name, decoded arguments (JSON fields parsed), bearer token. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  /** When the fake received it (Date.now()). */
  at: number;
  /** Set when the fake answered 429 for the channel posting limit (see `channelLimit`). */
  limited?: true;
}

/** One body POSTed to a response_url. */
export interface SlackResponse {
  id: string;
  body: Record<string, unknown>;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
}

type Failure = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

/** Fields the Web API client sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/**
 * A protocol-level fake of Slack's Web API on loopback: `POST /api/<method>` with a form-encoded (or
 * JSON) body and `Authorization: Bearer …`, answered the way Slack answers (HTTP 200 `{ok: …}`;
 * 429 with Retry-After; 5xx). Also serves response_urls at `POST /response/<id>`. Records everything.
 */
export class SlackApiFake {
  readonly calls: SlackCall[] = [];
  readonly responses: SlackResponse[] = [];
  /** Calls answered `ok: false` by the fake's own checks (not injected failures). */
  readonly refused: Array<{ method: string; error: string }> = [];
  /** Messages by channel, as chat.postMessage / chat.update / seed left them. */
  readonly messages = new Map<string, StoredMessage[]>();
  private server?: Server;
  private seq = 0;
  private readonly failures: Array<{ method: string; failure: Failure; times: number }> = [];
  private readonly holds: Array<{ method: string; when: (args: Record<string, unknown>) => boolean; arrive: () => void; gate: Promise<void> }> = [];
  /**
   * Where `apps.connections.open` points Socket Mode clients (e.g. `SlackSocketModeFake.issueUrl`);
   * called once per call, so each connection gets a fresh URL as from Slack.
   */
  socketModeUrl?: () => string;
  /** Scopes the bot token was granted: sent as `x-oauth-scopes` on every answer, and enforced where noted. */
  scopes = ['commands', 'chat:write', 'im:write', 'im:history', 'channels:history', 'groups:history', 'reactions:read', 'users:read', 'channels:read', 'groups:read'];
  /** Channels `conversations.info` knows (needs channels:read or groups:read). */
  readonly channels = new Map<string, { name: string; is_member: boolean; is_private?: boolean; is_archived?: boolean }>();
  /** People `users.info` knows (needs users:read); unknown ids get an empty profile with locale es-ES. */
  readonly users = new Map<string, { name: string; real_name?: string; display_name?: string; locale?: string }>();

  /**
   * Slack's per-channel posting limit ("about one message per second per channel, short bursts
   * allowed"), enforced when set: `chat.postMessage` and `chat.update` in one channel beyond a token
   * bucket of `perSecond` with `burst` saved up are answered 429 with Retry-After 1, as Slack does.
   * Off by default. Calls refused this way are in `limited`.
   */
  channelLimit?: { perSecond: number; burst: number };
  readonly limited: Array<{ method: string; channel: string; at: number }> = [];
  private readonly buckets = new Map<string, { tokens: number; ts: number }>();

  constructor(readonly bot = { userId: 'UBOT', botId: 'BBOT', teamId: 'T1' }) {}

  /** Takes a posting token for `channel`, or says it is over the limit. */
  private overChannelLimit(channel: string): boolean {
    const lim = this.channelLimit;
    if (!lim) return false;
    const now = Date.now();
    const b = this.buckets.get(channel) ?? { tokens: lim.burst, ts: now };
    b.tokens = Math.min(lim.burst, b.tokens + ((now - b.ts) * lim.perSecond) / 1000);
    b.ts = now;
    this.buckets.set(channel, b);
    if (b.tokens < 1) return true;
    b.tokens -= 1;
    return false;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  /** Base for `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }
  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The next `times` calls of `method` fail this way. */
  failNext(method: string, failure: Failure, times = 1): void {
    this.failures.push({ method, failure, times });
  }

  /**
   * Holds the next call of `method` whose arguments match `when` until `release()` (a slow Slack);
   * `reached` resolves when it arrives. It is then answered as usual.
   */
  hold(method: string, when: (args: Record<string, unknown>) => boolean = () => true): { reached: Promise<void>; release: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (arrive = r));
    this.holds.push({ method, when, arrive, gate: new Promise<void>((r) => (release = r)) });
    return { reached, release };
  }

  /** Puts a message in a channel's history (what conversations.replies returns). */
  seed(m: StoredMessage): void {
    this.list(m.channel).push(m);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * Polls until `pick` returns something. Bounded generously (the suite's FerretDB has stalled for seconds
   * on a busy CI machine); outbound calls usually finish shortly after the inbound ones.
   */
  async waitFor<T>(pick: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = pick();
      if (v) return v;
      if (Date.now() > end) throw new Error('SlackApiFake.waitFor: condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private list(channel: string): StoredMessage[] {
    let l = this.messages.get(channel);
    if (!l) this.messages.set(channel, (l = []));
    return l;
  }

  private nextTs(): string {
    this.seq += 1;
    return `1700000000.${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-oauth-scopes': this.scopes.join(','), ...headers });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/response/')) {
      this.responses.push({ id: path.slice('/response/'.length), body: JSON.parse(raw || '{}') as Record<string, unknown> });
      return send(200, { ok: true });
    }
    if (!path.startsWith('/api/')) return send(404, { ok: false, error: 'not_found' });
    const method = path.slice('/api/'.length);
    const args = parseBody(raw, req.headers['content-type']);
    const auth = req.headers.authorization;
    this.calls.push({ method, args, at: Date.now(), ...(auth ? { token: auth.replace(/^Bearer /, '') } : {}) });
    const held = this.holds.findIndex((x) => x.method === method && x.when(args));
    if (held >= 0) {
      const [x] = this.holds.splice(held, 1);
      x!.arrive();
      await x!.gate;
    }

    const f = this.failures.find((x) => x.method === method && x.times > 0);
    if (f) {
      f.times -= 1;
      if ('error' in f.failure) return send(200, { ok: false, error: f.failure.error });
      if (f.failure.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(f.failure.retryAfter) });
      return send(500, { ok: false, error: 'internal_error' });
    }
    if (!auth?.startsWith('Bearer ')) return send(200, { ok: false, error: 'not_authed' });
    const postChannel = (method === 'chat.postMessage' || method === 'chat.update') && typeof args.channel === 'string' ? args.channel : undefined;
    if (postChannel && this.overChannelLimit(postChannel)) {
      this.limited.push({ method, channel: postChannel, at: Date.now() });
      this.calls[this.calls.length - 1]!.limited = true;
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    // Socket Mode's endpoint takes the app-level token only, as Slack's does.
    if (method === 'apps.connections.open' && !auth.startsWith('Bearer xapp-')) return send(200, { ok: false, error: 'not_allowed_token_type' });
    const answer = this.answer(method, args);
    if (answer.ok === false) this.refused.push({ method, error: String(answer.error) });
    send(200, answer);
  }

  private answer(method: string, a: Record<string, unknown>): Record<string, unknown> {
    const s = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
    if (method === 'chat.postMessage' || method === 'chat.update' || method === 'chat.postEphemeral') {
      const problem = blocksProblem(a.blocks);
      if (problem) return { ok: false, error: problem };
    }
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'helpdesk', team_id: this.bot.teamId, user_id: this.bot.userId, bot_id: this.bot.botId };
      case 'chat.postMessage': {
        const channel = s('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const m: StoredMessage = { channel, ts: this.nextTs(), text: s('text'), blocks: a.blocks, thread_ts: s('thread_ts'), user: this.bot.userId, bot_id: this.bot.botId };
        this.list(channel).push(m);
        return { ok: true, channel, ts: m.ts, message: { type: 'message', ...m } };
      }
      case 'chat.update': {
        const m = this.list(s('channel') ?? '').find((x) => x.ts === s('ts'));
        if (!m) return { ok: false, error: 'message_not_found' };
        Object.assign(m, { text: s('text'), blocks: a.blocks });
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink':
        return { ok: true, channel: s('channel'), permalink: `https://fake.slack.com/archives/${s('channel')}/p${(s('message_ts') ?? '').replace('.', '')}` };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${s('users') ?? ''}` } };
      case 'conversations.replies': {
        const ts = s('ts');
        const all = this.list(s('channel') ?? '');
        const hit = all.find((m) => m.ts === ts);
        if (!hit) return { ok: false, error: 'thread_not_found' };
        const root = hit.thread_ts ?? hit.ts;
        return { ok: true, messages: all.filter((m) => m.ts === root || m.thread_ts === root).map((m) => ({ type: 'message', ...m })), has_more: false };
      }
      case 'views.open':
      case 'views.push':
      case 'views.update':
        return { ok: true, view: { id: `V${this.nextTs().replace('.', '')}`, ...(a.view as object) } };
      case 'users.info': {
        if (!this.scopes.includes('users:read')) return { ok: false, error: 'missing_scope', needed: 'users:read', provided: this.scopes.join(',') };
        const id = s('user') ?? '';
        const u = this.users.get(id);
        // Someone the test did not describe: an account with an empty profile (names come from elsewhere).
        if (!u) return { ok: true, user: { id, locale: 'es-ES', profile: { display_name: '', real_name: '' } } };
        return { ok: true, user: { id, name: u.name, real_name: u.real_name, locale: u.locale ?? 'en-US', profile: { real_name: u.real_name ?? '', display_name: u.display_name ?? '' } } };
      }
      case 'conversations.info': {
        if (!this.scopes.includes('channels:read') && !this.scopes.includes('groups:read')) return { ok: false, error: 'missing_scope', needed: 'channels:read,groups:read' };
        const id = s('channel') ?? '';
        const c = this.channels.get(id);
        if (!c) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { id, name: c.name, is_channel: !c.is_private, is_private: Boolean(c.is_private), is_member: c.is_member, is_archived: Boolean(c.is_archived) } };
      }
      case 'apps.connections.open':
        return { ok: true, url: this.socketModeUrl?.() ?? `${this.url.replace('http', 'ws')}/socket` };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = JSON_FIELDS.has(k) ? safeParse(v) : v;
  }
  return out;
}

function safeParse(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * Slack's checks on a message's blocks, as the Web API answers them: more than 50 blocks or a
 * section text over 3,000 characters → `invalid_blocks`; more than about 13,000 characters of text
 * in all → `msg_blocks_too_long` (seen at ~13,200, slackapi/bolt-js#2509; the fake uses 13,000).
 */
export function blocksProblem(blocks: unknown): string | undefined {
  const list = typeof blocks === 'string' ? (JSON.parse(blocks) as unknown) : blocks;
  if (!Array.isArray(list)) return undefined;
  if (list.length > 50) return 'invalid_blocks';
  let total = 0;
  const walk = (x: unknown, key?: string): void => {
    if (typeof x === 'string') {
      if (key === 'text') total += x.length;
    } else if (Array.isArray(x)) x.forEach((v) => walk(v, key));
    else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) walk(v, k);
  };
  for (const b of list as Array<{ type?: string; text?: { text?: string } }>) {
    if (b.type === 'section' && (b.text?.text?.length ?? 0) > 3000) return 'invalid_blocks';
    walk(b);
  }
  return total > 13_000 ? 'msg_blocks_too_long' : undefined;
}
