import type { Ticket } from '../domain/ticket.js';
import type { DeliveryOp } from '../ports/delivery.port.js';
import type { View } from '../views/view.js';

/**
 * A message to the requester: in each of their linked places (thread or DM), or — with none yet — a
 * new DM whose conversation then becomes the requester link. `key` makes repeats no-ops.
 */
export function requesterOps(t: Ticket, view: View, key: string): DeliveryOp[] {
  const links = t.links.filter((l) => l.role === 'requester');
  if (links.length === 0) return [{ kind: 'dm', key, platform: t.requester.platform, person: t.requester, view, ticketId: t.id, linkAs: { role: 'requester' }, relaySince: t.updatedAt.getTime(), known: { version: t.version, links: t.links } }];
  return links.map((l) => ({
    kind: 'post' as const,
    key: `${key}:${l.platform}:${l.channel}`,
    platform: l.platform,
    target: { workspace: l.workspace, channel: l.channel, thread: l.thread ?? l.message, data: l.data },
    view,
    ticketId: t.id,
    audience: 'requester' as const,
  }));
}
