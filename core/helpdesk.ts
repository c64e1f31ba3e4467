import { HelpdeskError } from './domain/errors.js';
import type { InboundEvent } from './domain/inbound.js';
import { sameIdentity } from './domain/identity.js';
import type { Ticket } from './domain/ticket.js';
import type { KbSuggestion } from './ports/kb.port.js';
import { claimTicket, unclaimTicket } from './use-cases/claim-ticket.js';
import type { CoreDeps } from './use-cases/deps.js';
import { escalateTicket } from './use-cases/escalate-ticket.js';
import { listMyTickets, listQueue } from './use-cases/list-tickets.js';
import { loadTicket } from './use-cases/load-ticket.js';
import { openTicket } from './use-cases/open-ticket.js';
import { applyMacro } from './use-cases/apply-macro.js';
import { pendTicket } from './use-cases/pend-ticket.js';
import { postMessage } from './use-cases/post-message.js';
import { rateTicket } from './use-cases/rate-ticket.js';
import { closeTicket, reopenTicket, resolveTicket } from './use-cases/resolve-ticket.js';
import { markSelfServed, stillNeedHelp } from './use-cases/self-serve.js';
import { setCategory, setPriority } from './use-cases/set-ticket-fields.js';

export type HandleResult =
  | { kind: 'duplicate' }
  | { kind: 'opened'; ticket: Ticket; created: boolean; suggestions: KbSuggestion[] }
  | { kind: 'ticket'; ticket: Ticket }
  | { kind: 'message'; recorded: boolean; ticket?: Ticket }
  | { kind: 'tickets'; tickets: Ticket[] };

/**
 * The one entry point adapters call. Deduplicates by `eventId` (a platform retry returns
 * `{kind: 'duplicate'}`; help requests instead return the ticket the first delivery created, so a
 * retried slash command still shows the person their ticket), then runs the use case.
 */
export class Helpdesk {
  constructor(readonly deps: CoreDeps) {}

  async handle(e: InboundEvent): Promise<HandleResult> {
    if (e.type === 'help.request') {
      const r = await openTicket(this.deps, { ...e.request, idempotencyKey: e.request.idempotencyKey || e.eventId });
      return { kind: 'opened', ...r };
    }
    const readOnly = e.type.startsWith('query.');
    if (!readOnly && !(await this.deps.idempotency.firstTime(`${e.type}:${e.eventId}`))) return { kind: 'duplicate' };
    const d = this.deps;
    switch (e.type) {
      case 'deflection.solved':
        return { kind: 'ticket', ticket: await markSelfServed(d, e.ticket, e.articleId, e.actor) };
      case 'deflection.need_help':
        return { kind: 'ticket', ticket: await stillNeedHelp(d, e.ticket, e.actor) };
      case 'ticket.claim':
        return { kind: 'ticket', ticket: await claimTicket(d, e.ticket, e.actor) };
      case 'ticket.unclaim':
        return { kind: 'ticket', ticket: await unclaimTicket(d, e.ticket, e.actor) };
      case 'ticket.escalate': {
        const t = await escalateTicket(d, e.ticket, e.actor, e.reason ?? '', e.expectTier !== undefined ? { expectTier: e.expectTier } : {});
        return { kind: 'ticket', ticket: t ?? (await loadTicket(d, e.ticket)) };
      }
      case 'ticket.resolve':
        return { kind: 'ticket', ticket: await resolveTicket(d, e.ticket, e.actor, e.note) };
      case 'ticket.reopen':
        return { kind: 'ticket', ticket: await reopenTicket(d, e.ticket, e.actor) };
      case 'ticket.close':
        return { kind: 'ticket', ticket: await closeTicket(d, e.ticket, e.actor) };
      case 'ticket.set_priority':
        return { kind: 'ticket', ticket: await setPriority(d, e.ticket, e.actor, e.priority) };
      case 'ticket.set_category':
        return { kind: 'ticket', ticket: await setCategory(d, e.ticket, e.actor, e.category) };
      case 'ticket.rate':
        return { kind: 'ticket', ticket: await rateTicket(d, e.ticket, e.actor, e.score, e.comment) };
      case 'ticket.pend':
        return { kind: 'ticket', ticket: await pendTicket(d, e.ticket, e.actor) };
      case 'ticket.macro': {
        const r = await applyMacro(d, { ticket: e.ticket, agent: e.actor, name: e.name, at: e.at, messageId: e.messageId });
        return r.recorded ? { kind: 'message', recorded: true, ticket: r.ticket } : { kind: 'message', recorded: false };
      }
      case 'ticket.message': {
        const r = await postMessage(d, { at: e.at, ticket: e.ticket, author: e.actor, text: e.text, messageId: e.messageId, internal: e.internal });
        return r.recorded ? { kind: 'message', recorded: true, ticket: r.ticket } : { kind: 'message', recorded: false };
      }
      case 'query.mine':
        return { kind: 'tickets', tickets: await listMyTickets(d, e.actor) };
      case 'query.status': {
        const t = await loadTicket(d, e.ticket);
        const agent = await d.directory.agentByIdentity(e.actor);
        if (!sameIdentity(t.requester, e.actor) && !agent?.desks.some((x) => x.desk === t.deskId)) {
          // Do not reveal other people's tickets: same answer as a missing one.
          throw new HelpdeskError('TICKET.NOT_FOUND', 'not visible to this person', { ticket: t.number });
        }
        return { kind: 'ticket', ticket: t };
      }
      case 'query.queue':
        return { kind: 'tickets', tickets: await listQueue(d, e.actor, e.deskId, e.tier) };
    }
  }
}
