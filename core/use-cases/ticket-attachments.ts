import { HelpdeskError } from '../domain/errors.js';
import type { Identity } from '../domain/identity.js';
import type { Ticket } from '../domain/ticket.js';
import type { AttachmentRecord } from '../ports/attachment-store.port.js';
import type { CoreDeps } from './deps.js';
import { resolveActor } from './resolve-actor.js';

const sameIdentity = (a: Identity, b: Identity) => a.platform === b.platform && a.workspace === b.workspace && a.user === b.user;

/**
 * One attachment for a viewer: agents of the ticket's desk and the ticket's requester may read it;
 * anyone else gets TICKET.NOT_AGENT (403). Null when there is no such stored file.
 */
export async function openAttachment(deps: CoreDeps, id: string, who: Identity): Promise<{ record: AttachmentRecord; ticket: Ticket; content: AsyncIterable<Uint8Array> } | null> {
  if (!deps.attachments || id.length > 200) return null;
  const record = await deps.attachments.get(id);
  if (!record || record.status !== 'stored') return null;
  const ticket = await deps.store.get(record.ticketId);
  if (!ticket) return null;
  if (!sameIdentity(ticket.requester, who)) {
    const viewer = await resolveActor(deps, ticket.deskId, who);
    if (viewer.kind !== 'person' || !viewer.agent) throw new HelpdeskError('TICKET.NOT_AGENT', 'attachment: not an agent of the desk nor the requester', { ticket: ticket.number });
  }
  return { record, ticket, content: deps.attachments.read(record.id) };
}
