import type { Platform } from '../domain/identity.js';
import type { ChatPlatform } from '../ports/chat-platform.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { AnnounceOp, Delivery, DeliveryOp } from '../ports/delivery.port.js';
import type { MessageRefStore } from '../ports/message-ref.port.js';
import { HelpdeskError } from '../domain/errors.js';
import type { TicketStore } from '../ports/ticket-store.port.js';
import type { Link } from '../domain/link.js';
import type { Ticket } from '../domain/ticket.js';
import { catchUpOps } from './relay.js';
import { flushStormCard, type StormCardDeps } from './flush-storm-card.js';

export interface DeliverDeps {
  platforms: ReadonlyMap<Platform, ChatPlatform>;
  store: TicketStore;
  clock: Clock;
  /**
   * Where the relays a new link missed are sent (see `relaySince`); without it they are not sent.
   * The queue worker passes the queue, `DirectDelivery` itself.
   */
  followUp?: Delivery;
  /** Renders storm cards (`storm_card` ops); without it they are not sent. */
  stormCards?: StormCardDeps;
  /** Keyed message refs: required for `announce` ops (incident broadcasts). */
  refs?: MessageRefStore;
}

/** How long a delivery may hold an announcement's ref while it talks to the platform. */
const ANNOUNCE_LEASE_MS = 30_000;

/**
 * Performs one delivery: calls the platform, and for posts that create a link (a triage card, the
 * requester's DM) stores that link on the ticket. Safe to repeat: a post whose link already exists
 * is skipped. Platform errors propagate (the delivery queue decides whether to retry). Returns the
 * ticket as its link write left it, when there was one.
 */
export async function performDelivery(deps: DeliverDeps, op: DeliveryOp): Promise<Ticket | void> {
  const platform = deps.platforms.get(op.platform);
  if (!platform) return; // the platform is not enabled in this deployment: nothing to send to
  if (op.kind === 'storm_card') return deps.stormCards && deps.followUp ? flushStormCard(deps.stormCards, platform, op.cardId, deps.followUp) : undefined;
  if (op.kind === 'update') return platform.update(op.link, op.view);
  if (op.kind === 'announce') return announce(deps, platform, op);
  let before: Pick<Ticket, 'id' | 'version' | 'links'> | null = null;
  if (op.kind === 'dm' && op.known && op.ticketId) {
    // A DM is sent again on a repeat anyway (no existence check): its link is stored from what the
    // op knew (`upsertLink` reads only on a version race), one read fewer per requester DM.
    before = { id: op.ticketId, version: op.known.version, links: op.known.links };
  } else if (op.linkAs && op.ticketId) {
    const t = (before = await deps.store.get(op.ticketId));
    const role = op.linkAs.role;
    const tier = 'tier' in op.linkAs ? op.linkAs.tier : undefined;
    const exists = t?.links.some((l) => l.platform === op.platform && l.role === role && (l.tier ?? 0) === (tier ?? 0) && l.message);
    if (exists && op.kind === 'post') return;
  }
  const posted = op.kind === 'post' ? await platform.post(op.target, op.view) : await platform.dm(op.person, op.view);
  if (op.linkAs && op.ticketId) {
    const workspace = op.kind === 'post' ? op.target.workspace : op.person.workspace;
    // A DM link is the whole conversation (no anchor message): replies there are not threaded.
    const anchor = op.kind === 'dm' ? {} : { message: posted.message, thread: posted.thread };
    const link: Link = { ...op.linkAs, platform: op.platform, workspace, channel: posted.channel, ...anchor, data: posted.data };
    // The ticket read before the post saves a read (a change meanwhile only costs a retry inside).
    const t = await deps.store.upsertLink(op.ticketId, link, deps.clock.now(), before);
    // Conversation recorded while the post was in flight was relayed without this link: send it now.
    if (op.relaySince !== undefined && deps.followUp) for (const f of await catchUpOps(deps.store, t, link, op.relaySince, op.relayStyle)) await deps.followUp.send(f);
    return t;
  }
}

/**
 * Posts or edits the one message of `op.ref`, holding the ref's lease so that concurrent deliveries
 * of the same ref (two versions, two replicas) take turns: a busy ref is a retryable failure, and
 * the queue's backoff brings the delivery back.
 */
async function announce(deps: DeliverDeps, platform: ChatPlatform, op: AnnounceOp): Promise<void> {
  if (!deps.refs) throw new HelpdeskError('INTERNAL', 'announce delivery without a message-ref store');
  const claim = await deps.refs.claim(op.ref, ANNOUNCE_LEASE_MS);
  if (claim.outcome === 'busy') throw new HelpdeskError('PLATFORM.UNAVAILABLE', 'announcement busy in another delivery', { ref: op.ref, retryInMs: claim.retryInMs });
  try {
    const prior = claim.ref;
    if (prior && prior.version >= op.version) return await deps.refs.release(op.ref, claim.token);
    if (!prior) {
      const posted = await platform.post(op.target, op.view);
      return await deps.refs.save(op.ref, claim.token, { platform: op.platform, workspace: op.target.workspace, channel: posted.channel, message: posted.message, ...(posted.thread ? { thread: posted.thread } : {}), ...(posted.data ? { data: posted.data } : {}), version: op.version });
    }
    if (platform.capabilities.editMessages) {
      const link: Link = { platform: op.platform, workspace: prior.workspace, channel: prior.channel, message: prior.message, ...(prior.thread ? { thread: prior.thread } : {}), ...(prior.data ? { data: prior.data } : {}), role: 'announce' };
      await platform.update(link, op.view);
    } else {
      // Mail cannot be edited: the update is a new message threaded under the first (References).
      await platform.post({ ...op.target, thread: prior.message }, op.view);
    }
    await deps.refs.save(op.ref, claim.token, { ...prior, version: op.version });
  } catch (err) {
    await deps.refs.release(op.ref, claim.token).catch(() => {});
    throw err;
  }
}

/** Delivery without a queue: sends immediately (used by tests and the CLI; production uses jobs/). */
export class DirectDelivery implements Delivery {
  /** Keys sent by this process (bounded): like the queue's job ids, a repeated key sends nothing. */
  private readonly sent = new Set<string>();
  constructor(private readonly deps: DeliverDeps, private readonly onError: (err: unknown, op: DeliveryOp) => void = () => {}) {}
  async send(op: DeliveryOp): Promise<void> {
    if (this.sent.has(op.key)) return;
    this.sent.add(op.key);
    if (this.sent.size > SENT_KEYS_KEPT) this.sent.delete(this.sent.values().next().value!);
    try {
      await performDelivery({ ...this.deps, followUp: this.deps.followUp ?? this }, op);
    } catch (err) {
      this.sent.delete(op.key);
      this.onError(err, op);
    }
  }
}

const SENT_KEYS_KEPT = 10_000;
