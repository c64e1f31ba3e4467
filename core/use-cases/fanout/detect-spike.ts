import { DEFAULT_SPIKE, tierOf } from '../../domain/desk.js';
import type { TicketEvent } from '../../domain/events.js';
import type { Ticket } from '../../domain/ticket.js';
import type { Incident } from '../../domain/incident.js';
import type { AnnounceOp } from '../../ports/delivery.port.js';
import type { Spike } from '../../ports/spike-store.port.js';
import { SPIKE_EXAMPLES, spikeCardView } from '../../views/incident-views.js';
import type { FanoutDeps } from './fanout-deps.js';
import { matchIncident } from './match-incident.js';

/** The spike id of a group: from its first ticket (ticket ids carry no `:`, so it fits a button's action). */
export const spikeIdOf = (firstTicketId: string): string => `sp-${firstTicketId}`;

/** The tier a spike card goes to: tier 2, or the highest tier a one-tier desk has. */
const SPIKE_TIER = 2;

/**
 * Watches new tickets: each one not already about an incident is added to its desk's recent window
 * (Redis, atomic across replicas); when N similar tickets gather within M minutes and no active
 * incident matches them, one "possible incident" card with a Declare button goes to tier 2. Further
 * similar tickets join that spike (no second card): its card is re-rendered with the count, coalesced.
 */
export class SpikeDetector {
  /**
   * Tickets this detector saw created, newest last (bounded): a spike card's examples show only what
   * never changes (number, subject, description), so they are taken from here instead of read again.
   */
  private readonly seen = new Map<string, Ticket>();

  constructor(private readonly deps: FanoutDeps) {}

  attach(events: FanoutDeps['events']): () => void {
    return events.subscribe((e) => this.onEvent(e));
  }

  async onEvent(e: TicketEvent): Promise<void> {
    if (e.type !== 'ticket.created' || e.ticket.incidentId) return;
    const { spikeWindow, spikes, kb } = this.deps;
    if (!spikeWindow || !spikes || !kb.signature) return;
    const t = e.ticket;
    const desk = this.deps.directory.desk(t.deskId);
    const s = desk.spike ?? DEFAULT_SPIKE;
    if (!s.enabled) return;
    this.seen.set(t.id, t);
    if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.keys().next().value!);
    const signature = kb.signature(`${t.subject} ${t.description}`);
    const observed = await spikeWindow.observe({ deskId: desk.id, ticketId: t.id, signature, windowMs: s.windowMinutes * 60_000, minSimilarity: s.minSimilarity, threshold: s.threshold });
    if (!observed) return;
    if (observed.kind === 'join') {
      // Similar to tickets of an open spike: listed on it (Declare links it too), no new card.
      const spike = await spikes.addTicket(spikeIdOf(observed.firstTicketId), t.id);
      if (spike && !spike.incidentId && observed.renderInMs !== undefined) await this.renderLater(spike.id, observed.renderInMs + RENDER_SLACK_MS, observed.renderAt!);
      return;
    }
    // An incident declared meanwhile covers them: no suggestion (absorption links new requests).
    if (await matchIncident({ incidents: this.deps.incidents, kb }, desk, { text: t.description, subject: t.subject, ...(t.category ? { category: t.category } : {}) })) return;
    const spike = await spikes.create({ id: spikeIdOf(observed.ticketIds[0]!), deskId: desk.id, ticketIds: observed.ticketIds, windowMinutes: s.windowMinutes, at: this.deps.clock.now() });
    this.deps.log.info({ desk: desk.id, spike: spike.id, tickets: spike.ticketIds.length }, 'possible incident: similar tickets');
    for (const op of await spikeCardOps(this.deps, spike, undefined, (id) => this.seen.get(id))) await this.deps.delivery.send(op);
  }

  /**
   * Edits the spike's card to its count then (the window handed this replica that render: one per
   * few seconds per spike across replicas, whatever the storm). Queued as a delayed job where there is
   * a queue (`spikeRenders`): any worker does it, even when this replica stops first. Without one (a
   * single process without Redis queues), a timer here.
   */
  private async renderLater(spikeId: string, delayMs: number, version: number): Promise<void> {
    if (this.deps.spikeRenders) return this.deps.spikeRenders.later(spikeId, delayMs, version);
    const timer = setTimeout(() => {
      renderSpikeCard(this.deps, spikeId, version, (id) => this.seen.get(id)).catch((err: unknown) => this.deps.log.warn({ err, spike: spikeId }, 'spike card render failed'));
    }, delayMs);
    timer.unref?.();
  }
}

/**
 * A spike card's count edit at `version` (a delayed render, from a timer or a queued job): the
 * spike as stored now, unless it was declared meanwhile (the declared card is newer). `known`:
 * copies of tickets the caller has (saves reading the examples again).
 */
export async function renderSpikeCard(deps: Pick<FanoutDeps, 'directory' | 'store' | 'spikes' | 'delivery'>, spikeId: string, version: number, known?: (id: string) => Ticket | undefined): Promise<void> {
  const spike = await deps.spikes?.get(spikeId);
  if (!spike || spike.incidentId) return;
  for (const op of await spikeCardOps(deps, spike, undefined, known, version)) await deps.delivery.send(op);
}

/** A render starts this long after its time, so joins the window counted just before it are stored. */
const RENDER_SLACK_MS = 250;

/** The declared card's version: newer than any count render (those are versioned by their time, epoch ms). */
export const SPIKE_DECLARED_VERSION = Number.MAX_SAFE_INTEGER;

/** Created tickets remembered for spike cards' examples (a desk's window compares at most 500). */
const SEEN_KEPT = 2_000;

/**
 * The spike's card in each tier-2 channel: posted once (version 1, with the Declare button), edited
 * in place with the count as tickets join (`version`: the time of each render the window handed out)
 * and once declared ({@link SPIKE_DECLARED_VERSION}, naming the incident; older renders then do nothing).
 */
export async function spikeCardOps(deps: Pick<FanoutDeps, 'directory' | 'store'>, spike: Spike, incident?: Incident, known?: (id: string) => Ticket | undefined, version = 1): Promise<AnnounceOp[]> {
  const desk = deps.directory.desk(spike.deskId);
  const tier = tierOf(desk, SPIKE_TIER) ?? tierOf(desk, Math.max(...desk.tiers.map((x) => x.level)));
  if (!tier) return [];
  // `known`: copies of the examples (only their number, subject and description are shown: fixed at creation).
  const tickets = (await Promise.all(spike.ticketIds.slice(0, SPIKE_EXAMPLES).map((id) => known?.(id) ?? deps.store.get(id)))).filter((x): x is Ticket => !!x);
  const view = spikeCardView(spike.id, tickets, spike.ticketIds.length, spike.windowMinutes, desk, incident);
  return Object.entries(tier.channels).map(([platform, ch]) => ({
    kind: 'announce' as const,
    key: `spike:${spike.id}:v${incident ? SPIKE_DECLARED_VERSION : version}:${platform}`,
    platform: platform as AnnounceOp['platform'],
    target: { workspace: ch!.workspace, channel: ch!.channel },
    view,
    ref: `spike:${spike.id}:${platform}:${ch!.workspace}:${ch!.channel}`,
    version: incident ? SPIKE_DECLARED_VERSION : version,
  }));
}
