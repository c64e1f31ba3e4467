import { Schema, type Connection, type Model } from 'mongoose';
import type { Link } from '../domain/link.js';
import type { LinkLocation } from '../ports/ticket-store.port.js';

interface LinkIndexDoc {
  _id: string;
  ticketId: string;
}
const linkIndexSchema = new Schema<LinkIndexDoc>({ _id: { type: String, required: true }, ticketId: { type: String, required: true } }, { collection: 'ticket_links', versionKey: false });

export const linkIndexModel = (c: Connection): Model<LinkIndexDoc> =>
  (c.models.TicketLink as Model<LinkIndexDoc> | undefined) ?? c.model<LinkIndexDoc>('TicketLink', linkIndexSchema);

/**
 * The place key of a link: where messages that belong to it arrive. A card's replies are in the
 * thread anchored at the card; a DM link (no anchor) takes the whole conversation.
 * Messages are looked up by this key as `_id`, which every backend serves without a scan.
 */
export const linkPlaceKey = (l: Pick<Link, 'platform' | 'workspace' | 'channel' | 'thread' | 'message'>): string =>
  [l.platform, l.workspace, l.channel, l.thread ?? l.message ?? ''].join('\u001f');

export const locationKey = (at: LinkLocation): string => [at.platform, at.workspace, at.channel, at.thread ?? ''].join('\u001f');
