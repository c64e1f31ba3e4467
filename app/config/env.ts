import { z } from 'zod';
import { STORM_CARD_CAPACITY_MAX } from '../../core/views/storm-card.view.js';
import { ConfigError, describeIssues } from './config-error.js';

const optionalString = z.string().trim().min(1).optional().or(z.literal('').transform(() => undefined));
const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `expected a ${protocols.join(' or ')} URL`);

/**
 * Environment variables. The names are a contract with operators and scripts: see .env.example.
 * A platform is enabled when its credentials are present.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  HELPDESK_CONFIG: optionalString,
  HELPDESK_ROLE: z.enum(['all', 'web', 'gateway', 'worker']).default('all'),
  HELPDESK_DATA_DIR: optionalString,
  /** On Redis Cluster the prefix is used as a hash tag (`{helpdesk}`); braces may be written explicitly. */
  HELPDESK_QUEUE_PREFIX: z
    .string()
    .regex(/^(?:[A-Za-z0-9_-]{1,64}|\{[A-Za-z0-9_-]{1,64}\})$/, 'letters, digits, _ and - (at most 64), optionally in braces: {helpdesk}')
    .default('helpdesk'),
  /**
   * Local FerretDB's storage when MONGODB_URI is unset: `postgresql` (an embedded PostgreSQL 16 in
   * the data directory, or HELPDESK_FERRETDB_POSTGRESQL_URL) or `sqlite` (files; slower, serialises
   * writes). Unset: PostgreSQL, unless the data directory holds only SQLite data from before.
   */
  HELPDESK_FERRETDB_BACKEND: z.enum(['postgresql', 'sqlite']).optional().or(z.literal('').transform(() => undefined)),
  /** Local FerretDB on this PostgreSQL database (created if missing) instead of the embedded one. */
  HELPDESK_FERRETDB_POSTGRESQL_URL: url(['postgres:', 'postgresql:']).optional().or(z.literal('').transform(() => undefined)),
  MONGODB_URI: url(['mongodb:', 'mongodb+srv:']).optional().or(z.literal('').transform(() => undefined)),
  REDIS_URL: url(['redis:', 'rediss:']).optional().or(z.literal('').transform(() => undefined)),
  /**
   * The Redis that records inbound requests before they are acknowledged (the intake queue, its
   * answer markers and order notes), when it should not be the jobs' Redis: acknowledgements then
   * wait only on that server's own writes and fsyncs, not on the workers' delivery, SLA and routing
   * traffic (docs/storm.md). Unset: the jobs' Redis (REDIS_URL, REDIS_CLUSTER_NODES or the local
   * redis-server). Give it `appendonly yes` and `appendfsync always`.
   */
  INTAKE_REDIS_URL: url(['redis:', 'rediss:']).optional().or(z.literal('').transform(() => undefined)),
  /** Inbound requests processed at once per worker process (bounds a burst's load on the database). */
  HELPDESK_INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(48),
  /** SLA timers and automation jobs processed at once per worker process. */
  HELPDESK_SLA_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  HELPDESK_AUTOMATION_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * `npm start` in role `all`: `on` runs the worker role in a child process, so processing never
   * shares the acknowledging event loop (docs/storm.md); `off` runs everything in one process. `on` by
   * default since the fifth session: with everything in one process a storm's acknowledgements
   * waited on the workers (ack p99 0.6–5 s at 250–500/s), split and niced they took 68–71 ms.
   */
  HELPDESK_WORKER_PROCESS: z.enum(['on', 'off']).default('on'),
  /**
   * Scheduling priority (nice, 0–19) of the drain side when the worker runs in its own process: the
   * worker and the local store's FerretDB and PostgreSQL (their database work). Above 0 the
   * acknowledging process and Redis win the CPU when a storm's drain wants all of it; the drain gets
   * the rest. 10 by default: in the lead's quiet alternated pairs (fourth session) 10 against 0 gave an
   * ack p99 at 500/s of 68–71 ms against 0.8–2.5 s and drained faster too (docs/storm.md). Under other
   * programs' load at nice 0 (h-ack's shared-machine pairs) the drain side gives way to them as well.
   */
  HELPDESK_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Received mail (SMTP, IMAP) turned into tickets at once per worker process. */
  HELPDESK_EMAIL_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long a worker's claim on a job lasts without renewal: a killed worker's jobs are taken up again after it. */
  HELPDESK_JOB_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /**
   * A Redis Cluster instead of REDIS_URL: comma-separated seed nodes, `host:port` or
   * `redis://[user:password@]host:port` (credentials and TLS from the first URL; `rediss:` for TLS).
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .trim()
    .max(4096)
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const nodes = v.split(',').map((n) => n.trim()).filter(Boolean);
      if (nodes.length > 64) ctx.addIssue({ code: 'custom', message: 'at most 64 seed nodes' });
      const parsed = nodes.map((n) => parseRedisNode(n));
      const bad = nodes.filter((_, i) => !parsed[i]);
      if (bad.length) ctx.addIssue({ code: 'custom', message: `expected host:port or redis://host:port, got ${bad.slice(0, 3).map((b) => JSON.stringify(b.slice(0, 100))).join(', ')}` });
      return parsed.filter((n) => n !== undefined);
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KB_DIR: optionalString,
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString,
  SLACK_API_URL: url(['http:', 'https:']).optional().or(z.literal('').transform(() => undefined)),
  /** `slack`: answer in each person's Slack language (one users.info call per request, scope users:read). */
  SLACK_USER_LOCALE: z.enum(['desk', 'slack']).default('desk'),
  TEAMS_APP_ID: optionalString,
  TEAMS_APP_PASSWORD: optionalString,
  TEAMS_TENANT_ID: optionalString,
  /** Bot Framework identity endpoints for other clouds (see docs/teams.md); unset: the public cloud. */
  TEAMS_CHANNEL_SERVICE: url(['https:']).optional().or(z.literal('').transform(() => undefined)),
  TEAMS_OPENID_METADATA_URL: url(['http:', 'https:']).optional().or(z.literal('').transform(() => undefined)),
  TEAMS_TOKEN_ISSUER: optionalString,
  /** MSAL accepts only https authorities. */
  TEAMS_LOGIN_URL: url(['https:']).optional().or(z.literal('').transform(() => undefined)),
  TEAMS_OAUTH_SCOPE: optionalString,
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString,
  DISCORD_API_URL: url(['http:', 'https:']).optional().or(z.literal('').transform(() => undefined)),
  /** Web channel and console: the address browsers use (links in the log, invites, OIDC redirect). Default http://localhost:PORT. */
  HELPDESK_PUBLIC_URL: url(['http:', 'https:']).optional().or(z.literal('').transform(() => undefined)),
  /** Signs sessions' magic links; every web replica and the CLI must share it. Default: a random secret kept in the data dir. */
  HELPDESK_WEB_SECRET: z.string().min(32, 'at least 32 characters').optional().or(z.literal('').transform(() => undefined)),
  /** Comma-separated origins allowed to embed the chat widget / call the visitor API (CORS). */
  HELPDESK_WEB_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(url(['http:', 'https:']))),
  /** OpenID Connect sign-in for agents (all three, or none: then magic links). */
  OIDC_ISSUER: url(['http:', 'https:']).optional().or(z.literal('').transform(() => undefined)),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  /** `off` disables the email channel (SMTP listener, inbound worker and outbound mail). */
  EMAIL: z.enum(['on', 'off']).default('on'),
  /** The SMTP listener (mail in for the desks' addresses). Port 0: any free port. */
  SMTP_LISTEN_HOST: z.string().trim().min(1).default('127.0.0.1'),
  SMTP_LISTEN_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  /** Largest message accepted, in bytes (refused with 552 during DATA). */
  SMTP_MAX_BYTES: z.coerce.number().int().min(1024).max(200 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Outgoing mail server (`smtp://user:pass@host:587`, `smtps://…`); unset: mail is written to <data dir>/outbox/*.eml. */
  SMTP_URL: url(['smtp:', 'smtps:']).optional().or(z.literal('').transform(() => undefined)),
  /** Key of the signed reply addresses and Message-IDs (≥ 32 characters); unset: one generated and kept in MongoDB. */
  /** A mailbox read as intake (`imaps://user:pass@host:993/INBOX`), for the first desk with an email address. */
  IMAP_URL: url(['imap:', 'imaps:']).optional().or(z.literal('').transform(() => undefined)),
  EMAIL_SIGNING_SECRET: z.string().min(32, 'at least 32 characters').optional().or(z.literal('').transform(() => undefined)),
  /** Largest received file kept, bytes (larger ones are refused whole and the requester is told). A desk's `channels.email.attachments` overrides. */
  EMAIL_ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(0).max(200 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Bytes of files kept per ticket. */
  EMAIL_TICKET_ATTACHMENTS_MAX_BYTES: z.coerce.number().int().min(0).max(2 * 1024 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Files kept per ticket. */
  EMAIL_TICKET_ATTACHMENTS_MAX_FILES: z.coerce.number().int().min(0).max(1000).default(20),
  /** Alert intake (docs/incidents.md). Unset: that webhook answers 404 (never open). */
  ALERTMANAGER_TOKEN: z.string().trim().min(16, 'at least 16 characters').max(1024).optional().or(z.literal('').transform(() => undefined)),
  GRAFANA_TOKEN: z.string().trim().min(16, 'at least 16 characters').max(1024).optional().or(z.literal('').transform(() => undefined)),
  ALERT_WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters').max(1024).optional().or(z.literal('').transform(() => undefined)),
  /** Alert jobs (notifications, checks, timers) processed at once per worker process. */
  HELPDESK_ALERT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  /**
   * Storm-aware triage (docs/storm.md): a new card that would wait longer than this behind its tier
   * channel's posting backlog joins the channel's "N new tickets" card instead. Every web and worker
   * replica must use the same values.
   */
  HELPDESK_STORM_THRESHOLD_MS: z.coerce.number().int().min(1000, 'at least 1000 (1 s)').max(300_000, 'at most 300000 (5 min); above ~35 s tickets are no longer visible within 60 s').default(30_000),
  /** Storm mode ends when the backlog is under this (and tickets arrive at under half the channel's posting rate). */
  HELPDESK_STORM_CLEAR_BACKLOG_MS: z.coerce.number().int().min(0).max(300_000, 'at most 300000 (5 min)').default(5_000),
  /** The arrival rate that ends a storm is averaged over this (exponential decay). */
  HELPDESK_STORM_WINDOW_MS: z.coerce.number().int().min(1000, 'at least 1000 (1 s)').max(3_600_000, 'at most 3600000 (1 h)').default(30_000),
  /** Tickets listed per storm card; the next one starts a new card. */
  HELPDESK_STORM_CAPACITY: z.coerce
    .number()
    .int()
    .min(1)
    .max(STORM_CARD_CAPACITY_MAX, `at most ${STORM_CARD_CAPACITY_MAX}: a larger card would not fit Slack's, Discord's or Teams' message limits`)
    .default(50),
});

/** One Redis Cluster seed node: `host:port` or a `redis(s)://` URL. */
function parseRedisNode(n: string): { host: string; port: number; username?: string; password?: string; tls: boolean } | undefined {
  let u: URL;
  try {
    u = new URL(/^rediss?:\/\//.test(n) ? n : `redis://${n}`);
  } catch {
    return undefined;
  }
  const port = Number(u.port || 6379);
  if (!u.hostname || !Number.isInteger(port) || port < 1 || port > 65535 || (u.pathname !== '' && u.pathname !== '/')) return undefined;
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:',
  };
}

/** A Redis Cluster connection as jobs/ takes it (`{ cluster, options }`). */
export interface RedisClusterSettings {
  cluster: Array<{ host: string; port: number }>;
  options: { redisOptions: { username?: string; password?: string; tls?: object } };
}

export type Env = z.infer<typeof envSchema>;

/** The email channel's settings (adapters/email). */
export interface EmailSettings {
  listenHost: string;
  listenPort: number;
  maxBytes: number;
  smtpUrl?: string;
  signingSecret?: string;
  imapUrl?: string;
  attachmentLimits: { maxFileBytes: number; maxTicketBytes: number; maxFiles: number };
}

/** TEAMS_CHANNEL_SERVICE … TEAMS_OAUTH_SCOPE, as the Teams adapter's `identity` option takes them. */
export interface TeamsIdentityEnv {
  channelService?: string;
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
  loginUrl?: string;
  oauthScope?: string;
}

/** The ChannelService value botbuilder knows besides the public cloud. */
const US_GOV_CHANNEL_SERVICE = 'https://botframework.azure.us';

export interface PlatformSettings {
  slack?: { botToken: string; signingSecret: string; appToken?: string; apiUrl?: string; userLocale: 'desk' | 'slack' };
  teams?: { appId?: string; appPassword?: string; tenantId?: string; identity?: TeamsIdentityEnv };
  discord?: { token: string; applicationId: string; apiUrl?: string };
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** HELPDESK_STORM_*, as `createJobsClient({ storm })` / `startWorkers({ storm })` take them (jobs/triage-storm.ts StormOptions). */
export interface StormSettings {
  thresholdMs: number;
  clearBacklogMs: number;
  windowMs: number;
  capacity: number;
}

/** Parses the environment; throws ConfigError naming each bad variable. The only reader of process.env. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Env & { platforms: PlatformSettings; redisCluster?: RedisClusterSettings; oidc?: OidcSettings; email?: EmailSettings; storm: StormSettings } {
  const r = envSchema.safeParse(env);
  if (!r.success) throw new ConfigError('environment', describeIssues(r.error.issues));
  const e = r.data;
  const problems: string[] = [];
  const platforms: PlatformSettings = {};
  if (e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN) {
    if (!e.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required when Slack is configured');
    if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) problems.push('SLACK_SIGNING_SECRET: required for HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
    if (e.SLACK_BOT_TOKEN) platforms.slack = { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET ?? '', appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL, userLocale: e.SLACK_USER_LOCALE };
  }
  if (e.TEAMS_APP_ID || e.TEAMS_APP_PASSWORD) {
    if (!e.TEAMS_APP_ID || !e.TEAMS_APP_PASSWORD) problems.push('TEAMS_APP_ID and TEAMS_APP_PASSWORD: both are required to enable Teams');
    else {
      const identity: TeamsIdentityEnv = {
        channelService: e.TEAMS_CHANNEL_SERVICE,
        openIdMetadataUrl: e.TEAMS_OPENID_METADATA_URL,
        tokenIssuer: e.TEAMS_TOKEN_ISSUER,
        loginUrl: e.TEAMS_LOGIN_URL,
        oauthScope: e.TEAMS_OAUTH_SCOPE,
      };
      // botbuilder knows only the public and the US Government cloud by name; any other needs every endpoint.
      if (identity.channelService && identity.channelService !== US_GOV_CHANNEL_SERVICE) {
        const missing = (['TEAMS_OPENID_METADATA_URL', 'TEAMS_TOKEN_ISSUER', 'TEAMS_LOGIN_URL', 'TEAMS_OAUTH_SCOPE'] as const).filter((k) => !e[k]);
        if (missing.length) problems.push(`${missing.join(', ')}: required when TEAMS_CHANNEL_SERVICE is not ${US_GOV_CHANNEL_SERVICE} (a private cloud)`);
      }
      platforms.teams = { appId: e.TEAMS_APP_ID, appPassword: e.TEAMS_APP_PASSWORD, tenantId: e.TEAMS_TENANT_ID, identity };
    }
  }
  if (e.DISCORD_TOKEN || e.DISCORD_APPLICATION_ID) {
    if (!e.DISCORD_TOKEN || !e.DISCORD_APPLICATION_ID) problems.push('DISCORD_TOKEN and DISCORD_APPLICATION_ID: both are required to enable Discord');
    else platforms.discord = { token: e.DISCORD_TOKEN, applicationId: e.DISCORD_APPLICATION_ID, apiUrl: e.DISCORD_API_URL };
  }
  let oidc: OidcSettings | undefined;
  if (e.OIDC_ISSUER || e.OIDC_CLIENT_ID || e.OIDC_CLIENT_SECRET) {
    if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET: all three are required to enable OpenID Connect sign-in');
    else oidc = { issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET };
  }
  if (e.HELPDESK_STORM_CLEAR_BACKLOG_MS >= e.HELPDESK_STORM_THRESHOLD_MS) {
    problems.push(`HELPDESK_STORM_CLEAR_BACKLOG_MS: must be less than HELPDESK_STORM_THRESHOLD_MS (${e.HELPDESK_STORM_THRESHOLD_MS}), or a storm would end as soon as it began`);
  }
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) problems.push('REDIS_URL and REDIS_CLUSTER_NODES: set one (a single Redis or a Redis Cluster), not both');
  if (problems.length) throw new ConfigError('environment', problems);
  const seed = e.REDIS_CLUSTER_NODES?.[0];
  const redisCluster: RedisClusterSettings | undefined = seed
    ? {
        cluster: e.REDIS_CLUSTER_NODES!.map(({ host, port }) => ({ host, port })),
        options: { redisOptions: { username: seed.username, password: seed.password, ...(seed.tls ? { tls: {} } : {}) } },
      }
    : undefined;
  const email: EmailSettings | undefined =
    e.EMAIL === 'on'
      ? {
          listenHost: e.SMTP_LISTEN_HOST, listenPort: e.SMTP_LISTEN_PORT, maxBytes: e.SMTP_MAX_BYTES, smtpUrl: e.SMTP_URL, signingSecret: e.EMAIL_SIGNING_SECRET,
          imapUrl: e.IMAP_URL,
          attachmentLimits: { maxFileBytes: e.EMAIL_ATTACHMENT_MAX_BYTES, maxTicketBytes: e.EMAIL_TICKET_ATTACHMENTS_MAX_BYTES, maxFiles: e.EMAIL_TICKET_ATTACHMENTS_MAX_FILES },
        }
      : undefined;
  const storm: StormSettings = { thresholdMs: e.HELPDESK_STORM_THRESHOLD_MS, clearBacklogMs: e.HELPDESK_STORM_CLEAR_BACKLOG_MS, windowMs: e.HELPDESK_STORM_WINDOW_MS, capacity: e.HELPDESK_STORM_CAPACITY };
  return { ...e, platforms, redisCluster, oidc, email, storm };
}
