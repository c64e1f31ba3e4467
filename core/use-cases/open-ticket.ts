import { HelpdeskError } from '../domain/errors.js';
import type { Identity, Platform } from '../domain/identity.js';
import type { Link } from '../domain/link.js';
import { isPriority, subjectFrom, type Priority, type Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import type { KbSuggestion } from '../ports/kb.port.js';
import { clipStored } from '../views/text-limits.js';
import type { CoreDeps } from './deps.js';
import { routePatch, routeToTriage } from './route-to-triage.js';
import { announceChange, changeEntry } from './mutate-ticket.js';
import type { Actor } from '../domain/actor.js';
import type { Incident } from '../domain/incident.js';
import { matchIncident } from './fanout/match-incident.js';

/** A request for help as every adapter hands it to core. */
export interface HelpRequest {
  /** Platform event id, interaction id, message id…: a retry with the same key creates nothing new. */
  idempotencyKey: string;
  requester: Identity;
  locale?: string;
  text: string;
  subject?: string;
  category?: string;
  priority?: Priority;
  /** Where the request was made (for choosing the desk). */
  origin: { platform: Platform; workspace: string; channel?: string };
  /** Where to talk back to the requester, if the adapter has a place (thread, DM). */
  requesterLink?: Omit<Link, 'role'>;
  /** Pin to a desk (otherwise chosen by origin). */
  deskId?: string;
  /** Skip KB suggestions (e.g. a ticket filed by reaction on someone's message). */
  skipSuggestions?: boolean;
}

export interface OpenTicketResult {
  ticket: Ticket;
  created: boolean;
  suggestions: KbSuggestion[];
  /** The active incident the request was absorbed by ("known issue"): linked, kept out of triage. */
  incident?: Incident;
}

/**
 * Throws the refusal `openTicket` would give this request (empty, bad priority), so an adapter can
 * check before it prepares anything on the platform (a Discord private thread). Long text is not a
 * refusal: it is kept cut (docs/long-text.md).
 */
export function validateHelpRequest(req: Pick<HelpRequest, 'text' | 'subject' | 'priority'>): void {
  if (!req.text.trim() && !req.subject?.trim()) throw new HelpdeskError('INPUT.INVALID', 'a help request needs some text', { detail: 'empty request' });
  if (req.priority !== undefined && !isPriority(req.priority)) throw new HelpdeskError('INPUT.INVALID', `bad priority ${String(req.priority)}`, { detail: 'priority' });
}

/**
 * Records a request as a ticket (status `new`), suggests articles, and routes it when none fit.
 * A request longer than the stored maximum is not refused: the ticket keeps its first part with the
 * truncation marker, the timeline entry records the original length, and the requester is told.
 */
export async function openTicket(deps: CoreDeps, req: HelpRequest): Promise<OpenTicketResult> {
  validateHelpRequest(req);
  const written = req.text.trim();
  if (!req.idempotencyKey) throw new HelpdeskError('INPUT.INVALID', 'idempotencyKey is required', { detail: 'missing idempotency key' });

  // No read first: the store's create finds a replay by the ticket's unique id (derived from the key)
  // and returns the first ticket (`created: false`); only then are its own suggestions looked up.
  const desk = req.deskId ? deps.directory.desk(req.deskId) : deps.directory.deskFor(req.origin);
  const stored = clipStored(written, translator(req.locale, desk.locale)('text.truncated'));
  const text = stored.text;
  if (stored.clippedFrom) deps.log.info({ desk: desk.id, received: stored.clippedFrom, kept: text.length }, 'request over the stored maximum kept cut; the requester is told');
  const category = req.category && desk.categories.includes(req.category) ? req.category : undefined;
  // A request about an active incident is answered as a known issue instead of suggested articles.
  const incident = deps.incidents
    ? await matchIncident({ incidents: deps.incidents, kb: deps.kb }, desk, { text, subject: req.subject, category: req.category }).catch((err: unknown) => {
        deps.log.warn({ err }, 'incident match failed; opening the request as usual');
        return null;
      })
    : null;
  const suggestions =
    desk.deflection.enabled && !req.skipSuggestions && !incident
      ? await deps.kb.suggest(`${req.subject ?? ''} ${text}`.trim(), { limit: desk.deflection.maxSuggestions, lang: req.locale, deskId: desk.id }).catch((err: unknown) => {
          deps.log.warn({ err }, 'kb suggest failed; routing without suggestions');
          return [];
        })
      : [];
  const now = deps.clock.now();
  // Nothing to suggest and no incident: the ticket is routed at once, so it is stored routed by the
  // insert that creates it (one write instead of an insert, a write guard and a compare-and-set).
  // Only under an inbound event's key: the route's `lastEvent` is how a retry finds it unannounced.
  const routeNow = !incident && !suggestions.length && deps.eventKey !== undefined;
  const { ticket, created, initial } = await deps.store.create(
    {
      deskId: desk.id,
      prefix: desk.prefix,
      idempotencyKey: req.idempotencyKey,
      requester: req.requester,
      locale: req.locale,
      subject: subjectFrom(req.subject?.trim() || text),
      description: text || req.subject!.trim(),
      category,
      priority: req.priority ?? desk.defaultPriority,
      links: req.requesterLink ? [{ ...req.requesterLink, role: 'requester' }] : [],
      // The public entries after the opening message (which is the description itself): none yet.
      publicLog: [],
      ...(suggestions.length ? { suggestedArticles: suggestions.map((s) => s.id) } : {}),
      ...(incident ? { incidentId: incident.id } : {}),
      status: 'new',
      tier: 1,
    },
    now,
    routeNow ? { then: (t) => routePatch(deps, t, ROUTE_ACTOR, now) } : {},
  );
  if (!created) return finishOpening(deps, req, ticket, await suggestionsFor(deps, ticket));
  return finishOpening(deps, req, ticket, suggestions, stored.clippedFrom, initial && { ticket: initial, now });
}

/** Who routes a request no article answers (as `routeToTriage(…, {system: 'no-suggestion'})`). */
const ROUTE_ACTOR: Actor = { kind: 'system', reason: 'no-suggestion' };

/**
 * The steps after the ticket is stored, each idempotent, so that the retry of a request whose first
 * attempt failed half-way (ticket stored; timeline, events or routing not) completes it: the opening
 * message is keyed by the request's key (stored once), `ticket.created` is emitted with it (rollups
 * count a ticket's creation once), and a ticket with no suggestions is routed (routing a ticket
 * already past `new` does nothing). `created` is true when this call stored the opening message or
 * is the retry of the event that did (under `Helpdesk.handle`'s claim that means its first attempt
 * failed, so the person has not been answered yet).
 */
async function finishOpening(deps: CoreDeps, req: HelpRequest, ticket: Ticket, suggestions: KbSuggestion[], clippedFrom?: number, routed?: { ticket: Ticket; now: Date }): Promise<OpenTicketResult> {
  // Absorbed: linked to its incident before anyone is told (once per pair, whatever the retries) and
  // kept out of triage; the requester is answered "known issue" and may still ask for a person.
  const incident = ticket.status === 'new' && ticket.incidentId && deps.incidents ? await deps.incidents.get(ticket.incidentId) : null;
  if (incident) await deps.incidents!.linkTickets(incident.id, [ticket.id], deps.clock.now());
  const entry = await deps.store.appendTimeline(
    {
      ticketId: ticket.id,
      at: ticket.createdAt,
      kind: 'message',
      actor: { kind: 'person', identity: ticket.requester },
      visibility: 'public',
      text: ticket.description,
      ...(clippedFrom ? { clippedFrom } : {}),
      source: req.requesterLink ? { platform: req.requesterLink.platform, channel: req.requesterLink.channel, thread: req.requesterLink.thread, message: req.requesterLink.message } : undefined,
    },
    // The opening message is the ticket's description: its public log needs no entry for it.
    { key: req.idempotencyKey, logged: true },
  );
  // Announced by the call that stored the opening message, and again by a retry of the same event
  // (its first attempt may have failed before announcing); not by another event filing the same
  // request (a Slack shortcut after a reaction on the same message).
  const answering = entry.created !== false || deps.eventKey === req.idempotencyKey;
  if (answering) {
    // Stored routed by its insert (`routed`): announced as created (version 1), then routed, as if
    // written one after the other. A retry finds the route by its key and finishes it (`routeToTriage`).
    const created = routed?.ticket ?? ticket;
    await deps.events.emit({ type: 'ticket.created', ticket: created, actor: { kind: 'person', identity: ticket.requester }, at: deps.clock.now(), entry, changeKey: `${req.idempotencyKey}:open`, ...(routed ? { supersededBy: 'ticket.routed' as const } : {}) });
    if (routed) {
      const act = { type: 'route' } as const;
      const announce = () => announceChange(deps, act, ticket, routed.ticket, ROUTE_ACTOR, routed.now, changeEntry(deps, routed.ticket, act, ROUTE_ACTOR, routed.now));
      // One more try at once, as `routeToTriage` finishes its own stored route (events tolerate replays).
      await announce().catch(announce);
      return { ticket, created: answering, suggestions };
    }
  }
  let result = ticket;
  if (incident) return { ticket: result, created: answering, suggestions: [], incident };
  // Past `new` only on a repeat: routeToTriage then finishes this event's own route if it was left
  // unannounced, and returns anything else unchanged.
  if (!ticket.suggestedArticles?.length && (ticket.status === 'new' || deps.eventKey !== undefined)) result = await routeToTriage(deps, { id: ticket.id }, { system: 'no-suggestion' }, ticket);
  return { ticket: result, created: answering, suggestions };
}

/** The ticket a request with this key made, as a repeat of that request sees it (no writes). */
export async function findOpened(deps: CoreDeps, idempotencyKey: string): Promise<OpenTicketResult | null> {
  const t = await deps.store.findByIdempotencyKey(idempotencyKey);
  return t ? { ticket: t, created: false, suggestions: await suggestionsFor(deps, t) } : null;
}

async function suggestionsFor(deps: CoreDeps, t: Ticket): Promise<KbSuggestion[]> {
  if (t.status !== 'new' || !t.suggestedArticles?.length) return [];
  return deps.kb.suggest(t.description, { limit: t.suggestedArticles.length, lang: t.locale, deskId: t.deskId }).catch(() => []);
}
