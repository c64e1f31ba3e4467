import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type pino from 'pino';
import { MongoKbArticleStore } from '../core/store/kb-article.store.js';
import { MongoKbFeedbackStore } from '../core/store/kb-feedback.store.js';
import { openKnowledgeBase, type OpenKb } from '../kb/open-kb.js';
import { textSignature } from '../kb/signature.js';
import { createJobsClient, createJobsScheduler, createJobsMetrics, probeClient, RedisSpikeWindow, startWorkers, type JobsConnection } from '../jobs/index.js';
import { composeHelpdesk, type Composed } from './compose.js';
import { readEnv } from './config/env.js';
import { loadDeskFile } from './config/load-desk-file.js';
import { createHttpServer, type RequestHandler } from './http-server.js';
import { asCoreLogger, createLogger } from './logger.js';
import { startEmail } from './email.js';
import { startPlatforms } from './platforms.js';
import { startupChecks } from './doctor/run-doctors.js';
import { startLocalStore } from './services/local-store.js';
import { mongoUriFor } from './services/ferretdb.js';
import { startRedis } from './services/redis.js';
import { lowerTreePriority } from './services/priority.js';
import { IntakeQueue } from '../jobs/intake.queue.js';
import { createIntakeWorker } from '../jobs/intake.worker.js';
import { redisClient, quitQuietly } from '../jobs/connection.js';
import { startWeb } from './web.js';
import { CsatLinks } from '../adapters/web/email/csat-links.js';
import { csatRoutes } from '../adapters/web/email/csat.routes.js';
import { outboxRoutes } from '../adapters/web/email/outbox.routes.js';
import type { Ticket } from '../core/domain/ticket.js';
import { dataDirOf, trimTrailingSlashes, webSecret } from './config/web-secret.js';
import { startAlerts } from './alerts.js';
import { startWorkerProcess } from './worker-process.js';

// The project root, whether running from sources (app/) or from the build (dist/app/).
const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.basename(here) === 'dist' ? path.dirname(here) : here;

export interface StartOptions {
  /**
   * The entry script to run the worker role from in a child process (role `all` with
   * HELPDESK_WORKER_PROCESS=on; `npm start` passes its own). @defaultValue none: one process
   */
  workerProcessEntry?: string;
}

export interface RunningHelpdesk {
  composed: Composed;
  /** Port the HTTP server listens on (roles `all` and `web`). */
  port?: number;
  /** Port of the SMTP listener, when it runs. */
  smtpPort?: number;
  stop(): Promise<void>;
}

/**
 * Starts the helpdesk for the configured role. With nothing configured it runs every role with a
 * local FerretDB and redis-server (data under .data/), the example desk file and the bundled KB.
 */
export async function startHelpdesk(env: NodeJS.ProcessEnv, logger?: pino.Logger, opts: StartOptions = {}): Promise<RunningHelpdesk> {
  const cfg = readEnv(env);
  const log = logger ?? createLogger(cfg.LOG_LEVEL);
  const deskFile = cfg.HELPDESK_CONFIG ?? path.join(root, 'helpdesk.example.yaml');
  const desks = loadDeskFile(deskFile);
  const role = cfg.HELPDESK_ROLE;
  // `npm start`, role all: the worker role runs in a child process (see app/worker-process.ts).
  const workerEntry = role === 'all' && cfg.HELPDESK_WORKER_PROCESS === 'on' ? opts.workerProcessEntry : undefined;
  const has = (r: 'web' | 'gateway' | 'worker') => (role === 'all' ? !(r === 'worker' && workerEntry) : role === r);
  const cleanups: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log.warn({ err }, 'shutdown step failed'));
  };

  try {
    const dataDir = path.resolve(cfg.HELPDESK_DATA_DIR ?? path.join(root, '.data'));
    let mongoUri = cfg.MONGODB_URI;
    /** The local store's server processes (FerretDB, the embedded PostgreSQL): the drain side's database. */
    const storePids: number[] = [];
    if (!mongoUri) {
      const f = await startLocalStore({ dataDir, backend: cfg.HELPDESK_FERRETDB_BACKEND, postgresqlUrl: cfg.HELPDESK_FERRETDB_POSTGRESQL_URL, log: (m) => log.info(m) });
      cleanups.push(() => f.stop());
      for (const pid of [f.pid?.(), f.postgres?.pid?.()]) if (pid) storePids.push(pid);
      mongoUri = mongoUriFor(f.url, 'helpdesk');
      log.info({ url: f.url, backend: f.backend }, 'started local FerretDB 1.24; set MONGODB_URI to use MongoDB');
    }
    let redisUrl: JobsConnection | undefined = cfg.redisCluster ?? cfg.REDIS_URL;
    if (!redisUrl) {
      const r = await startRedis({ dataDir: path.join(dataDir, 'redis') });
      cleanups.push(() => r.stop());
      redisUrl = r.url;
      log.info({ url: r.url }, 'started local redis-server (AOF in the data dir); set REDIS_URL to use your Redis');
    }
    // Inbound requests are recorded before they are acknowledged, on INTAKE_REDIS_URL when given (an
    // acknowledgement then waits only for that server's writes and fsyncs), else on the jobs' Redis.
    // The local default stays one redis-server: a second one on the same disk did not shorten the
    // acknowledgements' tail beyond the noise (docs/storm.md, sixth session, h-ack2).
    const intakeRedis: JobsConnection = cfg.INTAKE_REDIS_URL ?? redisUrl;
    const separateIntake = intakeRedis !== redisUrl;

    if (workerEntry) {
      // The child reaches the services started here; everything else it reads from the same environment.
      const overrides: Record<string, string> = {
        MONGODB_URI: mongoUri,
        ...(typeof redisUrl === 'string' ? { REDIS_URL: redisUrl } : {}),
        ...(typeof intakeRedis === 'string' ? { INTAKE_REDIS_URL: intakeRedis } : {}),
      };
      const wp = startWorkerProcess({ env, overrides, entry: workerEntry, log, nice: cfg.HELPDESK_WORKER_NICE });
      // The worker's database work runs in FerretDB and PostgreSQL (about half a drained request's
      // CPU): they get the worker's priority too, or they keep competing with the acknowledgements
      // at full weight. Redis stays as it is: every acknowledgement waits on it.
      if (cfg.HELPDESK_WORKER_NICE > 0) for (const pid of storePids) lowerTreePriority(pid, cfg.HELPDESK_WORKER_NICE);
      // Stopped before the services it uses (cleanups run in reverse).
      cleanups.push(() => wp.stop());
    }

    const connection = await mongoose.createConnection(mongoUri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
    cleanups.push(() => connection.close());

    const kbDir = path.resolve(cfg.KB_DIR ?? path.join(root, 'kb', 'articles'));
    const articles = new MongoKbArticleStore(connection);
    const kb: OpenKb = await openKnowledgeBase({
      dir: kbDir,
      feedback: new MongoKbFeedbackStore(connection),
      savedArticles: () => articles.list(),
      watch: has('web') || has('gateway'),
      onIssues: (issues) => issues.forEach((i) => log.warn({ file: i.path, reason: i.reason }, 'knowledge-base article skipped')),
      onReload: (info) => log.info(info, 'knowledge base reloaded'),
      onReloadError: (err) => log.error({ err }, 'knowledge base reload failed; still searching the previous index'),
    });
    cleanups.push(() => kb.close());
    log.info({ dir: kbDir, skipped: kb.issues.length }, 'knowledge base loaded');

    const prefix = cfg.HELPDESK_QUEUE_PREFIX;
    // Storm-aware triage settings (HELPDESK_STORM_*): admissions use the client's, renders the workers'.
    const jobs = createJobsClient({ connection: redisUrl, prefix, storm: cfg.storm });
    cleanups.push(() => jobs.close());
    const coreLog = asCoreLogger(log);
    const composed = await composeHelpdesk({ connection, desks: desks.desks, agents: desks.agents, kb: kb.kb, delivery: () => jobs.delivery, storm: jobs.storm, log: coreLog, spikeWindow: new RedisSpikeWindow(jobs.queues.redis, jobs.queues.prefix), spikeRenders: jobs.spikeRenders });

    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const routes = new Map<string, RequestHandler>();
    // Every inbound request is recorded here (Redis, AOF) before the platform gets its acknowledgement.
    const intake = new IntakeQueue({ connection: intakeRedis, prefix, log: coreLog });
    cleanups.push(() => intake.close());
    const platforms = await startPlatforms({ settings: cfg.platforms, composed, routes, log, startGateway: has('gateway'), receiveHttp: has('web'), intake, registry });
    cleanups.push(() => platforms.stop());
    // Email (docs/email.md): SMTP listener on the web role, inbound worker on the worker role.
    // One-click CSAT links in mail (served by the web channel's /rate), signed with the web secret.
    const csatLinks = new CsatLinks(webSecret(cfg.HELPDESK_WEB_SECRET, dataDirOf(cfg.HELPDESK_DATA_DIR)));
    const linkBase = { url: cfg.HELPDESK_PUBLIC_URL ? trimTrailingSlashes(cfg.HELPDESK_PUBLIC_URL) : `http://localhost:${cfg.PORT}` };
    composed.helpdesk.consoleUrl = (n) => `${linkBase.url}/console/tickets/${encodeURIComponent(n)}`;
    const rateUrl = (t: Ticket, score: number) => csatLinks.url(linkBase.url, t.id, score, t.locale ?? composed.directory.desk(t.deskId).locale);
    const email = cfg.email ? await startEmail({ settings: cfg.email, composed, connection: redisUrl, prefix, dataDir, log, listen: has('web'), work: has('worker'), rateUrl, concurrency: cfg.HELPDESK_EMAIL_CONCURRENCY }) : undefined;
    if (email) cleanups.push(() => email.stop());
    // `helpdesk <platform> doctor`'s checks, in the background: problems are warnings, never blocking start.
    void startupChecks({ settings: cfg.platforms, desks: desks.desks, log });

    // The web channel and console (adapters/web): live events from every role, pages on web roles.
    const web = await startWeb({ cfg, composed, kb: kb.kb, agents: desks.agents, redisUrl, log, serveHttp: has('web'), intake, intakeHandlers: platforms.intakeHandlers, modules: [csatRoutes(csatLinks), outboxRoutes(email?.outboxDir)], queues: jobs.queues });

    cleanups.push(() => web.stop());

    if (has('worker')) {
      const workers = await startWorkers({
        connection: redisUrl,
        prefix,
        deps: composed.deps,
        platforms: composed.platforms,
        log: coreLog,
        // The hourly prune forgets processed event ids and superseded write guards older than a day.
        idempotency: { prune: async (before: Date) => (await composed.idempotency.prune(before)) + (await composed.store.pruneGuards(before)) },
        metrics: createJobsMetrics([jobs.queues.delivery, jobs.queues.sla, jobs.queues.automation], registry),
        signature: textSignature(),
        spikes: composed.spikes,
        storm: cfg.storm,
        slaConcurrency: cfg.HELPDESK_SLA_CONCURRENCY,
        automationConcurrency: cfg.HELPDESK_AUTOMATION_CONCURRENCY,
        tuning: { lockDuration: cfg.HELPDESK_JOB_LOCK_MS, stalledInterval: cfg.HELPDESK_JOB_LOCK_MS },
      });
      cleanups.push(() => workers.close());
      // Bounded processing of recorded requests (closed before the platforms and the database).
      const runIntake = (q: IntakeQueue, conn: JobsConnection, concurrency: number) => {
        const intakeConn = redisClient(conn);
        const intakeWorker = createIntakeWorker(
          {
            handlers: platforms.intakeHandlers,
            redis: q.redis,
            prefix: q.prefix,
            log: coreLog,
            concurrency,
            tuning: { lockDuration: cfg.HELPDESK_JOB_LOCK_MS, stalledInterval: cfg.HELPDESK_JOB_LOCK_MS },
          },
          intakeConn,
        );
        intakeWorker.on('error', (err) => log.warn({ err: err.message }, 'intake worker error'));
        cleanups.push(async () => {
          await intakeWorker.close();
          await quitQuietly(intakeConn);
        });
      };
      runIntake(intake, intakeRedis, cfg.HELPDESK_INTAKE_CONCURRENCY);
      // Requests recorded on the jobs' Redis by a process without the intake's own (an upgraded data
      // dir, or a replica not yet given INTAKE_REDIS_URL in a rolling change) were acknowledged: they
      // are processed too. Idle, this worker costs a blocked connection and a stalled check per lock period.
      if (separateIntake) {
        const earlier = new IntakeQueue({ connection: redisUrl, prefix, log: coreLog });
        cleanups.push(() => earlier.close());
        runIntake(earlier, redisUrl, Math.min(cfg.HELPDESK_INTAKE_CONCURRENCY, 16));
        void earlier.backlog().then(
          (left) => left > 0 && log.warn({ requests: left }, "processing requests recorded on the jobs' Redis, not the intake's"),
          () => {},
        );
      }
    } else {
      const scheduler = createJobsScheduler({ connection: redisUrl, prefix, deps: composed.deps, log: coreLog, client: jobs });
      cleanups.push(() => scheduler.close());
    }

    // Alert intake (docs/incidents.md): webhooks on web roles, the alert worker and checks on worker roles.
    const alerts = await startAlerts({
      composed,
      alerting: desks.alerts,
      secrets: { alertmanagerToken: cfg.ALERTMANAGER_TOKEN, grafanaToken: cfg.GRAFANA_TOKEN, webhookSecret: cfg.ALERT_WEBHOOK_SECRET },
      connection: redisUrl,
      prefix,
      routes,
      log,
      receive: has('web'),
      work: has('worker'),
      concurrency: cfg.HELPDESK_ALERT_CONCURRENCY,
      tuning: { lockDuration: cfg.HELPDESK_JOB_LOCK_MS, stalledInterval: cfg.HELPDESK_JOB_LOCK_MS },
    });
    cleanups.push(() => alerts.stop());

    let port: number | undefined;
    if (has('web')) {
      const redis = probeClient(redisUrl);
      cleanups.push(() => redis.quit());
      const intakeProbe = separateIntake ? probeClient(intakeRedis) : undefined;
      if (intakeProbe) cleanups.push(() => intakeProbe.quit());
      const server = createHttpServer({
        log,
        routes,
        ready: async () => {
          const checks: Record<string, string> = {};
          checks.mongodb = await connection.db!.admin().ping().then(() => 'ok', (e: Error) => e.message);
          checks.redis = await redis.ping().then(() => 'ok', (e: Error) => e.message);
          if (intakeProbe) checks.intakeRedis = await intakeProbe.ping().then(() => 'ok', (e: Error) => e.message);
          return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
        },
        metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
        fallback: web.listener,
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(cfg.PORT, cfg.HOST, () => resolve());
      });
      const addr = server.address();
      port = typeof addr === 'object' && addr ? addr.port : cfg.PORT;
      cleanups.push(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));
      // PORT=0: rating links name the port actually bound.
      if (!cfg.HELPDESK_PUBLIC_URL) linkBase.url = `http://localhost:${port}`;
      log.info({ port, routes: [...routes.keys(), '/healthz', '/readyz', '/metrics'] }, 'HTTP server listening');
      await web.announce(port);
    }
    log.info({ role, desks: desks.desks.map((d) => d.id), platforms: [...composed.platforms.keys()], deskFile }, 'helpdesk started');
    return { composed, port, smtpPort: email?.port, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
