import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from './connection.js';
import { UnreadablePayloadError, type IntakeEnvelope, type IntakeHandler, type IntakePlatform } from '../adapters/shared/intake.js';
import type { Logger } from '../core/ports/logger.port.js';
import { parseEnvelope } from './intake.envelope.js';
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
  tuning?: WorkerTuning;
}

/**
 * Consumes the intake queue: validates each envelope (a malformed one fails for good, named in the
 * log), then hands it to its platform's handler. Errors are retried with backoff (at-least-once;
 * core's writes are keyed by the platform event id, answers go through `answerOnce`).
 */
export function createIntakeWorker(o: IntakeWorkerOptions, connection: RedisClient): Worker<IntakeEnvelope> {
  const once = answerOnce(o.redis, o.prefix);
  const processor = async (job: Job<IntakeEnvelope>): Promise<void> => {
    let e: IntakeEnvelope;
    try {
      e = parseEnvelope(job.data);
    } catch (err) {
      o.log.error({ job: job.id, err: (err as Error).message }, 'intake job dropped');
      throw new UnrecoverableError((err as Error).message);
    }
    const handler = o.handlers.get(e.platform);
    if (!handler) throw new UnrecoverableError(`no ${e.platform} adapter in this process: enable it on every worker`);
    const attempt = job.attemptsMade + 1;
    try {
      await handler(e, { attempt, final: attempt >= (job.opts.attempts ?? 1), answerOnce: once });
    } catch (err) {
      if (!(err instanceof UnreadablePayloadError)) throw err;
      o.log.error({ job: job.id, err: err.message }, 'intake job dropped');
      throw new UnrecoverableError(err.message);
    }
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
