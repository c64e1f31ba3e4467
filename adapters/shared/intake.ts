import type { HandleResult } from '../../core/helpdesk.js';

/**
 * Durable intake as the adapters see it: record a verified inbound payload (durably, deduplicated by
 * its platform id) BEFORE acknowledging it, and answer a person at most once per request even when
 * the request is processed again after a crash. Implemented by jobs/intake.queue.ts (BullMQ on Redis
 * with AOF, appendfsync always); adapters depend only on this interface.
 */
export type IntakePlatform = 'slack' | 'discord' | 'teams' | 'web';

/** One inbound request as it was verified at the edge: everything needed to process and answer it later. */
export interface IntakeEnvelope {
  v: 1;
  platform: IntakePlatform;
  /** What the payload is (`command`, `event`, `interaction`, `activity`, …): for logs and metrics. */
  kind: string;
  /** The platform's id of this request (Slack trigger_id/event_id, Discord interaction id, Teams activity id). */
  id: string;
  /** Epoch ms when the edge received it. */
  receivedAt: number;
  /** The platform's retry counter when it redelivered (Slack X-Slack-Retry-Num). */
  retryNum?: number;
  /**
   * The verified platform payload, as the platform sent it (the adapter's listeners run on it in the
   * worker, so one code path serves both modes); bounded in size by the recorder.
   */
  payload: Record<string, unknown>;
  /** Reply context the payload itself does not carry (e.g. a Teams conversation reference). */
  reply?: Record<string, unknown>;
  /**
   * Processed in `seq` order (a decimal integer, e.g. a Discord snowflake) among the envelopes of the
   * same `key` (a conversation), one at a time (jobs/intake.order.ts); without it, in any order.
   */
  order?: { key: string; seq: string };
}

export interface InboundIntake {
  /**
   * Stores the envelope durably (resolves once Redis has it on disk) under a job id derived from
   * `platform`, `kind` and `id`: a second record of the same request is a no-op.
   */
  record(e: IntakeEnvelope): Promise<void>;
  /**
   * Records a crash copy of a request that is processed in its own HTTP request (its answer is the
   * response, e.g. a Teams invoke): it becomes processable only after `delayMs`, and `discard`
   * removes it once the request has been served. Only a crash in between leaves it to a worker.
   */
  recordDelayed(e: IntakeEnvelope, delayMs: number): Promise<void>;
  /** Removes a crash copy recorded with `recordDelayed` (best effort: processors are idempotent). */
  discard(e: IntakeEnvelope): Promise<void>;
}

/** Sends an answer once per key: see jobs/intake.answers.ts. `resend` is true when a previous attempt may have sent it. */
export type AnswerOnce = (key: string, send: (resend: boolean) => Promise<void>) => Promise<void>;

/**
 * Thrown by a handler whose recorded payload cannot be read (a shape the platform would never send,
 * or a damaged record): it will not read better on a retry, so the job fails at once and is kept in
 * the failed set for inspection.
 */
export class UnreadablePayloadError extends Error {
  override readonly name = 'UnreadablePayloadError';
}

/** Processes an envelope taken off the queue (each platform registers one). */
export type IntakeHandler = (e: IntakeEnvelope, meta: IntakeAttempt) => Promise<void>;

export interface IntakeAttempt {
  /** 1 for the first try. */
  attempt: number;
  /** No try follows this one: report a failure to the person instead of throwing it. */
  final: boolean;
  answerOnce: AnswerOnce;
}

/**
 * Core answered that another attempt holds the event's claim right now (`running`: one killed
 * mid-way keeps it until its lease ends, and its work may be unfinished). Thrown back to a durable
 * intake, which tries again after the lease instead of taking the event as done.
 */
export class BusyElsewhere extends Error {
  override readonly name = 'BusyElsewhere';
  constructor(what: string) {
    super(`${what} is claimed by an earlier attempt; retried after its lease`);
  }
}

/**
 * `r` as it is, unless `retry` (a durable intake will try again) and core says another attempt
 * holds the event (`duplicate` or a repeated `opened` with `running`): then BusyElsewhere is thrown.
 * On the last try (`retry` false) the caller answers with what it has.
 */
export function unlessHeldElsewhere<R extends HandleResult>(r: R, retry: boolean | undefined, what: string): R {
  if (retry && (r.kind === 'duplicate' || r.kind === 'opened') && r.running) throw new BusyElsewhere(what);
  return r;
}
