import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Delivery, DeliveryOp } from '../core/ports/delivery.port.js';
import type { DeliveryJob } from './names.js';

/** Job id of a delivery: a hash of its key (BullMQ ids may not contain ':'), the same on every replica. */
export const deliveryJobId = (key: string): string => `d-${createHash('sha1').update(key).digest('hex')}`;

/** Where a delivery lands, for per-channel rate limits. DMs are limited per person. */
export function deliveryChannel(op: DeliveryOp): string {
  if (op.kind === 'post' || op.kind === 'announce') return op.target.channel;
  if (op.kind === 'update') return op.link.channel;
  return `dm-${op.person.workspace}-${op.person.user}`;
}

export interface QueueDeliveryOptions {
  /**
   * Attempts before a delivery is given up (kept in the failed set for `helpdesk jobs retry`).
   * With the default backoff this spans about an hour of platform outage.
   * @defaultValue 15
   */
  attempts?: number;
}

/**
 * The production `Delivery`: each message becomes a job on the delivery queue with a deterministic
 * id, so a replayed event (or two replicas notifying the same change) enqueues it once. Returns as
 * soon as the job is stored in Redis; the delivery worker sends it with retries and rate limits.
 */
export class QueueDelivery implements Delivery {
  constructor(
    private readonly queue: Queue<DeliveryJob>,
    private readonly opts: QueueDeliveryOptions = {},
  ) {}

  async send(op: DeliveryOp): Promise<void> {
    await this.queue.add('deliver', { op }, { jobId: deliveryJobId(op.key), attempts: this.opts.attempts ?? 15, backoff: { type: 'platform' } });
  }
}
