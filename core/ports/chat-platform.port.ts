import type { Identity, Platform } from '../domain/identity.js';
import type { Link } from '../domain/link.js';
import type { View } from '../views/view.js';

export interface PlatformCapabilities {
  ephemeral: boolean;
  reactions: boolean;
  threads: boolean;
  editMessages: boolean;
}

/** Where to post: a channel, optionally inside a thread. `data` is the adapter's opaque state. */
export interface PostTarget {
  workspace: string;
  channel: string;
  thread?: string;
  data?: Record<string, unknown>;
}

/** What a post created, to be stored as (part of) a link. */
export interface Posted {
  channel: string;
  message: string;
  thread?: string;
  data?: Record<string, unknown>;
}

/**
 * Outbound side of an adapter. Implementations throw `PlatformError` (from core/ports/platform-error)
 * so the delivery queue can tell retryable failures from permanent ones.
 */
export interface ChatPlatform {
  readonly platform: Platform;
  readonly capabilities: PlatformCapabilities;
  post(target: PostTarget, view: View): Promise<Posted>;
  /** Edits a message in place (a card). */
  update(link: Link, view: View): Promise<void>;
  /** Opens (or reuses) a direct conversation with the person and posts there. */
  dm(person: Identity, view: View): Promise<Posted>;
  /** Creates a thread/conversation for a ticket where the platform has one (Discord private threads). */
  openTicketThread?(target: PostTarget, title: string, members: Identity[]): Promise<Posted>;
}

/** A failure talking to a platform. `retryAfterMs` comes from Retry-After where given. */
export class PlatformError extends Error {
  override name = 'PlatformError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
