import { Queue } from 'bullmq';
import type { AnswerOnce, InboundIntake, IntakeEnvelope } from '../adapters/shared/intake.js';
import { DEFAULT_PREFIX, keyPrefix, quitQuietly, redisClient, throttledErrorLog, type JobsOptions, type RedisClient } from './connection.js';
import { INTAKE_MAX_PAYLOAD_BYTES } from './intake.envelope.js';
import { noteOrder } from './intake.order.js';
import { safeId } from './names.js';
import { helperKey } from './queues.js';
import { runScript } from './lua.js';

/** The queue every inbound request goes through between the platform's acknowledgement and core. */
export const INTAKE_QUEUE = 'intake';

/** The deterministic job id of a request: the platform's own id, so a redelivery is the same job. */
export const intakeJobId = (e: Pick<IntakeEnvelope, 'platform' | 'kind' | 'id'>): string => safeId('in', e.platform, e.kind, e.id);

export interface IntakeQueueOptions extends JobsOptions {
  /**
   * Tries per request before it is kept as failed (visible to `helpdesk jobs failed`, retried by
   * `helpdesk jobs retry`). Backoff doubles from 1 s, so 10 tries span about 17 minutes.
   * @defaultValue 10
   */
  attempts?: number;
}

/**
 * The producer side (every role that receives requests: `web`, `gateway`, `all`). `record` resolves
 * once Redis has written the job to its append-only file (the local redis-server runs with
 * `appendfsync always`): only then does the adapter acknowledge the platform.
 */
export class IntakeQueue implements InboundIntake {
  readonly queue: Queue<IntakeEnvelope>;
  readonly redis: RedisClient;
  readonly prefix: string;

  constructor(o: IntakeQueueOptions) {
    this.prefix = keyPrefix(o.connection, o.prefix ?? DEFAULT_PREFIX);
    this.redis = redisClient(o.connection, throttledErrorLog(o.log, 'intake'));
    this.queue = new Queue<IntakeEnvelope>(INTAKE_QUEUE, {
      connection: this.redis,
      prefix: this.prefix,
      defaultJobOptions: {
        attempts: o.attempts ?? 10,
        backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
        // A day of completed ids is the dedupe window for platform redeliveries (core dedupes after that).
        removeOnComplete: { age: 24 * 3600, count: 100_000 },
        removeOnFail: false,
      },
    });
    this.queue.on('error', throttledErrorLog(o.log, 'intake queue'));
  }

  async record(e: IntakeEnvelope): Promise<void> {
    checkSize(e);
    // Noted in its conversation's order before the job is added — both sent at once (one connection, commands
    // in call order), so the order costs the recording no extra round trip and a later message's worker sees it.
    const noted = noteOrder(this.redis, this.prefix, e);
    // An id BullMQ already holds (waiting, active, completed within a day, failed) is left untouched.
    await Promise.all([noted, this.queue.add(e.kind, e, { jobId: intakeJobId(e) })]);
  }

  async recordDelayed(e: IntakeEnvelope, delayMs: number): Promise<void> {
    checkSize(e);
    await this.queue.add(e.kind, e, { jobId: intakeJobId(e), delay: delayMs });
  }

  async discard(e: IntakeEnvelope): Promise<void> {
    // A job a worker has already taken (the process was slow past the delay) cannot be removed: it runs, idempotently.
    await this.queue.remove(intakeJobId(e)).catch(() => 0);
  }

  /** Requests recorded and not yet processed (waiting, active, delayed for a retry). */
  async backlog(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => {});
    await quitQuietly(this.redis);
  }
}

function checkSize(e: IntakeEnvelope): void {
  const size = Buffer.byteLength(JSON.stringify(e.payload));
  if (size > INTAKE_MAX_PAYLOAD_BYTES) throw new Error(`inbound ${e.platform} ${e.kind} payload is ${size} bytes; the intake keeps at most ${INTAKE_MAX_PAYLOAD_BYTES}`);
}

const ANSWER_TTL_S = 7 * 24 * 3600;

/**
 * Answers once per request key. Before sending, the key is marked `sending`; after, `sent`. A request
 * processed again (its worker was killed, or a later step failed) skips an answer marked `sent`, and
 * re-sends one marked `sending` with `resend` set, so the adapter can replace rather than add (Slack:
 * `replace_original` on the same response_url; Discord: editing @original is idempotent anyway).
 */
export function answerOnce(redis: RedisClient, prefix: string): AnswerOnce {
  return async (key, send) => {
    const k = helperKey(prefix, 'answer', key);
    // The marker as it was, and `sending` when there was none: one round trip instead of two.
    const prior = (await runScript(redis, MARK_SENDING, 1, k, String(ANSWER_TTL_S))) as string | null;
    if (prior === 'sent') return;
    await send(prior === 'sending');
    await redis.set(k, 'sent', 'EX', ANSWER_TTL_S);
  };
}

const MARK_SENDING = `local prior = redis.call('GET', KEYS[1])
if not prior then redis.call('SET', KEYS[1], 'sending', 'EX', ARGV[1]) end
return prior`;
