import { HelpdeskError, isHelpdeskError } from './domain/errors.js';
import type { Identity } from './domain/identity.js';
import type { InboundEvent, TicketRefInput } from './domain/inbound.js';
import { sameIdentity } from './domain/identity.js';
import type { Ticket } from './domain/ticket.js';
import type { Incident } from './domain/incident.js';
import type { KbSuggestion } from './ports/kb.port.js';
import type { LinkLocation } from './ports/ticket-store.port.js';
import type { Incidents } from './incidents.js';
import { claimTicket, unclaimTicket } from './use-cases/claim-ticket.js';
import type { CoreDeps } from './use-cases/deps.js';
import { escalateTicket } from './use-cases/escalate-ticket.js';
import { listMyTickets, listQueue } from './use-cases/list-tickets.js';
import { loadTicket } from './use-cases/load-ticket.js';
import { findOpened, openTicket, validateHelpRequest, type HelpRequest } from './use-cases/open-ticket.js';
import { applyMacro } from './use-cases/apply-macro.js';
import { pendTicket } from './use-cases/pend-ticket.js';
import { messageTicket, postMessage } from './use-cases/post-message.js';
import { rateTicket } from './use-cases/rate-ticket.js';
import { closeTicket, reopenTicket, resolveTicket } from './use-cases/resolve-ticket.js';
import { markSelfServed, stillNeedHelp } from './use-cases/self-serve.js';
import { setCategory, setPriority } from './use-cases/set-ticket-fields.js';
import { recordTranscript } from './use-cases/transcript.js';

export type HandleResult =
  /** `running`: another attempt holds the event's claim right now (a killed one until its lease ends), so its work may be unfinished. */
  | { kind: 'duplicate'; running?: boolean }
  | {
      kind: 'opened';
      ticket: Ticket;
      created: boolean;
      suggestions: KbSuggestion[];
      /** Absorbed as a known issue. */ incident?: Incident;
      /** A repeat while another attempt holds the request's claim (a killed one until its lease ends): its route may not be announced yet. */
      running?: boolean;
    }
  | { kind: 'ticket'; ticket: Ticket }
  | { kind: 'message'; recorded: boolean; ticket?: Ticket }
  | { kind: 'tickets'; tickets: Ticket[] }
  | { kind: 'incident'; incident: Incident; linked: number };

/** Steps of other parts of core that inbound events lead to (composed in app/). */
export interface HelpdeskExtensions {
  /** The Declare button of a spike card (core/use-cases/fanout/declare-spike.ts). */
  declareSpike?: (spikeId: string, who: Identity) => Promise<{ incident: Incident; linked: number }>;
}

/**
 * The one entry point adapters call, for writes and for what people are shown.
 *
 * Inbound events are handled at least once, with idempotent effects: the event id is *claimed* with
 * a lease before the use case runs and marked done only after it succeeded; a failure releases the
 * claim, so the platform's retry is processed, and every write of the use case is keyed by the event
 * id (timeline entries, the ticket's `lastEvent`, the ticket id of a request, deterministic delivery
 * keys) so a retry after a partial failure finishes the work rather than repeating it. A repeat of a
 * finished event — or one arriving while the first is still running — returns `{kind: 'duplicate'}`;
 * a repeated help request returns the ticket the first delivery created (`created: false`), so a
 * retried slash command still shows the person their ticket. One key per inbound event, whatever
 * path handles it: a requester's first message replayed once their chat is linked is a duplicate,
 * not a follow-up.
 */
export class Helpdesk {
  /** Incidents (declare, update, resolve, list): set by the composition root; adapters reach them here. */
  incidents?: Incidents;
  /**
   * A ticket's page in the web console, when the composition root knows the console's address
   * (`HELPDESK_PUBLIC_URL`, else the local port): adapters link it where chat has no place for the
   * ticket's conversation (a claim from a storm card).
   */
  consoleUrl?: (ticketNumber: string) => string;
  constructor(
    readonly deps: CoreDeps,
    private readonly ext: HelpdeskExtensions = {},
  ) {}

  async handle(e: InboundEvent): Promise<HandleResult> {
    if (e.type.startsWith('query.')) return this.run(e, this.deps);
    const key = e.eventId;
    if (!key) throw new HelpdeskError('INPUT.INVALID', 'an inbound event needs an id', { detail: 'missing event id' });
    // A message's ticket is read while the event is claimed (a read has no effect, and a copy read a
    // moment early is no staler than one read a moment late): one round trip less before the relay.
    const readAhead = e.type === 'ticket.message' ? messageTicket(this.deps, e) : undefined;
    readAhead?.catch(() => {}); // a failure surfaces where the event runs (or nowhere, for a duplicate)
    const claim = await this.deps.idempotency.begin(key);
    if (claim.outcome !== 'run') {
      const dup: HandleResult = claim.outcome === 'busy' ? { kind: 'duplicate', running: true } : { kind: 'duplicate' };
      if (e.type !== 'help.request') return dup;
      const opened = await findOpened(this.deps, e.request.idempotencyKey || key);
      return opened ? { kind: 'opened', ...opened, ...(claim.outcome === 'busy' ? { running: true } : {}) } : dup;
    }
    let result: HandleResult;
    try {
      result = await this.run(e, { ...this.deps, eventKey: key }, readAhead);
    } catch (err) {
      // A refusal is the event's final answer (a retry would be refused again); anything else may
      // be transient: give the key back so the platform's retry runs the event again.
      if (isHelpdeskError(err) && !err.retryable) await this.deps.idempotency.complete(key, claim.token);
      else await this.deps.idempotency.release(key, claim.token).catch((e2: unknown) => this.deps.log.warn({ err: e2, key }, 'could not release an event claim; it expires with its lease'));
      throw err;
    }
    await this.deps.idempotency.complete(key, claim.token);
    return result;
  }

  /**
   * Runs an adapter's own step at least once per `key` with the same claim/lease rules as `handle`
   * (a Discord interaction's reply, a file-by-reaction): `ran`, or without running `work`: `done`
   * when the key is done, `busy` when another attempt holds it right now (or held it when its
   * process died: its lease has not expired yet; a durable retry should come back later).
   */
  async once(key: string, work: () => Promise<void>): Promise<'ran' | 'done' | 'busy'> {
    const claim = await this.deps.idempotency.begin(key);
    if (claim.outcome !== 'run') return claim.outcome;
    try {
      await work();
    } catch (err) {
      await this.deps.idempotency.release(key, claim.token).catch(() => {});
      throw err;
    }
    await this.deps.idempotency.complete(key, claim.token);
    return 'ran';
  }

  /** The ticket linked at a place (a card's thread, a requester's chat), to route conversation there. */
  ticketAt(at: LinkLocation): Promise<Ticket | null> {
    return this.deps.store.findByLink(at);
  }

  /**
   * A ticket as `viewer` may see it: its requester, or an agent of its desk. Anyone else gets
   * TICKET.NOT_FOUND, the same answer as for a missing ticket (other people's tickets stay private).
   * Without a viewer: for the adapter's own bookkeeping, never shown to a person.
   */
  async ticket(ref: TicketRefInput, viewer?: Identity): Promise<Ticket> {
    const t = await loadTicket(this.deps, ref);
    if (!viewer) return t;
    if (sameIdentity(t.requester, viewer)) return t;
    const agent = await this.deps.directory.agentByIdentity(viewer);
    if (agent?.desks.some((x) => x.desk === t.deskId)) return t;
    throw new HelpdeskError('TICKET.NOT_FOUND', 'not visible to this person', { ticket: t.number });
  }

  /** Throws the refusal a help request would get (empty, too long…) before an adapter prepares a place for it. */
  checkRequest(req: Pick<HelpRequest, 'text' | 'subject' | 'priority'>): void {
    validateHelpRequest(req);
  }

  /** The ticket a request with this idempotency key made, if any (adapters decide whether to prepare a place for it). */
  async requestFiled(idempotencyKey: string): Promise<Ticket | null> {
    return this.deps.store.findByIdempotencyKey(idempotencyKey);
  }

  /**
   * Stores a closed ticket's Markdown transcript on its timeline (internal, once per ticket) and
   * returns it, for adapters that post transcripts to a log channel.
   */
  async transcript(ticketId: string): Promise<{ ticket: Ticket; markdown: string }> {
    const t = await loadTicket(this.deps, { id: ticketId });
    return { ticket: t, markdown: await recordTranscript(this.deps, t) };
  }

  private async run(e: InboundEvent, d: CoreDeps, readAhead?: Promise<Ticket | null>): Promise<HandleResult> {
    switch (e.type) {
      case 'help.request': {
        const r = await openTicket(d, { ...e.request, idempotencyKey: e.request.idempotencyKey || e.eventId });
        return { kind: 'opened', ...r };
      }
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
        const r = await postMessage(d, { at: e.at, ticket: e.ticket, author: e.actor, text: e.text, messageId: e.messageId, internal: e.internal, readAhead });
        return r.recorded ? { kind: 'message', recorded: true, ticket: r.ticket } : { kind: 'message', recorded: false };
      }
      case 'incident.declare_spike': {
        if (!this.ext.declareSpike) throw new HelpdeskError('INPUT.INVALID', 'incidents are not enabled', { detail: 'incidents are not enabled' });
        const r = await this.ext.declareSpike(e.spikeId, e.actor);
        return { kind: 'incident', ...r };
      }
      case 'query.mine':
        return { kind: 'tickets', tickets: await listMyTickets(d, e.actor) };
      case 'query.status':
        return { kind: 'ticket', ticket: await this.ticket(e.ticket, e.actor) };
      case 'query.queue':
        return { kind: 'tickets', tickets: await listQueue(d, e.actor, e.deskId, e.tier) };
    }
  }
}
