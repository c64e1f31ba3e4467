import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';

/**
 * A protocol-level fake of Discord for the real discord.js client: REST under `/api/v10` (the
 * client's `rest.api` points at `http://127.0.0.1:PORT/api`) and a JSON WebSocket gateway whose URL
 * `GET /gateway/bot` hands out. It keeps guilds, channels, threads, messages and interaction
 * responses in memory, records every REST request (bodies parsed, multipart included), and can
 * dispatch INTERACTION_CREATE / MESSAGE_CREATE / MESSAGE_REACTION_ADD as Discord would, drop the
 * socket (the client RESUMEs and gets what it missed), answer 429s and enforce a thread cap.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  files: Array<{ name: string; contentType: string; content: string }>;
  auth: string | undefined;
  /** When the fake received it (Date.now()). */
  at: number;
  /** Set when the fake answered 429 for its `limits`. */
  limited?: true;
}

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface FakeGuildSpec {
  id: string;
  name?: string;
  /** `overwrites`: the channel's permission overwrites (`type` 0 role, 1 member; allow/deny bit strings). */
  channels: Array<{ id: string; name: string; type?: number; overwrites?: Array<{ id: string; type: 0 | 1; allow: string; deny: string }> }>;
  /** `mentionable` defaults to true, `permissions` to '0'. */
  roles?: Array<{ id: string; name: string; permissions?: string; mentionable?: boolean }>;
  /**
   * Permissions model (opt-in): @everyone's permission bits and the roles the bot member has. When
   * `everyonePermissions` is set, channels the bot cannot view answer 403 Missing Access, as on Discord.
   */
  everyonePermissions?: string;
  botRoles?: string[];
  /** The bot is not a member of this guild (GET /guilds/{id} answers 403). */
  botAbsent?: boolean;
}

interface GatewayEvent {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

const EPOCH = 1420070400000n;
let counter = 0n;
/** A numeric snowflake, increasing over time like Discord's. */
export const snowflake = (): string => String(((BigInt(Date.now()) - EPOCH) << 22n) | (counter++ & 0x3fffffn));

export const fakeUser = (id: string, name: string, bot = false): FakeUser => ({ id, username: name.toLowerCase().replace(/\s+/g, '_'), global_name: name, discriminator: '0', avatar: null, ...(bot ? { bot: true } : {}) });

const json = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

/**
 * Discord's limits for the fake's `limits`: 50 REST requests per second per bot (documented), and the
 * per-channel message bucket Discord's rate-limit headers report (5 per 5 s; Discord documents that
 * per-route limits exist and are told in the headers, not their numbers).
 */
export const DISCORD_LIMITS = { global: { seconds: 1, max: 50 }, channel: { seconds: 5, max: 5 } } as const;

export class DiscordFake extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  /** Message bodies refused for exceeding Discord's length limits (400, code 50035). */
  readonly refused: Array<{ path: string; problem: string }> = [];
  /** Exceptions inside the fake's handlers (tests assert it stays empty). */
  readonly errors: unknown[] = [];
  readonly applicationId = snowflake();
  readonly bot: FakeUser;
  readonly channels = new Map<string, any>();
  readonly messages = new Map<string, Map<string, any>>();
  readonly threadMembers = new Map<string, Set<string>>();
  readonly commands = new Map<string, any[]>();
  /** Interaction responses by token: callbacks, the @original message and follow-ups. */
  readonly interactions = new Map<string, { id: string; callbacks: any[]; original?: any; followups: any[]; createdAt?: number; ackedAt?: number }>();
  /** Discord's 3-second window: a callback later than this answers 10062 Unknown interaction. @defaultValue no limit */
  interactionDeadlineMs = Number.POSITIVE_INFINITY;
  readonly guilds: FakeGuildSpec[];
  /** Active (non-archived) threads allowed per guild; over it, thread creation answers 160006. */
  maxActiveThreads = Number.POSITIVE_INFINITY;
  /** Gateway facts for assertions. */
  readonly gateway = { identifies: 0, resumes: 0, heartbeats: 0, connections: 0 };
  /** Re-send bot-authored messages as MESSAGE_CREATE, as Discord does. @defaultValue true */
  echoBotMessages = true;
  /**
   * Rate limits, enforced when set (e.g. {@link DISCORD_LIMITS}): `global`, every REST request of the
   * bot but interaction responses and follow-ups (Discord documents 50 per second); `channel`, message posts and edits in one channel (the
   * bucket Discord reports in its `X-RateLimit-*` headers for creating messages: 5 per 5 s), counted
   * in a sliding window, the stricter reading of Discord's per-bucket reset. Beyond either: 429 with
   * `retry_after` (seconds until the window has room), recorded in `limited`. Off by default.
   */
  limits?: { global?: { seconds: number; max: number }; channel?: { seconds: number; max: number } };
  /** Requests answered 429 by `limits`. */
  readonly limited: RecordedRequest[] = [];
  private readonly acceptedAt = { global: [] as number[], channel: new Map<string, number[]>() };

  private server!: http.Server;
  private wss!: WebSocket.Server;
  private socket: WebSocket | undefined;
  private identified = false;
  private session = { id: '', seq: 0, events: [] as GatewayEvent[] };
  private rateLimits: Array<{ method: string; path: RegExp; retryAfterSec: number; times: number }> = [];
  private outages: Array<{ method: string; path: RegExp; status: number; times: number }> = [];
  private holds: Array<{ method: string; path: RegExp; gate: Promise<void>; arrive: () => void }> = [];
  private dmByUser = new Map<string, string>();
  port = 0;

  private constructor(guilds: FakeGuildSpec[], readonly heartbeatIntervalMs: number) {
    super();
    this.setMaxListeners(100);
    this.bot = fakeUser(snowflake(), 'Helpdesk', true);
    this.guilds = guilds;
    for (const g of guilds) {
      for (const c of g.channels) this.channels.set(c.id, { id: c.id, type: c.type ?? 0, name: c.name, guild_id: g.id, position: 0, permission_overwrites: c.overwrites ?? [], nsfw: false, parent_id: null });
    }
  }

  static async start(opts: { guilds: FakeGuildSpec[]; heartbeatIntervalMs?: number }): Promise<DiscordFake> {
    const fake = new DiscordFake(opts.guilds, opts.heartbeatIntervalMs ?? 41_250);
    fake.server = http.createServer((req, res) => void fake.onHttp(req, res));
    fake.wss = new WebSocket.Server({ server: fake.server });
    fake.wss.on('connection', (ws) => fake.onSocket(ws));
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', () => r()));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ------------------------------------------------------------------ test controls

  /** Answer the next `times` matching requests with 429 and `Retry-After`. */
  rateLimit(method: string, path: RegExp, retryAfterSec = 1, times = 1): void {
    this.rateLimits.push({ method, path, retryAfterSec, times });
  }

  /** Answer the next `times` matching requests with a server error (`status`, default 502), as during an outage. */
  failNext(method: string, path: RegExp, status = 502, times = 1): void {
    this.outages.push({ method, path, status, times });
  }

  /**
   * Holds the next matching request until `release()` (a slow Discord): `reached` resolves when it
   * arrives. The request is then handled as usual.
   */
  hold(method: string, path: RegExp): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const h = { method, path, reached: new Promise<void>((r) => (reached = r)), gate: new Promise<void>((r) => (release = r)), arrive: () => reached() };
    this.holds.push(h);
    return { reached: h.reached, release };
  }

  /** Drops the gateway socket abruptly (no close frame): the client should RESUME. */
  dropConnection(): void {
    this.identified = false;
    this.socket?.terminate();
    this.socket = undefined;
  }

  /** Resolves when `pred` holds, re-checked after every REST request and gateway frame. */
  waitFor<T>(pred: () => T | undefined | false | null, label: string, timeoutMs = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let v: T | undefined | false | null;
        try {
          v = pred();
        } catch {
          v = undefined;
        }
        if (v) {
          clearTimeout(timer);
          this.off('change', check);
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        this.off('change', check);
        reject(new Error(`DiscordFake: timed out waiting for ${label}`));
      }, timeoutMs);
      this.on('change', check);
      check();
    });
  }

  /** Requests matching method and path pattern, in order. */
  calls(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  channelMessages(channelId: string): any[] {
    return [...(this.messages.get(channelId)?.values() ?? [])];
  }

  threadsOf(parentId: string): any[] {
    return [...this.channels.values()].filter((c) => c.parent_id === parentId && (c.type === 11 || c.type === 12));
  }

  // ------------------------------------------------------------------ dispatch helpers

  /** Sends (or, while disconnected, queues for RESUME) a gateway dispatch. */
  dispatch(t: string, d: unknown): number {
    const ev: GatewayEvent = { op: 0, t, s: ++this.session.seq, d };
    this.session.events.push(ev);
    if (this.socket && this.identified) this.socket.send(JSON.stringify(ev));
    return ev.s;
  }

  /** Re-sends an already dispatched event with a new sequence (a duplicated delivery). */
  redispatch(seq: number): void {
    const ev = this.session.events.find((e) => e.s === seq);
    if (ev) this.dispatch(ev.t, ev.d);
  }

  private member(user: FakeUser, roles: string[] = []) {
    return { user, roles, joined_at: new Date(0).toISOString(), deaf: false, mute: false, nick: null, flags: 0, pending: false, permissions: '2248473465835073' };
  }

  private interactionBase(type: number, user: FakeUser, channelId: string, locale: string, roles: string[] = []) {
    const id = snowflake();
    const token = `tok_${id}`;
    this.interactions.set(token, { id, callbacks: [], followups: [], createdAt: Date.now() });
    const ch = this.channels.get(channelId) ?? { id: channelId, type: 0 };
    const guildId: string | undefined = ch.guild_id;
    const base: Record<string, unknown> = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      channel: { id: channelId, type: ch.type, ...(guildId ? { guild_id: guildId } : { recipients: [user] }) },
      channel_id: channelId,
      locale,
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: {},
      context: guildId ? 0 : 1,
    };
    if (guildId) Object.assign(base, { guild_id: guildId, guild: { id: guildId, locale: 'en-US', features: [] }, guild_locale: 'en-US', member: this.member(user, roles) });
    else base.user = user;
    return { id, token, base };
  }

  /** A slash command; `options` as Discord sends them (`[{type: 3, name, value}]` or a subcommand). */
  slashCommand(o: { user: FakeUser; channelId: string; name: string; options?: unknown[]; locale?: string }): { id: string; token: string; seq: number } {
    const cmd = [...this.commands.values()].flat().find((c) => c.name === o.name);
    const { id, token, base } = this.interactionBase(2, o.user, o.channelId, o.locale ?? 'en-US');
    base.data = { id: cmd?.id ?? snowflake(), name: o.name, type: 1, ...(o.options ? { options: o.options } : {}) };
    return { id, token, seq: this.dispatch('INTERACTION_CREATE', base) };
  }

  /** The message context-menu command on `messageId`. */
  messageCommand(o: { user: FakeUser; channelId: string; name: string; messageId: string; locale?: string }): { id: string; token: string; seq: number } {
    const msg = this.messages.get(o.channelId)?.get(o.messageId);
    const { id, token, base } = this.interactionBase(2, o.user, o.channelId, o.locale ?? 'en-US');
    base.data = { id: snowflake(), name: o.name, type: 3, target_id: o.messageId, resolved: { messages: { [o.messageId]: msg } } };
    return { id, token, seq: this.dispatch('INTERACTION_CREATE', base) };
  }

  /** A click on a button (component_type 2) or a choice in a string select (3) of a stored message. */
  component(o: { user: FakeUser; channelId: string; messageId?: string; message?: any; customId: string; values?: string[]; locale?: string; roles?: string[] }): { id: string; token: string; seq: number } {
    const message = o.message ?? this.messages.get(o.channelId)?.get(o.messageId ?? '');
    if (!message) throw new Error(`DiscordFake: no message ${o.messageId} in ${o.channelId}`);
    const { id, token, base } = this.interactionBase(3, o.user, o.channelId, o.locale ?? 'en-US', o.roles);
    base.message = message;
    base.data = o.values ? { custom_id: o.customId, component_type: 3, values: o.values } : { custom_id: o.customId, component_type: 2 };
    return { id, token, seq: this.dispatch('INTERACTION_CREATE', base) };
  }

  /** A modal submission; `message` is the message whose component opened the modal (Discord sends it then). */
  modalSubmit(o: { user: FakeUser; channelId: string; customId: string; fields: Record<string, string>; locale?: string; message?: any }): { id: string; token: string; seq: number } {
    const { id, token, base } = this.interactionBase(5, o.user, o.channelId, o.locale ?? 'en-US');
    if (o.message) base.message = o.message;
    base.data = {
      custom_id: o.customId,
      components: Object.entries(o.fields).map(([custom_id, value]) => ({ type: 1, components: [{ type: 4, custom_id, value }] })),
    };
    return { id, token, seq: this.dispatch('INTERACTION_CREATE', base) };
  }

  /**
   * Typing in a slash command's autocomplete option (type 4): `options` as Discord sends them, the
   * option being typed marked `focused: true`. The answer is callback type 8 `{choices}`.
   */
  autocomplete(o: { user: FakeUser; channelId: string; name: string; options: unknown[]; locale?: string }): { id: string; token: string; seq: number } {
    const cmd = [...this.commands.values()].flat().find((c) => c.name === o.name);
    const { id, token, base } = this.interactionBase(4, o.user, o.channelId, o.locale ?? 'en-US');
    base.data = { id: cmd?.id ?? snowflake(), name: o.name, type: 1, options: o.options };
    return { id, token, seq: this.dispatch('INTERACTION_CREATE', base) };
  }

  /** A person writes in a channel or thread (stored, then MESSAGE_CREATE). */
  userMessage(o: { user: FakeUser; channelId: string; content: string }): { id: string; seq: number } {
    const ch = this.channels.get(o.channelId);
    const msg = this.storeMessage(o.channelId, { author: o.user, content: o.content });
    const d = { ...msg, ...(ch?.guild_id ? { guild_id: ch.guild_id, member: this.member(o.user) } : {}) };
    return { id: msg.id, seq: this.dispatch('MESSAGE_CREATE', d) };
  }

  reaction(o: { user: FakeUser; channelId: string; messageId: string; emoji: string }): number {
    const ch = this.channels.get(o.channelId);
    return this.dispatch('MESSAGE_REACTION_ADD', {
      user_id: o.user.id,
      channel_id: o.channelId,
      message_id: o.messageId,
      guild_id: ch?.guild_id,
      member: this.member(o.user),
      emoji: { id: null, name: o.emoji },
      burst: false,
      type: 0,
    });
  }

  // ------------------------------------------------------------------ gateway

  private onSocket(ws: WebSocket): void {
    this.gateway.connections++;
    this.socket?.terminate();
    this.socket = ws;
    this.identified = false;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null }));
    ws.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { op: number; d: any };
      if (frame.op === 1) {
        this.gateway.heartbeats++;
        ws.send(JSON.stringify({ op: 11 }));
      } else if (frame.op === 2) {
        this.gateway.identifies++;
        this.session = { id: `sess_${snowflake()}`, seq: 0, events: [] };
        this.identified = true;
        this.dispatch('READY', {
          v: 10,
          user: this.bot,
          guilds: this.guilds.map((g) => ({ id: g.id, unavailable: true })),
          session_id: this.session.id,
          resume_gateway_url: this.gatewayUrl,
          shard: [0, 1],
          application: { id: this.applicationId, flags: 0 },
        });
        for (const g of this.guilds) this.dispatch('GUILD_CREATE', this.guildPayload(g));
      } else if (frame.op === 6) {
        if (frame.d?.session_id !== this.session.id) {
          ws.send(JSON.stringify({ op: 9, d: false }));
        } else {
          this.gateway.resumes++;
          this.identified = true;
          // Replay what the client missed, then RESUMED.
          for (const ev of this.session.events.filter((e) => e.s > Number(frame.d.seq ?? 0))) ws.send(JSON.stringify(ev));
          this.dispatch('RESUMED', {});
        }
      }
      this.emit('change');
    });
    ws.on('close', () => {
      if (this.socket === ws) {
        this.socket = undefined;
        this.identified = false;
      }
      this.emit('change');
    });
  }

  private guildPayload(g: FakeGuildSpec) {
    const channels = [...this.channels.values()].filter((c) => c.guild_id === g.id && c.type !== 11 && c.type !== 12);
    return {
      id: g.id,
      name: g.name ?? 'Fake guild',
      unavailable: false,
      owner_id: snowflake(),
      joined_at: new Date(0).toISOString(),
      large: false,
      member_count: 1,
      features: [],
      emojis: [],
      stickers: [],
      roles: this.rolesOf(g),
      channels,
      threads: [],
      members: [this.member(this.bot)],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      premium_tier: 0,
      preferred_locale: 'en-US',
      system_channel_flags: 0,
    };
  }

  private rolesOf(g: FakeGuildSpec) {
    return [
      { id: g.id, name: '@everyone', permissions: g.everyonePermissions ?? '0', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
      ...(g.roles ?? []).map((r, i) => ({ id: r.id, name: r.name, permissions: r.permissions ?? '0', position: i + 1, color: 0, hoist: false, managed: false, mentionable: r.mentionable ?? true, flags: 0 })),
    ];
  }

  /** Whether the bot may view a guild channel under the opt-in permissions model. */
  private botCanView(ch: any): boolean {
    const g = this.guilds.find((x) => x.id === ch.guild_id);
    if (!g || g.everyonePermissions === undefined) return true;
    const VIEW = 1n << 10n;
    const ADMIN = 1n << 3n;
    const roles = this.rolesOf(g);
    const mine = g.botRoles ?? [];
    let p = BigInt(g.everyonePermissions);
    for (const r of roles) if (mine.includes(r.id)) p |= BigInt(r.permissions);
    if (p & ADMIN) return true;
    const ow = (ch.permission_overwrites ?? []) as Array<{ id: string; type: number; allow: string; deny: string }>;
    const every = ow.find((o) => o.id === g.id);
    if (every) p = (p & ~BigInt(every.deny)) | BigInt(every.allow);
    let allow = 0n;
    let deny = 0n;
    for (const o of ow) {
      if (o.type !== 0 || !mine.includes(o.id)) continue;
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
    p = (p & ~deny) | allow;
    const member = ow.find((o) => o.type === 1 && o.id === this.bot.id);
    if (member) p = (p & ~BigInt(member.deny)) | BigInt(member.allow);
    return Boolean(p & VIEW);
  }

  // ------------------------------------------------------------------ REST

  private async onHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    const ct = req.headers['content-type'] ?? '';
    let body: any;
    const files: RecordedRequest['files'] = [];
    if (ct.startsWith('multipart/form-data')) {
      const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': ct }, body: raw }).formData();
      for (const [k, v] of form.entries()) {
        if (k === 'payload_json') body = JSON.parse(String(v));
        else if (typeof v !== 'string') files.push({ name: v.name, contentType: v.type, content: await v.text() });
      }
    } else if (raw.length) {
      body = JSON.parse(raw.toString('utf8'));
    }
    const rec: RecordedRequest = { method, path, query: url.searchParams, body, files, auth: req.headers.authorization, at: Date.now() };
    this.requests.push(rec);
    const held = this.holds.findIndex((x) => x.method === method && x.path.test(path));
    if (held >= 0) {
      const [x] = this.holds.splice(held, 1);
      x!.arrive();
      await x!.gate;
    }
    try {
      const limit = this.rateLimits.find((r) => r.method === method && r.path.test(path) && r.times > 0);
      if (limit) {
        limit.times--;
        return json(res, 429, { message: 'You are being rate limited.', retry_after: limit.retryAfterSec, global: false }, { 'retry-after': String(limit.retryAfterSec), 'x-ratelimit-scope': 'user' });
      }
      const over = this.overLimit(method, path, rec.at);
      if (over !== undefined) {
        rec.limited = true;
        this.limited.push(rec);
        return json(res, 429, { message: 'You are being rate limited.', retry_after: over, global: false }, { 'retry-after': String(Math.ceil(over)), 'x-ratelimit-scope': 'user' });
      }
      const outage = this.outages.find((r) => r.method === method && r.path.test(path) && r.times > 0);
      if (outage) {
        outage.times--;
        return json(res, outage.status, { message: 'Service Unavailable', code: 0 });
      }
      const bad = (method === 'POST' || method === 'PATCH') && messageLimitProblem(/\/callback$/.test(path) ? rec.body?.data : rec.body);
      if (bad) this.refused.push({ path, problem: bad });
      if (bad) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { [bad]: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be shorter.' }] } } });
      this.route(method, path, rec, res);
    } catch (err) {
      // A bug in the fake must fail loudly, not leave the client waiting for a response.
      this.errors.push(err);
      if (!res.headersSent) json(res, 500, { message: String(err), code: 0 });
    } finally {
      this.emit('change');
    }
  }

  /** With `limits`: seconds until the request's windows have room, if one is full; else counts it. */
  private overLimit(method: string, path: string, at: number): number | undefined {
    if (!this.limits) return undefined;
    const m = (method === 'POST' || method === 'PATCH') && path.match(/^\/channels\/(\d+)\/messages(?:\/\d+)?$/);
    const windows: Array<[number[], { seconds: number; max: number }]> = [];
    // Interaction responses and follow-ups are not bound to the global limit (Discord's docs).
    if (this.limits.global && !/^\/(interactions|webhooks)\//.test(path)) windows.push([this.acceptedAt.global, this.limits.global]);
    if (m && this.limits.channel) {
      const list = this.acceptedAt.channel.get(m[1]!) ?? [];
      this.acceptedAt.channel.set(m[1]!, list);
      windows.push([list, this.limits.channel]);
    }
    let wait = 0;
    for (const [list, w] of windows) {
      while (list.length && list[0]! <= at - w.seconds * 1000) list.shift();
      if (list.length >= w.max) wait = Math.max(wait, (list[list.length - w.max]! + w.seconds * 1000 - at) / 1000);
    }
    if (wait > 0) return Math.max(0.001, wait);
    for (const [list] of windows) list.push(at);
    return undefined;
  }

  private notFound(res: http.ServerResponse, code = 0, message = '404: Not Found') {
    json(res, 404, { message, code });
  }

  private route(method: string, path: string, rec: RecordedRequest, res: http.ServerResponse): void {
    let m: RegExpMatchArray | null;
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      return json(res, 200, { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } });
    }
    if (method === 'GET' && path === '/users/@me') return json(res, 200, this.bot);
    if (method === 'GET' && (m = path.match(/^\/guilds\/(\d+)$/))) {
      const g = this.guilds.find((x) => x.id === m![1]);
      if (!g) return this.notFound(res, 10004, 'Unknown Guild');
      if (g.botAbsent) return json(res, 403, { message: 'Missing Access', code: 50001 });
      return json(res, 200, { id: g.id, name: g.name ?? 'Fake guild', owner_id: '1', roles: this.rolesOf(g), features: [], emojis: [], stickers: [] });
    }
    if (method === 'GET' && (m = path.match(/^\/guilds\/(\d+)\/members\/(\d+)$/))) {
      const g = this.guilds.find((x) => x.id === m![1]);
      if (!g || g.botAbsent || m[2] !== this.bot.id) return this.notFound(res, 10007, 'Unknown Member');
      return json(res, 200, this.member(this.bot, g.botRoles ?? []));
    }
    if ((m = path.match(/^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/))) {
      if (method === 'PUT') {
        const cmds = (rec.body as any[]).map((c) => ({ ...c, id: this.commands.get(m![2]!)?.find((o) => o.name === c.name)?.id ?? snowflake(), application_id: m![1], guild_id: m![2], version: snowflake() }));
        this.commands.set(m[2]!, cmds);
        return json(res, 200, cmds);
      }
      if (method === 'GET') return json(res, 200, this.commands.get(m[2]!) ?? []);
    }
    if (method === 'POST' && (m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      const ix = this.interactions.get(m[2]!);
      if (!ix || ix.id !== m[1] || Date.now() - (ix.createdAt ?? Date.now()) > this.interactionDeadlineMs) return this.notFound(res, 10062, 'Unknown interaction');
      if (ix.callbacks.length) return json(res, 400, { message: 'Interaction has already been acknowledged.', code: 40060 });
      ix.callbacks.push(rec.body);
      ix.ackedAt = Date.now();
      if (rec.body?.type === 4) ix.original = { id: snowflake(), ...rec.body.data };
      return json(res, 204);
    }
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/))) {
      const ix = this.interactions.get(m[2]!);
      if (!ix) return this.notFound(res, 10015, 'Unknown Webhook');
      if (method === 'PATCH') {
        ix.original = { id: ix.original?.id ?? snowflake(), ...(ix.original ?? {}), ...rec.body };
        return json(res, 200, { ...ix.original, channel_id: '0', author: this.bot });
      }
      if (method === 'GET') return ix.original ? json(res, 200, ix.original) : this.notFound(res, 10008, 'Unknown Message');
    }
    if (method === 'POST' && (m = path.match(/^\/webhooks\/(\d+)\/([^/]+)$/))) {
      const ix = this.interactions.get(m[2]!);
      if (!ix) return this.notFound(res, 10015, 'Unknown Webhook');
      const msg = { id: snowflake(), ...rec.body, author: this.bot };
      ix.followups.push(msg);
      return json(res, 200, msg);
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const user = String(rec.body?.recipient_id);
      let id = this.dmByUser.get(user);
      if (!id) {
        id = snowflake();
        this.dmByUser.set(user, id);
        this.channels.set(id, { id, type: 1, recipients: [fakeUser(user, `user${user}`)], last_message_id: null });
      }
      return json(res, 200, this.channels.get(id));
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/)) && method === 'POST') {
      const parent = this.channels.get(m[1]!);
      if (!parent) return this.notFound(res, 10003, 'Unknown Channel');
      if (!this.messages.get(m[1]!)?.has(m[2]!)) return this.notFound(res, 10008, 'Unknown Message');
      if (this.channels.has(m[2]!)) return json(res, 400, { message: 'A thread has already been created for this message', code: 160004 });
      return this.createThread(res, parent, m[2]!, 11, rec.body);
    }
    if ((m = path.match(/^\/channels\/(\d+)\/threads$/)) && method === 'POST') {
      const parent = this.channels.get(m[1]!);
      if (!parent) return this.notFound(res, 10003, 'Unknown Channel');
      return this.createThread(res, parent, snowflake(), rec.body?.type ?? 12, rec.body);
    }
    if ((m = path.match(/^\/channels\/(\d+)\/thread-members\/(\d+)$/)) && method === 'PUT') {
      if (!this.channels.has(m[1]!)) return this.notFound(res, 10003, 'Unknown Channel');
      this.threadMembers.get(m[1]!)?.add(m[2]!);
      return json(res, 204);
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages$/)) && method === 'POST') {
      const ch = this.channels.get(m[1]!);
      if (!ch) return this.notFound(res, 10003, 'Unknown Channel');
      if (ch.thread_metadata?.archived) return json(res, 400, { message: 'Thread is archived', code: 50083 });
      const attachments = rec.files.map((f) => ({ id: snowflake(), filename: f.name, content_type: f.contentType, size: f.content.length, url: `https://cdn.fake/${m![1]}/${f.name}` }));
      const msg = this.storeMessage(m[1]!, { ...rec.body, author: this.bot, attachments });
      if (this.echoBotMessages) this.dispatch('MESSAGE_CREATE', { ...msg, ...(ch.guild_id ? { guild_id: ch.guild_id, member: this.member(this.bot) } : {}) });
      return json(res, 200, msg);
    }
    if ((m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const msgs = this.messages.get(m[1]!);
      const msg = msgs?.get(m[2]!);
      if (!msg) return this.notFound(res, 10008, 'Unknown Message');
      if (method === 'PATCH') {
        const edited = { ...msg, ...rec.body, edited_timestamp: new Date().toISOString() };
        msgs!.set(m[2]!, edited);
        return json(res, 200, edited);
      }
      if (method === 'DELETE') {
        msgs!.delete(m[2]!);
        return json(res, 204);
      }
      if (method === 'GET') return json(res, 200, msg);
    }
    if ((m = path.match(/^\/channels\/(\d+)$/))) {
      const ch = this.channels.get(m[1]!);
      if (!ch) return this.notFound(res, 10003, 'Unknown Channel');
      if (ch.guild_id && !this.botCanView(ch)) return json(res, 403, { message: 'Missing Access', code: 50001 });
      if (method === 'GET') return json(res, 200, ch);
      if (method === 'PATCH') {
        const b = rec.body ?? {};
        if (b.name) ch.name = b.name;
        if (ch.thread_metadata) {
          if (b.archived !== undefined) ch.thread_metadata.archived = b.archived;
          if (b.locked !== undefined) ch.thread_metadata.locked = b.locked;
        }
        return json(res, 200, ch);
      }
    }
    return this.notFound(res);
  }

  private createThread(res: http.ServerResponse, parent: any, id: string, type: number, body: any): void {
    const active = [...this.channels.values()].filter((c) => c.guild_id === parent.guild_id && (c.type === 11 || c.type === 12) && !c.thread_metadata.archived);
    if (active.length >= this.maxActiveThreads) return json(res, 400, { message: 'Maximum number of active threads reached', code: 160006 });
    const thread = {
      id,
      type,
      guild_id: parent.guild_id,
      parent_id: parent.id,
      name: body?.name ?? 'thread',
      owner_id: this.bot.id,
      last_message_id: null,
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      thread_metadata: { archived: false, auto_archive_duration: body?.auto_archive_duration ?? 10080, archive_timestamp: new Date().toISOString(), locked: false, ...(type === 12 ? { invitable: body?.invitable ?? true } : {}) },
    };
    this.channels.set(id, thread);
    this.threadMembers.set(id, new Set([this.bot.id]));
    this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
    json(res, 201, thread);
  }

  private storeMessage(channelId: string, m: Record<string, unknown>): any {
    const ch = this.channels.get(channelId);
    const msg = {
      id: snowflake(),
      channel_id: channelId,
      type: 0,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...m,
    };
    delete (msg as Record<string, unknown>).allowed_mentions;
    if (!this.messages.has(channelId)) this.messages.set(channelId, new Map());
    this.messages.get(channelId)!.set(msg.id, msg);
    if (ch) ch.last_message_id = msg.id;
    return msg;
  }
}

/**
 * Discord's length checks on a message body (`Invalid Form Body`, code 50035): content 2,000
 * characters; per embed title 256, description 4,096, field name 256 / value 1,024, 25 fields,
 * footer 2,048, author 256, and 6,000 characters across all embeds. Returns the offending path.
 */
export function messageLimitProblem(body: any): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  if (typeof body.content === 'string' && body.content.length > 2000) return 'content';
  let total = 0;
  for (const [i, e] of ((Array.isArray(body.embeds) ? body.embeds : []) as any[]).entries()) {
    const len = (x: unknown) => (typeof x === 'string' ? x.length : 0);
    if (len(e.title) > 256) return `embeds.${i}.title`;
    if (len(e.description) > 4096) return `embeds.${i}.description`;
    if (len(e.footer?.text) > 2048) return `embeds.${i}.footer.text`;
    if (len(e.author?.name) > 256) return `embeds.${i}.author.name`;
    const fields = Array.isArray(e.fields) ? e.fields : [];
    if (fields.length > 25) return `embeds.${i}.fields`;
    for (const f of fields) if (len(f.name) > 256 || len(f.value) > 1024) return `embeds.${i}.fields`;
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name) + fields.reduce((n: number, f: any) => n + len(f.name) + len(f.value), 0);
  }
  return total > 6000 ? 'embeds' : undefined;
}
