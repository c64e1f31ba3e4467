import type { Worker } from 'bullmq';
import type { Platform } from '../core/domain/identity.js';
import type { Ticket } from '../core/domain/ticket.js';
import type { ChatPlatform } from '../core/ports/chat-platform.port.js';
import { silentLogger, type Logger } from '../core/ports/logger.port.js';
import type { CoreDeps } from '../core/use-cases/deps.js';
import { createAutomationWorker } from './automation.worker.js';
import { quitQuietly, redisClient, throttledErrorLog, type JobsOptions, type RedisClient } from './connection.js';
import { digestDays } from './digest.js';
import { QueueDelivery, type QueueDeliveryOptions } from './delivery.queue.js';
import { createDeliveryWorker, type DeliveryWorkerOptions } from './delivery.worker.js';
import { createJobsMetrics, type JobsMetrics } from './metrics.js';
import { QUEUE, QUEUE_NAMES, type AutomationJob, type QueueName } from './names.js';
import { createQueues, type JobsQueues } from './queues.js';
import { JobsScheduler } from './scheduler.js';
import { createSlaWorker } from './sla.worker.js';
import type { WorkerTuning } from './tuning.js';
import { RedisTriageStorm, type StormOptions } from './triage-storm.js';
import { RedisRateLimiter } from './rate-limit.js';
import type { TextSignature } from '../core/ports/text-signature.port.js';
import type { SpikeStore } from '../core/ports/spike-store.port.js';
import { QueueSpikeRenders } from './spike-window.redis.js';

export type { JobsConnection, JobsOptions, RedisClient, RedisClusterConnection } from './connection.js';
export { isCluster, keyPrefix, probeClient, redisClient } from './connection.js';
export { QueueDelivery, deliveryJobId } from './delivery.queue.js';
export { createJobsMetrics, type JobsMetrics } from './metrics.js';
export { listFailed, queueHealth, retryFailed, type QueueHealth } from './ops.js';
export { createQueues, type JobsQueues } from './queues.js';
export { JobsScheduler } from './scheduler.js';
export { ChannelLedger, RedisTriageStorm, type StormOptions } from './triage-storm.js';
export { QueueSpikeRenders, RedisSpikeWindow } from './spike-window.redis.js';

/** Queues plus the queue-backed Delivery, for `composeHelpdesk({ delivery: () => client.delivery })`. */
export interface JobsClient {
  queues: JobsQueues;
  delivery: QueueDelivery;
  /** The storm-aware triage state (pass to `composeHelpdesk({ storm })`). */
  storm: RedisTriageStorm;
  /** Spike cards' delayed count edits as automation jobs (pass to `composeHelpdesk({ spikeRenders })`). */
  spikeRenders: QueueSpikeRenders;
  close(): Promise<void>;
}

/** Opens the queues and the production Delivery (every role that composes a helpdesk needs one). */
export function createJobsClient(o: JobsOptions & { delivery?: QueueDeliveryOptions; storm?: StormOptions }): JobsClient {
  const queues = createQueues(o);
  const storm = new RedisTriageStorm(queues.redis, queues.prefix, o.storm);
  const limiter = new RedisRateLimiter(queues.redis, queues.prefix, o.storm?.limits);
  return { queues, delivery: new QueueDelivery(queues.delivery, { ledger: storm, turn: (p) => limiter.turn(p), ...o.delivery }), storm, spikeRenders: new QueueSpikeRenders(queues.automation), close: () => queues.close() };
}

export interface SchedulerOptions extends JobsOptions {
  deps: CoreDeps;
  log?: Logger;
  /** Reuse a client's queues instead of opening new ones. */
  client?: JobsClient;
}

/**
 * For the `web` role (processes that change tickets but run no workers): subscribes to `deps.events`
 * and turns ticket changes into SLA timers and automation jobs. Do not also call it where
 * `startWorkers` runs (`worker`, `all`): that attaches its own.
 */
export function createJobsScheduler(o: SchedulerOptions): { scheduler: JobsScheduler; close(): Promise<void> } {
  const queues = o.client?.queues ?? createQueues({ ...o, log: o.log });
  const scheduler = new JobsScheduler(queues, o.deps, o.log ?? silentLogger);
  const detach = scheduler.attach(o.deps.events);
  return {
    scheduler,
    async close() {
      detach();
      if (!o.client) await queues.close();
    },
  };
}

export interface StartWorkersOptions extends JobsOptions {
  deps: CoreDeps;
  /** The platforms' outbound sides (Composed.platforms). */
  platforms: ReadonlyMap<Platform, ChatPlatform>;
  log?: Logger;
  /** Composed.idempotency: pruned hourly of ids older than a day. */
  idempotency?: { prune(before: Date): Promise<number> };
  delivery?: DeliveryWorkerOptions & QueueDeliveryOptions;
  /** @defaultValue 20 */
  slaConcurrency?: number;
  /** @defaultValue 10 */
  automationConcurrency?: number;
  tuning?: WorkerTuning;
  /**
   * Subscribe the scheduler to `deps.events` (what workers change, e.g. an automatic escalation,
   * needs new timers). Leave on unless this process already called createJobsScheduler.
   * @defaultValue true
   */
  attachScheduler?: boolean;
  /** Add the metrics to this registry (else a new one is returned). */
  metrics?: JobsMetrics;
  /** Consume only these queues. @defaultValue all */
  only?: QueueName[];
  /** Spike suggestions (Composed.spikes), for spike cards' delayed count edits (`spike_render` jobs). */
  spikes?: SpikeStore;
  /** Upsert the digest and prune job schedulers at start. @defaultValue true */
  schedulers?: boolean;
  /** Storm-mode thresholds (the same as the client's); posting limits come from `delivery.limits`. */
  storm?: Omit<StormOptions, 'limits'>;
  /**
   * Groups near-identical tickets on storm cards (kb/signature.ts). Without it, tickets group only
   * when their subjects are the same.
   */
  signature?: TextSignature;
}

export interface RunningWorkers {
  queues: JobsQueues;
  delivery: QueueDelivery;
  metrics: JobsMetrics;
  workers: Worker[];
  scheduler?: JobsScheduler;
  /** Stops taking jobs and waits for running ones (`force`: do not wait). */
  close(force?: boolean): Promise<void>;
}

/** Digests per desk (when `automation.digestCron` is set) and the hourly prune of processed events. */
export async function upsertJobSchedulers(queues: JobsQueues, deps: CoreDeps, withPrune: boolean): Promise<void> {
  const q = queues.automation;
  const wanted = new Set<string>();
  for (const desk of deps.directory.desks()) {
    const cron = desk.automation.digestCron;
    if (!cron) continue;
    const id = `digest-${desk.id}`;
    wanted.add(id);
    const data: AutomationJob = { kind: 'digest', deskId: desk.id, days: digestDays(cron) };
    await q.upsertJobScheduler(id, { pattern: cron, tz: desk.businessHours.timezone }, { name: 'digest', data });
  }
  for (const s of await q.getJobSchedulers(0, -1)) {
    const id = s.id ?? s.key;
    if (id?.startsWith('digest-') && !wanted.has(id)) await q.removeJobScheduler(id);
  }
  if (withPrune) await q.upsertJobScheduler('prune-processed', { every: 3600_000 }, { name: 'prune_processed', data: { kind: 'prune_processed' } });
}

/**
 * Starts the BullMQ consumers (delivery, SLA, automation) for the `worker` and `all` roles.
 * Every worker has its own Redis connection; `close()` waits for running jobs.
 */
export async function startWorkers(o: StartWorkersOptions): Promise<RunningWorkers> {
  const log = o.log ?? silentLogger;
  const queues = createQueues({ ...o, log });
  const storm = new RedisTriageStorm(queues.redis, queues.prefix, { ...o.storm, ...(o.delivery?.limits ? { limits: o.delivery.limits } : {}) });
  const limiter = new RedisRateLimiter(queues.redis, queues.prefix, o.delivery?.limits);
  const delivery = new QueueDelivery(queues.delivery, { ledger: storm, turn: (p) => limiter.turn(p), ...o.delivery });
  const metrics = o.metrics ?? createJobsMetrics([queues.delivery, queues.sla, queues.automation]);
  const only = new Set(o.only ?? QUEUE_NAMES);
  const conns: RedisClient[] = [];
  const conn = () => {
    const c = redisClient(o.connection, throttledErrorLog(log, 'worker'));
    conns.push(c);
    return c;
  };
  const workers: Worker[] = [];
  const planner = new JobsScheduler(queues, o.deps, log);
  if (only.has(QUEUE.delivery)) {
    const w = createDeliveryWorker(
      {
        platforms: o.platforms,
        store: o.deps.store,
        clock: o.deps.clock,
        redis: queues.redis,
        prefix: queues.prefix,
        log,
        followUp: delivery,
        ...(o.deps.messageRefs ? { refs: o.deps.messageRefs } : {}),
        stormCards: { directory: o.deps.directory, storm, signature: o.signature ?? (() => []) },
        // A stored link moves the ticket's version: its SLA timer gets the new copy (no read at its breach).
        linked: (t: Ticket) => planner.refreshSlaCopy(t),
      },
      conn(),
      o.delivery,
      o.tuning,
    );
    metrics.track(w, QUEUE.delivery);
    workers.push(w);
  }
  if (only.has(QUEUE.sla)) {
    const w = createSlaWorker({ deps: o.deps, delivery, redis: queues.redis, prefix: queues.prefix, log, metrics, queue: queues.sla }, conn(), o.slaConcurrency ?? 20, o.tuning);
    metrics.track(w, QUEUE.sla);
    workers.push(w);
  }
  if (only.has(QUEUE.automation)) {
    const w = createAutomationWorker({ deps: o.deps, delivery, queues, log, idempotency: o.idempotency, ...(o.spikes ? { spikes: o.spikes } : {}) }, conn(), o.automationConcurrency ?? 10, o.tuning);
    metrics.track(w, QUEUE.automation);
    workers.push(w);
  }
  for (const w of workers) w.on('error', throttledErrorLog(log, `worker ${w.name}`));
  if (o.schedulers !== false) await upsertJobSchedulers(queues, o.deps, o.idempotency !== undefined);
  const scheduler = o.attachScheduler === false ? undefined : new JobsScheduler(queues, o.deps, log);
  const detach = scheduler?.attach(o.deps.events);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    queues,
    delivery,
    metrics,
    workers,
    scheduler,
    async close(force = false) {
      detach?.();
      await Promise.all(workers.map((w) => w.close(force)));
      await queues.close();
      await Promise.all(conns.map(quitQuietly));
    },
  };
}
