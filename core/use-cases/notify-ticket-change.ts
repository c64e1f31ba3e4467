import type { Desk } from '../domain/desk.js';
import { tierOf } from '../domain/desk.js';
import { changeIdOf, type TicketEvent } from '../domain/events.js';
import type { Link } from '../domain/link.js';
import type { Ticket } from '../domain/ticket.js';
import { translator } from '../i18n/index.js';
import type { Delivery, DeliveryOp } from '../ports/delivery.port.js';
import { STORED_TEXT_MAX } from '../views/text-limits.js';
import { csatView, escalationView, noticeView, ticketCard } from '../views/ticket-views.js';
import { relayOps, relayStyle } from './relay.js';
import type { View } from '../views/view.js';
import type { CoreDeps } from './deps.js';
import { actorName } from './resolve-actor.js';
import { publicTranscript } from './transcript.js';
import type { TriageStorm } from '../ports/triage-storm.port.js';
import { stormCardOp } from './flush-storm-card.js';
import { stormTicket } from '../views/storm-card.view.js';
import { requesterOps } from './requester-ops.js';
import { INCIDENT_ACTOR } from './fanout/absorbed-requests.js';

/**
 * Turns domain events into outbound messages on every platform a ticket is linked to: triage cards
 * posted and edited in place, the requester told about changes, conversation relayed between links
 * (internal notes only between agents' places). Cross-platform desks need nothing special: a ticket's
 * links may be on different platforms. Keys are deterministic so a replayed event sends nothing twice.
 */
export class TicketNotifier {
  /**
   * `storm`: the storm-aware triage decision (jobs/ implements it in Redis). Without it every new
   * ticket gets its own card, whatever the channel's backlog.
   */
  constructor(
    private readonly deps: Pick<CoreDeps, 'directory' | 'store'>,
    private readonly delivery: Delivery,
    private readonly storm?: TriageStorm,
  ) {}

  /** Subscribes to the bus; returns the unsubscribe function. */
  attach(events: CoreDeps['events']): () => void {
    return events.subscribe((e) => this.onEvent(e));
  }

  async onEvent(e: TicketEvent): Promise<void> {
    const t = e.ticket;
    const desk = this.deps.directory.desk(t.deskId);
    const tr = translator(t.locale, desk.locale);
    const by = actorName(e.actor);
    const ops: DeliveryOp[] = [];
    // Per change, not per version: a replayed announcement (see `changeKey`) makes the same deliveries.
    const key = (what: string) => `${t.id}:${changeIdOf(e)}:${e.type}:${what}`;
    switch (e.type) {
      case 'ticket.created':
        // A request longer than a ticket keeps: the requester is told, never silently cut.
        if (e.entry?.clippedFrom) ops.push(...requesterOps(t, this.clippedNotice(t, e.entry.clippedFrom, t.locale ?? desk.locale), key('clipped')));
        break;
      case 'ticket.routed':
        ops.push(...(await this.newTicketCards(t, desk, key, e.at.getTime())));
        ops.push(...requesterOps(t, noticeView(tr('intake.routed', { number: t.number, desk: desk.name }), 'open'), key('requester')));
        break;
      case 'ticket.claimed':
        ops.push(...this.updateCards(t, desk, key));
        ops.push(...requesterOps(t, noticeView(tr('notify.claimed', { agent: by, number: t.number }), 'claimed'), key('requester')));
        break;
      case 'ticket.pending':
        ops.push(...this.updateCards(t, desk, key));
        ops.push(...requesterOps(t, noticeView(tr('notify.pending', { agent: by, number: t.number }), 'pending'), key('requester')));
        break;
      case 'ticket.escalated': {
        // The conversation so far, as the ticket carried it before this change (its own status
        // entry comes after): no timeline read when the ticket keeps its public log.
        const transcript = await publicTranscript(this.deps, t, e.before ?? t);
        const from = e.before?.tier ?? t.tier - 1;
        // An escalation wave (an SLA breach storm) goes through the same admission as new tickets.
        ops.push(...(await this.admitted(t, this.postCards(t, desk, t.tier, escalationView(t, desk, transcript, from, desk.locale), key, e.at.getTime()))));
        ops.push(...this.updateCards(t, desk, key));
        const tierName = tierOf(desk, t.tier)?.name ?? tr('ticket.tier', { tier: t.tier });
        ops.push(...requesterOps(t, noticeView(tr('notify.escalated', { number: t.number, tier: tierName }), 'escalated'), key('requester')));
        break;
      }
      case 'ticket.resolved': {
        ops.push(...this.updateCards(t, desk, key));
        // Resolved with its incident: the incident's resolution notice is the one message they get.
        if (e.actor.kind === 'system' && e.actor.reason === INCIDENT_ACTOR) break;
        ops.push(...requesterOps(t, noticeView(tr('notify.resolved', { agent: by, number: t.number }), 'resolved'), key('requester')));
        ops.push(...requesterOps(t, csatView(t, t.locale ?? desk.locale), key('csat')));
        break;
      }
      case 'ticket.reopened':
        ops.push(...this.updateCards(t, desk, key));
        ops.push(...requesterOps(t, noticeView(tr('notify.reopened', { number: t.number }), 'open'), key('requester')));
        break;
      case 'ticket.closed':
        ops.push(...this.updateCards(t, desk, key));
        if (e.before?.status !== 'resolved') ops.push(...requesterOps(t, noticeView(tr('notify.closed', { number: t.number }), 'closed'), key('requester')));
        break;
      case 'ticket.unclaimed':
      case 'ticket.resumed':
      case 'ticket.rated':
      case 'ticket.category_changed':
        ops.push(...this.updateCards(t, desk, key));
        break;
      case 'ticket.priority_changed':
        ops.push(...this.updateCards(t, desk, key));
        break;
      case 'ticket.message':
        // The links as stored now, not as the message's writer read them: a card whose link was
        // stored in between gets the message (or the card's catch-up does; the keys are the same).
        if (e.entry) {
          const links = (await this.deps.store.get(t.id))?.links ?? t.links;
          ops.push(...relayOps(t, e.entry, relayStyle(desk, links), links));
        }
        // Keyed by the entry alone: a retry may see the ticket at a later version (its first-response write).
        if (e.entry?.clippedFrom) ops.push(...this.clippedToAuthor(t, desk, e, (what) => `${t.id}:ticket.message:${what}`));
        break;
      default:
        break;
    }
    if (this.storm && e.type !== 'ticket.created' && e.type !== 'ticket.message' && e.type !== 'ticket.responded' && e.type !== 'ticket.routed') ops.push(...(await this.stormCardRenders(t)));
    for (const op of ops) await this.delivery.send(op);
  }

  /** A new ticket's tier-1 cards, admitted (below). */
  private newTicketCards(t: Ticket, desk: Desk, key: (w: string) => string, since: number): Promise<DeliveryOp[]> {
    return this.admitted(t, this.postCards(t, desk, t.tier, ticketCard(t, desk, desk.locale), key, since));
  }

  /**
   * A ticket's cards in its tier's channels (new at tier 1, or escalated into tier 2+): its own card
   * in each channel, except where the channel's posting backlog would delay it past the storm
   * threshold; there it joins the channel's storm card.
   */
  private async admitted(t: Ticket, cards: DeliveryOp[]): Promise<DeliveryOp[]> {
    if (!this.storm) return cards;
    const out: DeliveryOp[] = [];
    for (const op of cards) {
      if (op.kind !== 'post') continue;
      const ch = { platform: op.platform, workspace: op.target.workspace, channel: op.target.channel, deskId: t.deskId, tier: t.tier };
      const a = await this.storm.admit(ch, stormTicket(t), op.key);
      out.push(a.mode === 'card' ? op : stormCardOp(a.cardId, ch, a.gen));
      if (a.closed) out.push(stormCardOp(a.closed.cardId, ch, a.closed.gen));
    }
    return out;
  }

  /** A change to a ticket listed on storm cards re-renders those cards (one render per generation). */
  private async stormCardRenders(t: Ticket): Promise<DeliveryOp[]> {
    const cards = await this.storm!.changed(stormTicket(t));
    return cards.map((c) => stormCardOp(c.cardId, c.channel, c.gen));
  }

  /** New cards in the tier's channels on each configured platform (stored as triage links). */
  private postCards(t: Ticket, desk: Desk, level: number, view: View, key: (w: string) => string, since: number): DeliveryOp[] {
    const tier = tierOf(desk, level);
    if (!tier) return [];
    return Object.entries(tier.channels).map(([platform, ch]) => ({
      kind: 'post' as const,
      key: key(`card:${platform}:${level}`),
      platform: platform as Link['platform'],
      target: { workspace: ch!.workspace, channel: ch!.channel },
      view,
      ticketId: t.id,
      linkAs: { role: 'triage' as const, tier: level },
      relaySince: since,
      relayStyle: relayStyle(desk, t.links),
    }));
  }

  /** Edits every triage card of the ticket in place so it shows the truth. */
  private updateCards(t: Ticket, desk: Desk, key: (w: string) => string): DeliveryOp[] {
    return t.links
      .filter((l) => l.role === 'triage' && l.message)
      .map((l) => ({ kind: 'update' as const, key: key(`update:${l.platform}:${l.channel}:${l.message}`), platform: l.platform, link: l, view: ticketCard(t, desk, desk.locale), ticketId: t.id }));
  }


  private clippedNotice(t: Ticket, received: number, locale: string): View {
    const tr = translator(locale);
    const n = (x: number) => new Intl.NumberFormat(locale).format(x);
    return noticeView(tr('text.clipped_notice', { received: n(received), max: n(STORED_TEXT_MAX), number: t.number }), undefined, locale);
  }

  /** Tells the author of a message cut to the stored maximum, where they wrote it (or in a DM). */
  private clippedToAuthor(t: Ticket, desk: Desk, e: TicketEvent, key: (w: string) => string): DeliveryOp[] {
    const entry = e.entry!;
    if (e.actor.kind !== 'person') return [];
    const requester = e.actor.agent === undefined;
    const view = this.clippedNotice(t, entry.clippedFrom!, (requester ? t.locale : undefined) ?? desk.locale);
    const src = entry.source;
    const at = src && t.links.find((l) => l.platform === src.platform && l.channel === src.channel && (l.thread ?? l.message) === src.thread);
    if (at) {
      return [{ kind: 'post', key: key(`clipped:${entry.id}`), platform: at.platform, target: { workspace: at.workspace, channel: at.channel, thread: at.thread ?? at.message, data: at.data }, view, ticketId: t.id }];
    }
    return [{ kind: 'dm', key: key(`clipped:${entry.id}`), platform: e.actor.identity.platform, person: e.actor.identity, view, ticketId: t.id }];
  }
}
