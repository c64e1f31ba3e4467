import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from './connection.js';
import { isHelpdeskError } from '../core/domain/errors.js';
import type { Identity, Platform } from '../core/domain/identity.js';
import type { Link } from '../core/domain/link.js';
import { PlatformError, type ChatPlatform, type Posted, type PostTarget } from '../core/ports/chat-platform.port.js';
import type { Clock } from '../core/ports/clock.port.js';
import type { Delivery, DeliveryOp } from '../core/ports/delivery.port.js';
import type { Logger } from '../core/ports/logger.port.js';
import type { MessageRefStore } from '../core/ports/message-ref.port.js';
import type { TicketStore } from '../core/ports/ticket-store.port.js';
import type { Ticket } from '../core/domain/ticket.js';
import { performDelivery } from '../core/use-cases/deliver.js';
import type { StormCardDeps } from '../core/use-cases/flush-storm-card.js';
import type { RedisTriageStorm } from './triage-storm.js';
import type { View } from '../core/views/view.js';
import { deliveryChannel, toRequester } from './delivery.queue.js';
import { inDestinationOrder, type OrderPlace } from './delivery.order.js';
import type { ChannelLedger } from './channel-ledger.js';
import { QUEUE, type DeliveryJob } from './names.js';
import { helperKey } from './queues.js';
import { RedisRateLimiter, type PlatformLimits } from './rate-limit.js';
import type { WorkerTuning } from './tuning.js';

export interface DeliveryWorkerOptions {
  /**
   * First retry delay in ms; attempt n waits base·2^(n−1), capped, with full jitter in [½, 1].
   * @defaultValue 1000
   */
  backoffBaseMs?: number;
  /** @defaultValue 300000 (5 minutes) */
  backoffMaxMs?: number;
  /** Per-platform overrides of the token buckets. */
  limits?: Partial<Record<Platform, Partial<PlatformLimits>>>;
  /** @defaultValue 10 */
  concurrency?: number;
  /**
   * Called after a platform accepted a message and its sent marker is stored, before the job
   * completes (instrumentation; tests use it to kill a worker at exactly that point).
   */
  afterSend?: (op: DeliveryOp, job: Job<DeliveryJob>) => Promise<void> | void;
}

/** Jittered exponential backoff; a platform's Retry-After wins when it is longer. */
export function deliveryBackoff(attemptsMade: number, err: Error | undefined, o: DeliveryWorkerOptions): number {
  const base = o.backoffBaseMs ?? 1000;
  const cap = o.backoffMaxMs ?? 300_000;
  const exp = Math.min(cap, base * 2 ** Math.max(0, attemptsMade - 1));
  const jittered = Math.round(exp / 2 + Math.random() * (exp / 2));
  const retryAfter = err instanceof PlatformError && err.retryAfterMs !== undefined ? err.retryAfterMs : 0;
  // Retry-After is a minimum: add a little jitter above it so replicas do not stampede together.
  return retryAfter > 0 ? Math.round(retryAfter + Math.random() * Math.min(retryAfter * 0.1, 1000)) : jittered;
}

const MARKER_TTL_S = 7 * 24 * 3600;

/**
 * Wraps the platforms so that each successful send leaves a "sent" marker (with what the platform
 * returned) under the job's id. A retry of the same job finds the marker and reuses the result
 * instead of sending again: a worker killed after sending but before completing the job does not
 * duplicate the message. (Only a crash between the platform's answer and the marker write can.)
 */
function withSentMarkers(platforms: ReadonlyMap<Platform, ChatPlatform>, redis: RedisClient, markerKey: string, prior: string | null, after: () => Promise<void>, ordered?: { ledger: ChannelLedger; place: OrderPlace }): Map<Platform, ChatPlatform> {
  // `prior`: the marker as the job read it on start (one GET per job, not one per send).
  let marked = prior;
  const mark = async (value: string): Promise<void> => {
    marked = value;
    if (!ordered) {
      await redis.set(markerKey, value, 'EX', MARKER_TTL_S);
      return;
    }
    // An ordered post leaves its destination's order in the same script (the next one may go).
    const { ledger, place } = ordered;
    await ledger.sent(place.platform, place.destination, place.jobId, markerKey, value, MARKER_TTL_S);
    place.left = true;
  };
  const once = async <T>(send: () => Promise<T>): Promise<T> => {
    if (marked !== null) return JSON.parse(marked) as T;
    const result = await send();
    await mark(JSON.stringify(result ?? null));
    await after();
    return result;
  };
  const wrapped = new Map<Platform, ChatPlatform>();
  for (const [name, p] of platforms) {
    wrapped.set(name, {
      platform: p.platform,
      capabilities: p.capabilities,
      post: (target: PostTarget, view: View): Promise<Posted> => once(() => p.post(target, view)),
      update: (link: Link, view: View): Promise<void> => once(() => p.update(link, view)),
      dm: (person: Identity, view: View): Promise<Posted> => once(() => p.dm(person, view)),
      ...(p.openTicketThread ? { openTicketThread: p.openTicketThread.bind(p) } : {}),
    });
  }
  return wrapped;
}

export interface DeliveryWorkerDeps {
  platforms: ReadonlyMap<Platform, ChatPlatform>;
  store: TicketStore;
  clock: Clock;
  redis: RedisClient;
  prefix: string;
  log: Logger;
  /** The delivery queue itself: relays a just-stored link missed are enqueued as their own jobs. */
  followUp?: Delivery;
  /** Renders storm cards (`storm_card` jobs) and holds channels on Retry-After in its ledger. */
  stormCards?: StormCardDeps & { storm: RedisTriageStorm };
  /** Keyed message refs for `announce` deliveries (incident broadcasts). */
  refs?: MessageRefStore;
  /**
   * Called with the ticket a delivery's link write left (a card's or a DM's link): the ticket's SLA
   * timer gets that copy (`JobsScheduler.refreshSlaCopy`). A failure is logged, not retried.
   */
  linked?: (t: Ticket) => Promise<void>;
}

/** The delivery queue's consumer: rate limit, send through `performDelivery`, classify failures. */
export function createDeliveryWorker(d: DeliveryWorkerDeps, connection: RedisClient, o: DeliveryWorkerOptions = {}, tuning: WorkerTuning = {}): Worker<DeliveryJob> {
  const limiter = new RedisRateLimiter(d.redis, d.prefix, o.limits);
  // Each destination's posts in queue order (jobs/delivery.order.ts).
  const ledger = d.stormCards?.storm;
  const processor = inDestinationOrder(ledger, async (job: Job<DeliveryJob>, token?: string, place?: OrderPlace): Promise<void> => {
    const op = job.data.op;
    const markerKey = helperKey(d.prefix, 'sent', job.id ?? op.key);
    // A job already sent (its marker exists) needs no token: it will not reach the platform.
    const prior = await d.redis.get(markerKey);
    if (prior === null) {
      // A message to the requester (a DM, or a post in their conversation) leaves the platform's
      // reserve to the tier channels and, turned away, waits in line (RedisRateLimiter.take).
      const wait = await limiter.take(op.platform, deliveryChannel(op), { dm: toRequester(op) });
      if (wait > 0) {
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
    }
    const platforms = withSentMarkers(d.platforms, d.redis, markerKey, prior, async () => o.afterSend?.(op, job), ledger && place ? { ledger, place } : undefined);
    let linked: Ticket | void;
    try {
      linked = await performDelivery({ platforms, store: d.store, clock: d.clock, ...(d.followUp ? { followUp: d.followUp } : {}), ...(d.refs ? { refs: d.refs } : {}), ...(d.stormCards ? { stormCards: d.stormCards } : {}) }, op);
    } catch (e) {
      if (e instanceof PlatformError) {
        if (e.retryAfterMs) {
          await limiter.block(op.platform, deliveryChannel(op), e.retryAfterMs);
          await d.stormCards?.storm.block(op.platform, deliveryChannel(op), e.retryAfterMs);
        }
        if (!e.retryable) throw new UnrecoverableError(`${e.message} (status ${e.status ?? '?'})`);
      } else if (isHelpdeskError(e) && !e.retryable) {
        throw new UnrecoverableError(`${e.code}: ${e.message}`);
      }
      throw e;
    }
    if (linked && d.linked) await d.linked(linked).catch((e: unknown) => d.log.warn({ ticket: linked.id, err: (e as Error).message }, 'SLA timer copy not refreshed'));
  });
  const worker = new Worker<DeliveryJob>(QUEUE.delivery, processor, {
    connection,
    prefix: d.prefix,
    concurrency: o.concurrency ?? 10,
    ...tuning,
    settings: { backoffStrategy: (attemptsMade, _type, err) => deliveryBackoff(attemptsMade, err, o) },
  });
  worker.on('failed', (job, err) => {
    const final = job && (err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1));
    const meta = { queue: QUEUE.delivery, job: job?.id, key: job?.data.op.key, platform: job?.data.op.platform, attempts: job?.attemptsMade, err: err.message };
    if (final) d.log.error(meta, 'delivery failed for good (kept in the failed set)');
    else d.log.warn(meta, 'delivery failed; will retry');
  });
  return worker;
}
