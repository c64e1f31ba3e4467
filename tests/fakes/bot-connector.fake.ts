import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One outbound call the bot made to the connector, as the fake understood it. */
export interface ConnectorCall {
  kind: 'create' | 'send' | 'reply' | 'update' | 'delete' | 'other';
  method: string;
  path: string;
  /** Decoded conversation id from the path (not for `create`). */
  conversationId?: string;
  /** Activity id from the path (reply/update/delete). */
  activityId?: string;
  /** The id the fake answered with (new activity or conversation). */
  answeredId?: string;
  /** For `create`: the new conversation's first activity id, if any. */
  answeredActivityId?: string;
  body: any;
  status: number;
  authorization?: string;
  /** When the fake received it (ms since the epoch). */
  at: number;
  /** Set when the fake answered 429 for the per-conversation limits (see `threadLimits`). */
  limited?: true;
}

/**
 * Teams' documented limits per bot per thread (conversation), every operation counted: 7 in 1 s,
 * 8 in 2 s, 60 in 30 s, 1,800 in 3,600 s (learn.microsoft.com, "Optimize your bot with rate limiting
 * in Teams"). Microsoft notes the hourly one applies to many messages to one user; the fake holds
 * channels to it too.
 */
export const TEAMS_THREAD_LIMITS: ReadonlyArray<{ seconds: number; max: number }> = [
  { seconds: 1, max: 7 },
  { seconds: 2, max: 8 },
  { seconds: 30, max: 60 },
  { seconds: 3600, max: 1800 },
];

/** The message size limit the fake enforces (bytes of the request body, see onRequest). */
export const TEAMS_MAX_MESSAGE_BYTES = 28_000;

/** A failure to inject: answer the next `times` matching calls with `status`. */
export interface InjectedFailure {
  status: 429 | 412 | 500 | 502 | 503 | 504 | 403 | 404;
  times?: number;
  retryAfterSeconds?: number;
  /** Only calls of this kind (default: any). */
  kind?: ConnectorCall['kind'];
}

/**
 * A protocol-level fake of the Bot Connector service (the activity `serviceUrl`): answers the
 * `v3/conversations` REST calls the way the Teams connector does (send, reply, update, delete,
 * create conversation), records every call, and can inject throttling/transient failures.
 */
export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: Server;
  private failures: Array<InjectedFailure & { left: number }> = [];
  private holds: Array<{ kind: ConnectorCall['kind']; when?: (body: any) => boolean; arrive: () => void; gate: Promise<void> }> = [];
  private seq = 1;
  /** 1:1 conversations by user id: Teams returns the same conversation for the same user (`a:dm-<user>`, as tests/teams/activities.ts uses). */
  private readonly personal = new Map<string, string>();

  /**
   * Per-conversation throttling, enforced when set (e.g. `TEAMS_THREAD_LIMITS`): a post, reply, edit or
   * delete in a channel (any of its threads: counted per channel, the stricter reading) or chat beyond
   * any window is answered 429 with Retry-After (seconds until the window has room), as Teams does.
   * Off by default. Calls refused this way are in `limited`.
   */
  threadLimits?: ReadonlyArray<{ seconds: number; max: number }>;
  readonly limited: ConnectorCall[] = [];
  private readonly accepted = new Map<string, number[]>();

  /** Base URL with a trailing slash, to use as activities' `serviceUrl`. */
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Makes the next matching call(s) fail with a connector error. */
  inject(f: InjectedFailure): void {
    this.failures.push({ ...f, left: f.times ?? 1 });
  }

  /**
   * Holds the next call of `kind` (whose body matches `when`) until `release()`, as a slow connector
   * would; `reached` resolves when it arrives. It is then answered as usual.
   */
  hold(kind: ConnectorCall['kind'], when?: (body: any) => boolean): { reached: Promise<void>; release: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (arrive = r));
    this.holds.push({ kind, when, arrive, gate: new Promise<void>((r) => (release = r)) });
    return { reached, release };
  }

  /** Calls of a kind, optionally in a conversation (base channel id matches threaded ids too). */
  callsOf(kind: ConnectorCall['kind'], conversation?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.kind === kind && c.status < 300 && (!conversation || c.conversationId === conversation || c.conversationId?.startsWith(`${conversation};`) || c.body?.channelData?.channel?.id === conversation));
  }

  /** Everything the bot posted (sends, replies, created conversations' first activities). */
  posted(): Array<{ call: ConnectorCall; activity: any }> {
    return this.calls
      .filter((c) => c.status < 300 && (c.kind === 'send' || c.kind === 'reply' || (c.kind === 'create' && c.body?.activity)))
      .map((c) => ({ call: c, activity: c.kind === 'create' ? c.body.activity : c.body }));
  }

  reset(): void {
    this.calls.length = 0;
    this.limited.length = 0;
    this.accepted.clear();
    this.failures = [];
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.answer(res, 400, { error: { code: 'BadSyntax', message: 'invalid JSON' } });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const call: ConnectorCall = { kind: 'other', method, path: url.pathname, body, status: 200, authorization: req.headers.authorization, at: Date.now() };
    // v3/conversations[/{id}/activities[/{activityId}]]
    if (parts[0] === 'v3' && parts[1] === 'conversations') {
      if (parts.length === 2 && method === 'POST') call.kind = 'create';
      else if (parts[3] === 'activities') {
        call.conversationId = parts[2];
        call.activityId = parts[4];
        call.kind = method === 'POST' ? (parts[4] ? 'reply' : 'send') : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : 'other';
      }
    }
    this.calls.push(call);
    // Teams refuses a message over its size limit (413 MessageSizeTooBig); we hold the fake to the
    // lowest figure Microsoft has documented, ~28 KB, counted as UTF-16 or UTF-8, whichever is larger.
    if (call.kind !== 'other' && call.kind !== 'delete' && Math.max(Buffer.byteLength(raw), raw.length * 2) > TEAMS_MAX_MESSAGE_BYTES) {
      return this.answer(res, (call.status = 413), { error: { code: 'MessageSizeTooBig', message: 'Message size too big' } });
    }
    const retryAfter = this.throttle(call);
    if (retryAfter !== undefined) {
      call.status = 429;
      call.limited = true;
      this.limited.push(call);
      return this.answer(res, 429, { error: { code: 'Throttled', message: 'Too many requests' } }, { 'Retry-After': String(retryAfter) });
    }
    const failure = this.failures.find((f) => f.left > 0 && (!f.kind || f.kind === call.kind));
    if (failure) {
      failure.left--;
      call.status = failure.status;
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'Retry-After': String(failure.retryAfterSeconds) } : {};
      return this.answer(res, failure.status, { error: { code: failure.status === 429 ? 'Throttled' : 'ServiceError', message: `injected ${failure.status}` } }, headers);
    }
    const held = this.holds.findIndex((x) => x.kind === call.kind && (!x.when || x.when(body)));
    if (held >= 0) {
      const [x] = this.holds.splice(held, 1);
      x!.arrive();
      await x!.gate;
    }
    switch (call.kind) {
      case 'create': {
        const channelId: string | undefined = body?.channelData?.channel?.id;
        const member: string | undefined = body?.members?.[0]?.id;
        const activityId = body?.activity ? this.nextId() : undefined;
        let id: string;
        if (channelId) id = `${channelId};messageid=${activityId ?? this.nextId()}`;
        else if (member) {
          // Teams needs the tenant to create a 1:1 chat, and answers the user's existing one.
          if (!body?.tenantId && !body?.channelData?.tenant?.id) return this.answer(res, (call.status = 400), { error: { code: 'BadArgument', message: 'Tenant Id is required' } });
          id = this.personal.get(member) ?? `a:dm-${member}`;
          this.personal.set(member, id);
        } else return this.answer(res, 400, { error: { code: 'BadArgument', message: 'no channel or members' } });
        call.answeredId = id;
        call.answeredActivityId = activityId;
        call.status = 201;
        return this.answer(res, 201, { id, activityId, serviceUrl: this.url });
      }
      case 'send':
      case 'reply': {
        if (!body?.type) return this.answer(res, (call.status = 400), { error: { code: 'BadArgument', message: 'activity type required' } });
        call.answeredId = this.nextId();
        call.status = 201;
        return this.answer(res, 201, { id: call.answeredId });
      }
      case 'update':
        call.answeredId = call.activityId;
        return this.answer(res, 200, { id: call.activityId });
      case 'delete':
        return this.answer(res, 200, {});
      default:
        call.status = 404;
        return this.answer(res, 404, { error: { code: 'NotFound', message: `no route ${method} ${url.pathname}` } });
    }
  }

  /** Counts a call against its conversation's windows: undefined when it may go, else Retry-After in seconds. */
  private throttle(call: ConnectorCall): number | undefined {
    const limits = this.threadLimits;
    if (!limits || call.kind === 'other') return undefined;
    const thread = call.kind === 'create' ? call.body?.channelData?.channel?.id : call.conversationId?.split(';')[0];
    if (!thread) return undefined; // creating a 1:1 chat: another operation, with its own limits
    const now = call.at;
    const longest = Math.max(...limits.map((l) => l.seconds)) * 1000;
    const times = (this.accepted.get(thread) ?? []).filter((t) => t > now - longest);
    let wait = 0;
    for (const l of limits) {
      const inWindow = times.filter((t) => t > now - l.seconds * 1000);
      if (inWindow.length >= l.max) wait = Math.max(wait, inWindow[inWindow.length - l.max]! + l.seconds * 1000 - now);
    }
    this.accepted.set(thread, wait > 0 ? times : [...times, now]);
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : undefined;
  }

  /** Teams message ids look like epoch-millisecond numbers. */
  private nextId(): string {
    return String(1_700_000_000_000 + this.seq++);
  }

  private answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}
