import type { Identity } from '../../core/domain/identity.js';
import type { InboundEvent } from '../../core/domain/inbound.js';
import type { HelpRequest } from '../../core/use-cases/open-ticket.js';

/**
 * The `help.request` event for a person's request. The platform event id doubles as the ticket's
 * idempotency key, so a platform retry finds the ticket the first delivery made.
 */
export function helpRequestEvent(eventId: string, requester: Identity, locale: string | undefined, fields: Omit<HelpRequest, 'idempotencyKey' | 'requester' | 'locale'>): InboundEvent {
  return { type: 'help.request', eventId, request: { idempotencyKey: eventId, requester, ...(locale ? { locale } : {}), ...fields } };
}
