import type { RedisClient as Redis } from '../../jobs/connection.js';
import type { Desk } from '../../core/domain/desk.js';
import type { Helpdesk } from '../../core/helpdesk.js';
import type { CoreDeps } from '../../core/use-cases/deps.js';
import type { ReportDeps } from '../../core/use-cases/desk-metrics-report.js';
import type { JobsQueues } from '../../jobs/queues.js';
import type { KnowledgeBase } from '../../core/ports/kb.port.js';
import type { Logger } from '../../core/ports/logger.port.js';
import type { Platform } from '../../core/domain/identity.js';
import type { LiveBus } from './live/live-bus.js';
import type { MagicLinks } from './auth/magic-link.js';
import type { OidcClient } from './auth/oidc.js';
import type { Session, SessionStore } from './auth/session.js';
import type { RateLimiter } from './security/rate-limit.js';
import type { WebStrings } from './web.i18n.js';

/** Settings of the web channel, read by app/config (never process.env here). */
export interface WebConfig {
  /** The address browsers use, without a trailing slash (`http://localhost:3000`). */
  publicBaseUrl: string;
  /** Origins allowed to call the visitor API / embed the widget (CORS). */
  allowedOrigins: readonly string[];
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  /** Largest request body accepted, bytes. @defaultValue 64 KiB */
  maxBodyBytes: number;
  /** Platforms enabled in this process (for the start page). */
  enabledPlatforms: readonly Platform[];
}

/**
 * What every route module gets (`registerXRoutes(app, ctx)`). Built once by app/web.ts.
 * Use cases go through `helpdesk` and `deps` (core), never the store directly.
 */
export interface WebContext {
  helpdesk: Helpdesk;
  deps: CoreDeps;
  desks: readonly Desk[];
  kb: KnowledgeBase;
  /** A shared Redis connection (sessions, rate limits, single-use tokens). Keys start with `keyPrefix`. */
  redis: Redis;
  keyPrefix: string;
  live: LiveBus;
  sessions: SessionStore;
  magicLinks: MagicLinks;
  /** Present when OpenID Connect is configured. */
  oidc?: OidcClient;
  rateLimiter: RateLimiter;
  /** Localized strings for a locale (`en`, `es`). */
  i18n: (locale: string | undefined) => WebStrings;
  log: Logger;
  config: WebConfig;
  /** What the reports page reads (the same code path as `helpdesk report`). */
  reports?: ReportDeps;
  /** The BullMQ queues, for the admins' queue health (absent where the process has none). */
  jobs?: JobsQueues;
}

/** Variables middleware puts on the Hono context (`c.get('session')`). */
export interface WebVariables {
  /** The signed-in person, if any (set by the session middleware). */
  session?: Session;
  /** CSRF token to render into forms / the `<meta name="csrf-token">` of the page. */
  csrfToken: string;
  /** `en` | `es`, from ?lang, the `lang` cookie, then Accept-Language. */
  locale: 'en' | 'es';
  /** Per-request random id, also in the log line of an error (the reference a person sees). */
  requestId: string;
}

export type WebEnv = { Variables: WebVariables };
