import type { Platform } from './identity.js';

export type LinkRole = 'requester' | 'triage' | 'announce';

/**
 * Where a ticket lives on a platform. `data` is opaque adapter state (e.g. a Teams
 * ConversationReference); core stores it and never reads it.
 */
export interface Link {
  platform: Platform;
  workspace: string;
  channel: string;
  thread?: string;
  message?: string;
  role: LinkRole;
  /** For triage links: the tier whose channel holds this card. */
  tier?: number;
  data?: Record<string, unknown>;
}

/** Does an inbound message at (platform, workspace, channel, thread) belong to this link? */
export function linkMatches(l: Link, at: { platform: Platform; workspace: string; channel: string; thread?: string }): boolean {
  if (l.platform !== at.platform || l.workspace !== at.workspace || l.channel !== at.channel) return false;
  // A card's replies live in the thread anchored at the card; a DM link (no anchor) takes unthreaded messages.
  const anchor = l.thread ?? l.message;
  return anchor === undefined ? at.thread === undefined : at.thread === anchor;
}
