import { getRequestListener } from '@hono/node-server';
import type pino from 'pino';
import { firstSigninKey } from '../adapters/web/auth/auth.routes.js';
import { MagicLinks } from '../adapters/web/auth/magic-link.js';
import { OidcClient } from '../adapters/web/auth/oidc.js';
import { SessionStore } from '../adapters/web/auth/session.js';
import { RedisQueueIndex } from '../adapters/web/console/queue-index.redis.js';
import { createWebChat } from '../adapters/web/chat/chat.module.js';
import { LiveBus } from '../adapters/web/live/live-bus.js';
import { RateLimiter } from '../adapters/web/security/rate-limit.js';
import { createWebApp, type RouteModule } from '../adapters/web/web.app.js';
import type { WebConfig, WebContext } from '../adapters/web/web.context.js';
import { webStrings } from '../adapters/web/web.i18n.js';
import type { Agent } from '../core/domain/desk.js';
import type { KnowledgeBase } from '../core/ports/kb.port.js';
import type { Composed } from './compose.js';
import { gapTerms } from '../kb/gap-terms.js';
import type { JobsQueues } from '../jobs/queues.js';
import type { readEnv } from './config/env.js';
import { dataDirOf, trimTrailingSlashes, webSecret } from './config/web-secret.js';
import type { RequestHandler } from './http-server.js';
import { asCoreLogger } from './logger.js';
import type { InboundIntake, IntakeHandler, IntakePlatform } from '../adapters/shared/intake.js';
import { keyPrefix as prefixFor, redisClient, throttledErrorLog, type JobsConnection } from '../jobs/connection.js';

export interface StartWebOptions {
  cfg: ReturnType<typeof readEnv>;
  composed: Composed;
  kb: KnowledgeBase;
  agents: readonly Agent[];
  /** Redis (a URL, options, or a Redis Cluster), as jobs/ takes it. */
  redisUrl: JobsConnection;
  log: pino.Logger;
  /** Serve HTTP in this process (roles `all` and `web`); every role publishes live events. */
  serveHttp: boolean;
  /** Route modules added after the built-in ones (the live chat). */
  modules?: RouteModule[];
  /** Durable intake: chat writes are recorded here before the browser's 202. */
  intake?: InboundIntake;
  /** Where the intake worker finds the web chat's handler (registered here in every role). */
  intakeHandlers?: Map<IntakePlatform, IntakeHandler>;
  /** The BullMQ queues (the admins' queue health on the reports page). */
  queues?: JobsQueues;
}

export interface RunningWeb {
  /** The Hono app as a Node request listener: the HTTP server's fallback for every non-platform path. */
  listener?: RequestHandler;
  context?: WebContext;
  /** Logs the URLs (and, until someone has signed in, a one-time sign-in link for the first administrator). */
  announce(port: number): Promise<void>;
  stop(): Promise<void>;
}

/** The first administrator: the first desk lead in the desk file, else the first agent. */
/** The agent the start log's one-time link signs in: whoever leads the most desks (first on a tie), else the first agent. */
export const firstAdmin = (agents: readonly Agent[]): Agent | undefined => {
  const leads = (a: Agent) => new Set(a.desks.filter((d) => d.lead).map((d) => d.desk)).size;
  return agents.reduce<Agent | undefined>((best, a) => (!best || leads(a) > leads(best) ? a : best), undefined);
};

/** Mounts the web channel: live-event publishing for every role; the Hono app for web roles. */
export async function startWeb(o: StartWebOptions): Promise<RunningWeb> {
  const { cfg, composed, log } = o;
  // On a Redis Cluster the prefix is a hash tag, so the web's multi-key steps stay on one slot.
  const keyPrefix = `${prefixFor(o.redisUrl, cfg.HELPDESK_QUEUE_PREFIX)}:`;
  const redis = redisClient(o.redisUrl, throttledErrorLog(asCoreLogger(log), 'web: Redis'));
  const coreLog = asCoreLogger(log.child({ platform: 'web' }));
  const live = new LiveBus({ redis, keyPrefix, log: coreLog });
  // Domain events from this process (web actions, Slack buttons, SLA jobs in workers) reach every replica's browsers.
  const unsubscribe = composed.events.subscribe((e) => live.publishTicketEvent(e));
  // The console's queue index (Redis), kept current from domain events in every role.
  const queueIndex = new RedisQueueIndex(redis, keyPrefix, () => composed.store.activeTickets(), (err) => log.warn({ err }, 'queue index rebuild failed'));
  composed.deps.queueIndex = queueIndex;
  // Chat reports and digests: agents' load from the index; the page's address once it is known.
  // Every role (workers send digests): the configured public address, or this process's own once it serves.
  let reportBase = cfg.HELPDESK_PUBLIC_URL === undefined ? undefined : trimTrailingSlashes(cfg.HELPDESK_PUBLIC_URL);
  if (composed.deps.reporting) {
    composed.deps.reporting.load = (ids) => queueIndex.load(ids);
    composed.deps.reporting.pageUrl = (deskId, toDay, days) => (reportBase ? `${reportBase}/console/reports?${new URLSearchParams({ desk: deskId, to: toDay, days: String(days) })}` : undefined);
  }
  // A creation announced with its route (`supersededBy`): the route's event records the newer row.
  const unsubscribeIndex = composed.events.subscribe((e) => (e.supersededBy ? undefined : queueIndex.record(e.ticket, e.before)));
  // The web chat's outbound side: every role (workers deliver agents' replies to browsers).
  const chat = createWebChat({ redis, keyPrefix, ...(o.intake ? { intake: o.intake } : {}) });
  composed.platforms.set('web', chat.platform);
  o.intakeHandlers?.set('web', (e) => chat.replay(composed.helpdesk, e));
  const stops: Array<() => Promise<unknown>> = [async () => unsubscribe(), async () => unsubscribeIndex(), () => live.close(), () => redis.quit(), () => chat.stop()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.warn({ err }, 'web shutdown step failed'));
  };
  if (!o.serveHttp) return { announce: async () => {}, stop };

  await live.start();
  if (!(await queueIndex.isBuilt())) {
    // In the background: until it is built, queues are read from the store.
    const t0 = Date.now();
    void queueIndex.ensureBuilt()?.then((n) => log.info({ tickets: n, ms: Date.now() - t0 }, 'web: console queue index built'));
  }
  await chat.start();
  const secret = webSecret(cfg.HELPDESK_WEB_SECRET, dataDirOf(cfg.HELPDESK_DATA_DIR));
  const publicBase = cfg.HELPDESK_PUBLIC_URL === undefined ? undefined : trimTrailingSlashes(cfg.HELPDESK_PUBLIC_URL);
  const config: WebConfig = {
    publicBaseUrl: publicBase ?? `http://localhost:${cfg.PORT}`,
    allowedOrigins: cfg.HELPDESK_WEB_ORIGINS,
    secureCookies: (publicBase ?? '').startsWith('https:'),
    maxBodyBytes: 64 * 1024,
    enabledPlatforms: [...composed.platforms.keys(), 'web'],
  };
  const ctx: WebContext = {
    helpdesk: composed.helpdesk,
    deps: composed.deps,
    desks: composed.directory.desks(),
    kb: o.kb,
    redis,
    keyPrefix,
    live,
    sessions: new SessionStore(redis, keyPrefix),
    magicLinks: new MagicLinks(secret, redis, keyPrefix),
    oidc: cfg.oidc ? new OidcClient({ ...cfg.oidc, redirectUri: () => `${config.publicBaseUrl}/auth/oidc/callback`, redis, keyPrefix }) : undefined,
    rateLimiter: new RateLimiter(redis, keyPrefix),
    i18n: webStrings,
    log: coreLog,
    config,
    // The reports page: the one report code path, agents' load from the queue index.
    reports: { reports: composed.reports, directory: composed.directory, store: composed.store, terms: (t) => gapTerms(t), load: (ids) => queueIndex.load(ids) },
    jobs: o.queues,
  };
  const app = createWebApp({ ctx, modules: [chat.routes(secret), ...(o.modules ?? [])] });
  const listener = getRequestListener(app.fetch, { overrideGlobalObjects: false });
  return {
    listener: (req, res) => listener(req, res),
    context: ctx,
    async announce(port: number) {
      // PORT=0 (tests) or a default base URL: the address is only known now.
      if (!publicBase) config.publicBaseUrl = `http://localhost:${port}`;
      reportBase = config.publicBaseUrl;
      const base = config.publicBaseUrl;
      log.info({ home: `${base}/`, chat: `${base}/chat`, console: `${base}/console`, reports: `${base}/console/reports` }, `web: open ${base}/ in a browser`);
      const admin = firstAdmin(o.agents);
      if (!admin) return log.warn('web: the desk file lists no agents, so nobody can sign in to the console');
      if (await redis.exists(firstSigninKey(ctx))) return log.info('web: agents sign in with `npx helpdesk web invite <agent id>` (or OpenID Connect when configured)');
      const link = `${base}/auth/magic?t=${ctx.magicLinks.issue(admin.id, 60 * 60_000, 'first-admin')}`;
      log.info({ agent: admin.id, expiresInMinutes: 60, link }, `web: first administrator sign-in (single use, 1 hour): ${link}`);
    },
    stop,
  };
}
