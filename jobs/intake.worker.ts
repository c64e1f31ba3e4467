import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from './connection.js';
import { UnreadablePayloadError, type IntakeEnvelope, type IntakeHandler, type IntakePlatform } from '../adapters/shared/intake.js';
import type { Logger } from '../core/ports/logger.port.js';
import { parseEnvelope } from './intake.envelope.js';
import { doneInOrder, waitTurn } from './intake.order.js';
import { answerOnce, INTAKE_QUEUE } from './intake.queue.js';
import type { WorkerTuning } from './tuning.js';

export interface IntakeWorkerOptions {
  /** One handler per platform this process can answer on (its adapter replays the payload). */
  handlers: ReadonlyMap<IntakePlatform, IntakeHandler>;
  /** Redis client for the answer markers (the queue's). */
  redis: RedisClient;
  prefix: string;
  log: Logger;
  /**
   * Requests processed at once by this process: bounds the load a burst puts on the database.
   * @defaultValue 16
   */
  concurrency?: number;
  /**
   * How long an envelope with `order` waits for an earlier one of its conversation that is not done
   * (being retried, or its worker was killed) before it is processed anyway.
   * @defaultValue 15000
   */
  orderWaitMs?: number;
  tuning?: WorkerTuning;
}

/**
 * Consumes the intake queue: validates each envelope (a malformed one fails for good, named in the
 * log), then hands it to its platform's handler. Errors are retried with backoff (at-least-once;
 * core's writes are keyed by the platform event id, answers go through `answerOnce`).
 */
export function createIntakeWorker(o: IntakeWorkerOptions, connection: RedisClient): Worker<IntakeEnvelope> {
  const once = answerOnce(o.redis, o.prefix);
  const processor = async (job: Job<IntakeEnvelope>, token?: string): Promise<void> => {
    let e: IntakeEnvelope;
    try {
      e = parseEnvelope(job.data);
    } catch (err) {
      o.log.error({ job: job.id, err: (err as Error).message }, 'intake job dropped');
      throw new UnrecoverableError((err as Error).message);
    }
    const handler = o.handlers.get(e.platform);
    if (!handler) throw new UnrecoverableError(`no ${e.platform} adapter in this process: enable it on every worker`);
    // A conversation's messages one after the other, in the order they were written (not attempts: a delay).
    const wait = await waitTurn(o.redis, o.prefix, e, { maxWaitMs: o.orderWaitMs ?? 15_000, pollMs: 200 });
    if (wait > 0) {
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    const attempt = job.attemptsMade + 1;
    const final = attempt >= (job.opts.attempts ?? 1);
    try {
      await handler(e, { attempt, final, answerOnce: once });
    } catch (err) {
      const unreadable = err instanceof UnreadablePayloadError;
      if (final || unreadable || err instanceof UnrecoverableError) await doneInOrder(o.redis, o.prefix, e);
      if (!unreadable) throw err;
      o.log.error({ job: job.id, err: err.message }, 'intake job dropped');
      throw new UnrecoverableError(err.message);
    }
    await doneInOrder(o.redis, o.prefix, e);
  };
  const t = o.tuning ?? {};
  return new Worker<IntakeEnvelope>(INTAKE_QUEUE, processor, {
    connection,
    prefix: o.prefix,
    concurrency: o.concurrency ?? 16,
    ...t,
    // A request whose worker died is taken up again, not failed: it was acknowledged.
    maxStalledCount: t.maxStalledCount ?? 10,
  });
}
