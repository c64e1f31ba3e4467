import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { DeliveryOp } from '../core/ports/delivery.port.js';
import type { DeliveryJob } from './names.js';
import type { ChannelLedger } from './channel-ledger.js';

/**
 * Order per destination for the delivery queue: the posts queued for one place (a thread, a DM or
 * web conversation, a channel's top level) are sent in the order they were queued, though the delivery
 * worker runs many jobs at once and retries a refused one later. Two agent messages relayed a moment
 * apart used to race (two workers, the platform's burst lets both go) and a relay retried after a
 * 429/5xx was overtaken by the next one.
 *
 * The ledger's reservation (jobs/channel-ledger.ts `ChannelLedger.reserve`, made when the job is queued)
 * also notes the job in its destination's order, in the same script; the worker takes a job only when
 * no earlier one of its destination is left (`turn`), and the job leaves the order when it is done or
 * failed for good. An earlier job holds later ones back at most `ORDER_WAIT_MS` past its slot (a long
 * outage, a process that died between the reservation and the job): then order gives way to delivery.
 */

/** How long past its slot an unsent message holds back the later ones of its destination. */
export const ORDER_WAIT_MS = 30_000;
/** How often a held-back message asks again. */
const POLL_MS = 250;

/** Where a post lands, as one ordered destination; undefined for what is not ordered (edits, renders, DMs by person). */
export function orderDestination(op: DeliveryOp): string | undefined {
  return op.kind === 'post' ? `${op.target.channel}|${op.target.thread ?? ''}` : undefined;
}

/**
 * A running job's place in its destination's order. The processor may leave the order itself when it
 * stores the job's sent marker (`ChannelLedger.sent`, one script) and says so with `left`; otherwise
 * the wrapper leaves after it.
 */
export interface OrderPlace {
  platform: DeliveryOp['platform'];
  destination: string;
  jobId: string;
  left: boolean;
}

type Processor = (job: Job<DeliveryJob>, token?: string) => Promise<void>;
type OrderedProcessor = (job: Job<DeliveryJob>, token?: string, place?: OrderPlace) => Promise<void>;

/** Wraps the delivery processor so that each destination's posts are sent in queue order (above). */
export function inDestinationOrder(ledger: ChannelLedger | undefined, run: OrderedProcessor, o: { maxWaitMs?: number; pollMs?: number } = {}): Processor {
  // Two arguments only: BullMQ passes an AbortSignal third.
  if (!ledger) return (job, token) => run(job, token);
  const wait = { maxWaitMs: o.maxWaitMs ?? ORDER_WAIT_MS, pollMs: o.pollMs ?? POLL_MS };
  return async (job, token) => {
    const op = job.data.op;
    const dest = orderDestination(op);
    if (!dest || !job.id) return run(job, token);
    const ms = await ledger.turn(op.platform, dest, job.id, wait);
    if (ms > 0) {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    }
    const place: OrderPlace = { platform: op.platform, destination: dest, jobId: job.id, left: false };
    try {
      await run(job, token, place);
    } catch (e) {
      const final = e instanceof UnrecoverableError || (!(e instanceof DelayedError) && job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
      if (final && !place.left) await ledger.leave(op.platform, dest, job.id).catch(() => {});
      throw e;
    }
    // Sent: it left with its sent marker. Not sent (a retry that found its marker, nothing to send): leave now.
    if (!place.left) await ledger.leave(op.platform, dest, job.id);
  };
}
