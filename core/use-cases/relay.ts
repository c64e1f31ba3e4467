import type { Desk } from '../domain/desk.js';
import type { Link } from '../domain/link.js';
import type { Ticket } from '../domain/ticket.js';
import type { TimelineEntry } from '../domain/timeline.js';
import type { DeliveryOp } from '../ports/delivery.port.js';
import type { TicketStore } from '../ports/ticket-store.port.js';
import { relayView } from '../views/ticket-views.js';
import { actorName } from './resolve-actor.js';

/** Does this link receive this entry? Internal notes only agents' places; never back where it was written. */
export function relayReaches(entry: TimelineEntry, l: Link): boolean {
  const src = entry.source;
  const from = src !== undefined && l.platform === src.platform && l.channel === src.channel && (l.thread ?? l.message) === src.thread;
  const internal = entry.visibility === 'internal';
  return (internal ? l.role === 'triage' : l.role !== 'announce') && !from;
}

/** How relays of a ticket read: the desk's language, and the author's platform tag where it tells something. */
export interface RelayStyle {
  deskLocale?: string;
  /** "Ana (slack)" only on a desk or ticket spanning several platforms. */
  tagPlatform: boolean;
}

export function relayStyle(desk: Desk, links: readonly Link[]): RelayStyle {
  const platforms = new Set([...desk.tiers.flatMap((tier) => Object.keys(tier.channels)), ...links.map((l) => l.platform)]);
  return { deskLocale: desk.locale, tagPlatform: platforms.size > 1 };
}

/**
 * The posts that copy a conversation entry to `links`. The key names the entry and the place, not
 * the ticket's version, so the same relay computed twice — the message's own event, its retry, or the
 * catch-up after a link is stored — is sent once.
 */
export function relayOps(t: Ticket, entry: TimelineEntry, style: RelayStyle, links: readonly Link[] = t.links): DeliveryOp[] {
  const src = entry.source;
  const label = src && style.tagPlatform ? `${actorName(entry.actor)} (${src.platform})` : actorName(entry.actor);
  const deskLocale = style.deskLocale;
  return links
    .filter((l) => relayReaches(entry, l))
    .map((l) => ({
      kind: 'post' as const,
      key: `${t.id}:relay:${entry.id}:${l.platform}:${l.channel}:${l.message ?? ''}`,
      platform: l.platform,
      target: { workspace: l.workspace, channel: l.channel, thread: l.thread ?? l.message, data: l.data },
      // The requester reads the marker of a cut text in their language; agents' places in the desk's.
      view: relayView(entry, label, entry.visibility === 'internal', l.role === 'requester' ? (t.locale ?? deskLocale) : deskLocale),
      ticketId: t.id,
    }));
}

/**
 * Conversation recorded since `since` (epoch ms) that a just-stored link has not received: its
 * message's relay ran while the link did not exist yet. The opening message is part of the card.
 */
export async function catchUpOps(store: Pick<TicketStore, 'timeline'>, t: Ticket, link: Link, since: number, style: RelayStyle = { tagPlatform: true }): Promise<DeliveryOp[]> {
  const entries = await store.timeline(t.id, { includeInternal: link.role === 'triage' });
  return entries
    .filter((e) => (e.kind === 'message' || e.kind === 'note') && e.at.getTime() >= since && e.at.getTime() > t.createdAt.getTime())
    .flatMap((e) => relayOps(t, e, style, [link]));
}
