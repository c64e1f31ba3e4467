import type { Platform } from '../domain/identity.js';

/** Where a keyed message lives on its platform (an incident's announcement in one channel). */
export interface MessageRef {
  platform: Platform;
  workspace: string;
  channel: string;
  message: string;
  thread?: string;
  data?: Record<string, unknown>;
  /** The newest version of the content the platform shows (posted or edited in). */
  version: number;
}

/** `run`: the caller holds the key's lease (`ref` null: nothing posted yet); `busy`: another worker holds it. */
export type RefClaim = { outcome: 'run'; token: string; ref: MessageRef | null } | { outcome: 'busy'; retryInMs: number };

/**
 * Messages that exist once per key and are edited afterwards (an incident's post in each
 * announcement channel). Shared by every worker replica: each delivery of a key takes the key's
 * lease first, so two deliveries never both post, and an older version never overwrites a newer one.
 */
export interface MessageRefStore {
  claim(key: string, leaseMs: number): Promise<RefClaim>;
  /** Stores what the platform shows now and gives the lease back. */
  save(key: string, token: string, ref: MessageRef): Promise<void>;
  release(key: string, token: string): Promise<void>;
  get(key: string): Promise<MessageRef | null>;
}
