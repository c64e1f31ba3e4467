import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Platform } from '../core/domain/identity.js';
import type { Delivery, DeliveryOp } from '../core/ports/delivery.port.js';
import type { DeliveryJob } from './names.js';
import type { ChannelLedger } from './channel-ledger.js';
import { orderDestination } from './delivery.order.js';

/** Job id of a delivery: a hash of its key (BullMQ ids may not contain ':'), the same on every replica. */
export const deliveryJobId = (key: string): string => `d-${createHash('sha1').update(key).digest('hex')}`;

/** Where a delivery lands, for per-channel rate limits. DMs are limited per person. */
export function deliveryChannel(op: DeliveryOp): string {
  if (op.kind === 'post' || op.kind === 'announce') return op.target.channel;
  if (op.kind === 'update') return op.link.channel;
  if (op.kind === 'storm_card') return op.channel;
  return `dm-${op.person.workspace}-${op.person.user}`;
}

/** A message to the requester (a DM, or a post in their conversation): rate-limited as such (jobs/rate-limit.ts). */
export const toRequester = (op: DeliveryOp): boolean => op.kind === 'dm' || (op.kind === 'post' && op.audience === 'requester');

/** How long (and how many) storm-card render jobs queued by this process are remembered. */
const RENDER_KEPT_MS = 60_000;
const RENDERS_KEPT = 1_000;

export interface QueueDeliveryOptions {
  /**
   * Attempts before a delivery is given up (kept in the failed set for `helpdesk jobs retry`).
   * With the default backoff this spans about an hour of platform outage.
   * @defaultValue 15
   */
  attempts?: number;
  /**
   * Per-channel posting reservations (the storm-aware triage's backlog estimate): every message
   * queued for a channel reserves its posting slot there. Without it nothing is reserved.
   */
  ledger?: ChannelLedger;
  /**
   * The platform bucket's retry line (`RedisRateLimiter.turn`): a requester message queued while
   * the line is busy is held until its turn. Without it such a message is queued at once.
   */
  turn?: (platform: Platform) => Promise<number>;
}

/**
 * The production `Delivery`: each message becomes a job on the delivery queue with a deterministic
 * id, so a replayed event (or two replicas notifying the same change) enqueues it once. Returns as
 * soon as the job is stored in Redis; the delivery worker sends it with retries and rate limits.
 */
export class QueueDelivery implements Delivery {
  /**
   * Storm-card renders this process queued (job id → when): every ticket joining a card asks for
   * the render of the card's current generation, which is one job; the ones after the first are
   * answered here instead of by Redis (a reservation and an add that would both find the job there).
   */
  private readonly renders = new Map<string, number>();
  constructor(
    private readonly queue: Queue<DeliveryJob>,
    private readonly opts: QueueDeliveryOptions = {},
  ) {}

  async send(op: DeliveryOp): Promise<void> {
    const jobId = deliveryJobId(op.key);
    // A generation's render is asked for only until it starts (starting advances the generation),
    // so a render this process queued is still queued, or running, whenever it is asked for again.
    if (op.kind === 'storm_card' && Date.now() - (this.renders.get(jobId) ?? -Infinity) < RENDER_KEPT_MS) return;
    // DMs go to people, not to the tier channels whose backlog the storm decision reads. A channel's
    // messages are held until their reserved slot: first queued, first sent (jobs that raced for the
    // rate limiter's tokens went out in random order, and a card queued early could wait behind the
    // whole backlog instead of its share of it: issue 12's 60 s visibility budget).
    // A post also takes its place in its destination's order (jobs/delivery.order.ts).
    const slot = this.opts.ledger && op.kind !== 'dm' ? (await this.opts.ledger.reserve(op.platform, deliveryChannel(op), jobId, orderDestination(op))).delayMs : 0;
    // A requester message behind a backlog of them waits for its turn in the queue, not in a job run.
    const turn = this.opts.turn && toRequester(op) ? await this.opts.turn(op.platform) : 0;
    const ms = Math.max(slot, turn, op.kind === 'storm_card' ? (op.delayMs ?? 0) : 0);
    await this.queue.add('deliver', { op }, { jobId, attempts: this.opts.attempts ?? 15, backoff: { type: 'platform' }, ...(ms > 0 ? { delay: ms } : {}) });
    if (op.kind === 'storm_card') {
      if (this.renders.size >= RENDERS_KEPT) this.renders.delete(this.renders.keys().next().value!);
      this.renders.set(jobId, Date.now());
    }
  }
}
