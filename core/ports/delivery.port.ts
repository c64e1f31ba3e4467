import type { Identity, Platform } from '../domain/identity.js';
import type { Link } from '../domain/link.js';
import type { View } from '../views/view.js';
import type { PostTarget } from './chat-platform.port.js';

/**
 * One outbound message. Deliveries are retried, so each carries a deterministic `key`:
 * the processor must make a repeat of the same key a no-op.
 */
export type DeliveryOp =
  | { kind: 'post'; key: string; platform: Platform; target: PostTarget; view: View; ticketId?: string; /** Store the result as this link. */ linkAs?: Omit<Link, 'platform' | 'workspace' | 'channel' | 'message' | 'thread' | 'data'>; relaySince?: number; relayStyle?: { deskLocale?: string; tagPlatform: boolean }; /** A message to the requester in their conversation: rate-limited like a DM (jobs/rate-limit.ts). */ audience?: 'requester' }
  | { kind: 'update'; key: string; platform: Platform; link: Link; view: View; ticketId?: string }
  | {
      kind: 'dm';
      key: string;
      platform: Platform;
      person: Identity;
      view: View;
      ticketId?: string;
      linkAs?: { role: 'requester' };
      relaySince?: number;
      relayStyle?: { deskLocale?: string; tagPlatform: boolean };
      /**
       * The ticket's version and links when the DM was asked for: the link is stored from them
       * without reading the ticket first (a newer version only costs the write's retry, which reads).
       */
      known?: { version: number; links: Link[] };
    }
  | StormCardOp
  | AnnounceOp;

/**
 * Render a storm card (core/use-cases/flush-storm-card.ts): its view is built when the job runs, from
 * the card's state then, so one render shows every ticket that joined before it. `delayMs` lets
 * tickets arriving close together share one render.
 */
export interface StormCardOp {
  kind: 'storm_card';
  key: string;
  platform: Platform;
  /** The tier channel (for its rate limit). */
  channel: string;
  cardId: string;
  delayMs?: number;
}

/**
 * One message per `ref` (an incident in one announcement channel), kept showing the newest
 * `version`: the first delivery posts it, later ones edit it in place where the platform can edit
 * (a platform that cannot — email — gets a follow-up threaded under the first message). Deliveries
 * of an older version than the one shown do nothing.
 */
export interface AnnounceOp {
  kind: 'announce';
  key: string;
  platform: Platform;
  target: PostTarget;
  view: View;
  ref: string;
  version: number;
}

/*
 * `relaySince` (epoch ms, on ops that create a link): conversation recorded from then on is relayed
 * to the new link once it is stored — a message written while the card was being posted (before its
 * link existed) still reaches it. `relayStyle`: how those relays read (language, platform tag).
 */

/** Sends outbound messages: through a retrying queue in production, inline in some tests. */
export interface Delivery {
  send(op: DeliveryOp): Promise<void>;
}
